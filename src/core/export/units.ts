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
  /**
   * The owner's deploys, in order, and the steps each carries: one, unless a
   * step waits for the deployment it starts before the next (awaits, as an
   * ECS-managed move's load balancer change does).
   */
  deploys: PlanStep[][];
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
        label, cluster: svc.cluster, service: svc.service, held: held !== undefined, after, steps, deploys: ownerDeploys(steps),
        ...(svc.owner && { owner: svc.owner }), ...(held && { reason: held.reason }), ...(svc.rollout && { position: svc.rollout.position }),
      };
    })
    .filter((u) => u.steps.length > 0);
  const first = (u: ExportUnit) => Math.min(...u.steps.map((s) => order.get(s.id)!));
  units.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || first(a) - first(b));
  return { units, shared: all.filter((s) => !s.ecsService), heldStepIds, stepById };
}

/**
 * How an owner applies a service's steps. apply waits after a step that
 * awaits its deployment before it runs the next; an owner's deploy applies
 * its whole change at once, so it needs a deploy of its own for each such
 * step: that step and the steps it needs, completed before the next deploy.
 * An ECS-managed move is the case: AWS takes a new deployment strategy only
 * once the load balancer's advancedConfiguration is in place under a rolling
 * deployment (Amazon ECS Developer Guide, "Update the deployment strategy
 * from rolling update to Amazon ECS blue/green"), so the alternate target
 * group, the listener rule's weights and advancedConfiguration are the first
 * deploy, and the task definition (which an owner's service refers to, so it
 * would move the service) and the strategy the second.
 */
export function ownerDeploys(steps: PlanStep[]): PlanStep[][] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const placed = new Set<string>();
  const deploys: PlanStep[][] = [];
  const needs = (step: PlanStep, into: Set<string>): void => {
    if (placed.has(step.id) || into.has(step.id)) return;
    into.add(step.id);
    for (const id of step.dependsOn) if (byId.has(id)) needs(byId.get(id)!, into);
  };
  for (const awaited of steps.filter((s) => s.awaits)) {
    const ids = new Set<string>();
    needs(awaited, ids);
    deploys.push(steps.filter((s) => ids.has(s.id)));
    for (const id of ids) placed.add(id);
  }
  const rest = steps.filter((s) => !placed.has(s.id));
  return rest.length > 0 || deploys.length === 0 ? [...deploys, rest] : deploys;
}

/** How a file of a service moved in several deploys names its deploy (deploy-1, deploy-2…); none when it has one. */
export function deployName(unit: ExportUnit, index: number): string | undefined {
  return unit.deploys.length > 1 ? `deploy-${index + 1}` : undefined;
}

/**
 * Why an owner waits between deploys. A plan's only step that awaits its
 * deployment is an ECS-managed move's load balancer change (ownerDeploys).
 */
export const DEPLOY_WAIT_WHY = 'AWS moves a service from the rolling strategy to blue/green, linear or canary only once a completed rolling deployment has put its load balancer\'s advancedConfiguration in place (Amazon ECS Developer Guide, "Update the deployment strategy from rolling update to Amazon ECS blue/green deployments")';

/** What a file of one of several deploys says about its place among them; nothing for a service with one deploy. */
export function deployNote(unit: ExportUnit, index: number, fileOf: (deploy: number) => string): string | undefined {
  const count = unit.deploys.length;
  if (count < 2) return undefined;
  const previous = index > 0 ? ` Deploy it only once deploy ${index} (${fileOf(index - 1)}) has completed its deployment; deploy ${index}'s changes stay.` : '';
  const next = index + 1 < count ? ` Wait until the deployment it starts has completed before deploy ${index + 2} (${fileOf(index + 1)}): ${DEPLOY_WAIT_WHY}.` : '';
  return `Deploy ${index + 1} of ${count} of ${unit.label}.${previous}${next}`;
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
