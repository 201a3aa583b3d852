// What an export hands over, read from the plan alone (the export is the
// plan, not a second planner): per service its steps, held or not, its owner
// and the services it waits for, in the plan's rollout order; and the steps
// that run once for everyone.
import type { ServiceOwner } from '../owner.js';
import type { Plan, PlanStep } from '../plan/model.js';

export interface ExportUnit {
  /** cluster/service */
  label: string;
  cluster: string;
  service: string;
  owner?: ServiceOwner;
  /** apply leaves it to its owner (the plan holds it). */
  held: boolean;
  reason?: string;
  /** The plan's rollout position (servers first), when it has one. */
  position?: number;
  /** Services whose steps this one's wait for (servers before clients). */
  after: string[];
  steps: PlanStep[];
}

export interface ExportView {
  units: ExportUnit[];
  /** Steps of no one service (a mesh, a namespace, cluster defaults, sharing), held or not. */
  shared: PlanStep[];
  heldStepIds: Set<string>;
  stepById: Map<string, PlanStep>;
}

export function exportView(plan: Plan): ExportView {
  const all = [...plan.steps, ...plan.held?.steps ?? []];
  // Steps keep the plan's order: dependencies first, whether held or not.
  const order = new Map(all.map((s, i) => [s.id, i]));
  const stepById = new Map(all.map((s) => [s.id, s]));
  const heldStepIds = new Set((plan.held?.steps ?? []).map((s) => s.id));
  const heldServices = new Map((plan.held?.services ?? []).map((h) => [`${h.cluster}/${h.service}`, h]));
  const units = plan.services
    .map((svc): ExportUnit => {
      const label = `${svc.cluster}/${svc.service}`;
      const steps = all.filter((s) => s.ecsService === label);
      const after = [...new Set(steps.flatMap((s) => s.dependsOn.map((d) => stepById.get(d)?.ecsService)).filter((o): o is string => !!o && o !== label))].sort();
      const held = heldServices.get(label);
      return {
        label, cluster: svc.cluster, service: svc.service, held: held !== undefined, after, steps,
        ...(svc.owner && { owner: svc.owner }), ...(held && { reason: held.reason }), ...(svc.rollout && { position: svc.rollout.position }),
      };
    })
    .filter((u) => u.steps.length > 0);
  const first = (u: ExportUnit) => Math.min(...u.steps.map((s) => order.get(s.id)!));
  units.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || first(a) - first(b));
  return { units, shared: all.filter((s) => !s.ecsService), heldStepIds, stepById };
}

/** Letters and digits only, each word capitalised: CloudFormation logical ids. */
export function pascalName(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Resource';
}

/** Lowercase words joined by _: Terraform resource names (which may not start with a digit). */
export function snakeName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'resource';
  return /^[0-9]/.test(name) ? `r_${name}` : name;
}

/** camelCase or PascalCase API names as Terraform's snake_case: portName → port_name, TTL → ttl, http2Route → http2_route (the schema names the exceptions). */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}
