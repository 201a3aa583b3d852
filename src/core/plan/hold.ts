// Services that infrastructure code owns are held: their steps leave the
// steps apply runs and are kept in the plan as `held`, with why, so the owner
// can carry exactly that change (plan --export) and nothing is done to them.
// A service whose move waits for a held one (servers before clients: its
// step dependsOn the server's) is held too: apply cannot run a step whose
// dependency it does not run.
import type { Estate } from '../estate.js';
import { describeOwner, nextDeploy, serviceOwner, type OwnerRules, type ServiceOwner } from '../owner.js';
import { keysChangedBy } from './drift.js';
import { sealPlan } from './fingerprint.js';
import type { HeldService, ObservedState, Plan, PlanStep } from './model.js';

const labelOf = (s: { cluster: string; service: string }) => `${s.cluster}/${s.service}`;

/** The owner of every planned service that has one, by cluster/service. */
export function ownersOfPlan(plan: Plan, estate: Estate, rules: OwnerRules): Map<string, ServiceOwner> {
  const owners = new Map<string, ServiceOwner>();
  for (const cluster of estate.clusters) {
    for (const service of cluster.services) {
      const label = `${cluster.name}/${service.name}`;
      if (!plan.services.some((s) => labelOf(s) === label)) continue;
      const owner = serviceOwner(service, estate.taskDefinitions[service.taskDefinitionArn], rules);
      if (owner) owners.set(label, owner);
    }
  }
  return owners;
}

/** Steps held: every step of a held service, and every step that depends on a held step (its service held with it). */
function holdSteps(plan: Plan, held: Map<string, HeldService>): Set<string> {
  const steps = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const step of plan.steps) {
      if (steps.has(step.id)) continue;
      const heldDependencies = step.dependsOn.filter((d) => steps.has(d));
      if (!(step.ecsService && held.has(step.ecsService)) && heldDependencies.length === 0) continue;
      steps.add(step.id);
      changed = true;
      if (!step.ecsService || held.has(step.ecsService)) continue;
      const servers = [...new Set(heldDependencies.map((d) => plan.steps.find((s) => s.id === d)!.ecsService).filter((s): s is string => !!s))].sort();
      const planned = plan.services.find((s) => labelOf(s) === step.ecsService);
      held.set(step.ecsService, {
        cluster: planned?.cluster ?? step.ecsService.split('/')[0]!, service: planned?.service ?? step.ecsService.split('/')[1]!,
        ...(planned?.account && { account: planned.account }),
        waitsFor: servers,
        reason: `its move waits for ${servers.join(', ')}, held (servers before clients: a client moved first could not reach them by their new names); plan again once they have moved`,
      });
    }
  }
  // What runs once for everyone (a mesh, a namespace, cluster defaults) is held when apply moves no service
  // at all, or when only held steps depend on it (Service Connect services name their namespace, they do not depend on its step).
  if (plan.steps.every((s) => !s.ecsService || steps.has(s.id))) {
    for (const step of plan.steps) steps.add(step.id);
    return steps;
  }
  const needed = new Set<string>();
  const need = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const d of plan.steps.find((s) => s.id === id)?.dependsOn ?? []) need(d);
  };
  for (const step of plan.steps) if (!steps.has(step.id)) need(step.id);
  for (const step of plan.steps) {
    if (!step.ecsService && !needed.has(step.id) && plan.steps.some((s) => steps.has(s.id) && s.dependsOn.includes(step.id))) steps.add(step.id);
  }
  return steps;
}

/** What apply compares no longer covers what it leaves alone: the owner deploying the held change must not make the rest stale. */
function observedWithout(plan: Plan, heldLabels: Set<string>, heldSteps: PlanStep[], kept: PlanStep[]): ObservedState {
  const keptKeys = new Set(kept.flatMap((s) => keysChangedBy(s, plan)));
  const dropped = new Set(heldSteps.flatMap((s) => keysChangedBy(s, plan)).filter((k) => !keptKeys.has(k)));
  const services = Object.fromEntries(Object.entries(plan.observed.services).filter(([arn]) => ![...heldLabels].some((label) => arn.endsWith(`/${label}`))));
  const keep = <T>(kind: string, record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([k]) => !dropped.has(`${kind}:${k}`)));
  return {
    services,
    meshResources: keep('meshResources', plan.observed.meshResources),
    cloudMap: keep('cloudMap', plan.observed.cloudMap),
    ...(plan.observed.edge && { edge: keep('edge', plan.observed.edge) }),
  };
}

/**
 * The plan with the services infrastructure code owns held (unless their
 * owner allows moves, or `allowAll`: --allow-iac-owned), every planned
 * service's owner named, sealed again. A plan holding nothing is returned
 * as it was but for the owners.
 */
export function holdOwnedServices(plan: Plan, owners: Map<string, ServiceOwner>, allowAll: boolean): Plan {
  const held = new Map<string, HeldService>();
  for (const planned of plan.services) {
    const owner = owners.get(labelOf(planned));
    if (planned.status !== 'change' || !owner || owner.allowMove || allowAll) continue;
    held.set(labelOf(planned), {
      cluster: planned.cluster, service: planned.service, ...(planned.account && { account: planned.account }), owner,
      reason: `owned by ${describeOwner(owner)}: its next deploy (${nextDeploy(owner)}) would revert the move; carry the change there (meshctl plan --export), or pass --allow-iac-owned`,
    });
  }
  const heldIds = held.size > 0 ? holdSteps(plan, held) : new Set<string>();
  const heldSteps = plan.steps.filter((s) => heldIds.has(s.id));
  const steps = plan.steps.filter((s) => !heldIds.has(s.id));
  const services = plan.services.map((s) => {
    const owner = owners.get(labelOf(s));
    return { ...s, ...(held.has(labelOf(s)) && { status: 'held' as const }), ...(owner && { owner }) };
  });
  const count = (action: PlanStep['action']) => steps.filter((s) => s.action === action).length;
  const { fingerprint: _old, ...rest } = plan;
  return sealPlan({
    ...rest,
    steps,
    services,
    ...(held.size > 0 && {
      observed: observedWithout(plan, new Set(held.keys()), heldSteps, steps),
      held: { services: [...held.values()].sort((a, b) => labelOf(a).localeCompare(labelOf(b))), steps: heldSteps },
    }),
    summary: { ...plan.summary, create: count('create'), update: count('update'), delete: count('delete'), ...(held.size > 0 && { held: held.size }) },
  });
}
