// The mesh topology of a plan as a Mermaid flowchart: virtual services →
// their provider (virtual node, or router with weighted targets); virtual
// nodes ⇢ the virtual services they call.
import type { Plan } from '../core/plan/model.js';

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

export function renderPlanMermaid(plan: Plan): string {
  const lines = ['flowchart LR', `  subgraph ${id('mesh', plan.mesh)}["mesh ${plan.mesh}"]`];
  for (const svc of plan.services) {
    const vs = id('vs', svc.virtualService);
    const vn = id('vn', svc.virtualNode);
    lines.push(`    ${vs}(["${svc.virtualService}"])`);
    lines.push(`    ${vn}["${svc.virtualNode}<br/>${svc.cluster}/${svc.service}"]`);
    if (svc.router) {
      const vr = id('vr', svc.router.name);
      lines.push(`    ${vs} --> ${vr}{{"${svc.router.name}"}}`);
      for (const t of svc.router.targets) lines.push(`    ${vr} -- ${t.weight}% --> ${id('vn', t.virtualNode)}`);
    } else {
      lines.push(`    ${vs} --> ${vn}`);
    }
    for (const b of svc.backends) lines.push(`    ${vn} -.-> ${id('vs', b.virtualService)}`);
  }
  lines.push('  end');
  return lines.join('\n');
}
