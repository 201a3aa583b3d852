// The topology of a plan as a Mermaid flowchart. App Mesh: virtual services →
// their provider (virtual node, or router with weighted targets); virtual
// nodes ⇢ the virtual services they call. Service Connect: the namespace's
// services with the aliases callers use and their rollout step (servers
// first) ⇢ the aliases they call.
import type { Plan } from '../core/plan/model.js';

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

export function renderPlanMermaid(plan: Plan): string {
  const lines = ['flowchart LR'];
  if (plan.target === 'service-connect') {
    const namespaces = [...new Set(plan.services.map((s) => s.serviceConnect?.namespace).filter((n): n is string => !!n))];
    for (const ns of namespaces) {
      lines.push(`  subgraph ${id('ns', ns)}["namespace ${ns}"]`);
      for (const svc of plan.services.filter((s) => s.serviceConnect?.namespace === ns)) {
        const label = svc.serviceConnect!.greenService ?? svc.service;
        const step = svc.rollout ? `<br/>rollout step ${svc.rollout.position}` : '';
        lines.push(`    ${id('svc', `${svc.cluster}/${label}`)}["${svc.cluster}/${label}<br/>${svc.serviceConnect!.aliases.join('<br/>') || 'client only'}${step}"]`);
      }
      lines.push('  end');
    }
    for (const svc of plan.services) {
      const from = id('svc', `${svc.cluster}/${svc.serviceConnect?.greenService ?? svc.service}`);
      for (const b of svc.backends) {
        const target = plan.services.find((t) => t.serviceConnect?.aliases.some((a) => a.startsWith(`${b.virtualService}:`)));
        if (target) lines.push(`  ${from} -.-> ${id('svc', `${target.cluster}/${target.serviceConnect?.greenService ?? target.service}`)}`);
        // A name no planned service serves is still drawn, outside the namespaces.
        else lines.push(`  ${id('ext', b.virtualService)}(["${b.virtualService}"])`, `  ${from} -.-> ${id('ext', b.virtualService)}`);
      }
    }
    return lines.join('\n');
  }
  // Each mesh is its own subgraph: services left alone in another mesh are drawn there, not in the plan's.
  const meshes = [...new Set(plan.services.map((svc) => svc.mesh ?? plan.mesh))].sort((x, y) => (x === plan.mesh ? -1 : y === plan.mesh ? 1 : x.localeCompare(y)));
  const declared = new Set<string>();
  const edges: string[] = [];
  for (const mesh of meshes) {
    lines.push(`  subgraph ${id('mesh', mesh)}["mesh ${mesh}"]`);
    for (const svc of plan.services.filter((s) => (s.mesh ?? plan.mesh) === mesh)) {
      if (!svc.virtualService || !svc.virtualNode) continue;
      const vs = id('vs', svc.virtualService);
      const vn = id('vn', svc.virtualNode);
      lines.push(`    ${vs}(["${svc.virtualService}"])`);
      lines.push(`    ${vn}["${svc.virtualNode}<br/>${svc.cluster}/${svc.service}"]`);
      declared.add(vs);
      if (svc.router) {
        const vr = id('vr', svc.router.name);
        lines.push(`    ${vs} --> ${vr}{{"${svc.router.name}"}}`);
        for (const t of svc.router.targets) lines.push(`    ${vr} -- ${t.weight}% --> ${id('vn', t.virtualNode)}`);
      } else {
        lines.push(`    ${vs} --> ${vn}`);
      }
      for (const b of svc.backends) edges.push(`  ${vn} -.-> ${id('vs', b.virtualService)}`);
    }
    lines.push('  end');
  }
  // Every edge is drawn: a backend no planned service provides is a node of its own, outside the meshes.
  for (const svc of plan.services) {
    for (const b of svc.backends) {
      const vs = id('vs', b.virtualService);
      if (!declared.has(vs)) lines.push(`  ${vs}(["${b.virtualService}"])`);
      declared.add(vs);
    }
  }
  lines.push(...edges);
  return lines.join('\n');
}
