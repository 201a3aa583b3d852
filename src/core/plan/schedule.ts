// When each service of a plan may move: what runs once for everyone first
// (mesh and Cloud Map resources, harmless before any service moves), then
// each service as soon as its own servers' deployments completed, at most N
// in flight as a sliding window, the longest remaining chain first; the
// deletions last. apply, rollback and finalize plans all go through it. Pure.
import type { Plan, PlanStep } from './model.js';

/**
 * Services moving at once unless --max-in-flight says otherwise. A fault every
 * new revision shares (an agent that cannot start, a role it cannot assume)
 * stops new starts at the first failure, with at most this many services
 * mid-deployment; ten deployments' new tasks (200% of up to five tasks each)
 * fit Fargate's task launch burst of 100 (Amazon ECS Developer Guide, "AWS
 * Fargate throttling quotas"), and one DescribeServices call (10 services)
 * per cluster looks at all of them.
 */
export const DEFAULT_MAX_IN_FLIGHT = 10;

export interface ServiceMove {
  /** cluster/service */
  label: string;
  steps: PlanStep[];
  /** Steps that wait for the service's deployment: deregistering the revision a rollback left. */
  afterRollout: PlanStep[];
  /** The services whose deployments must complete before this one starts (servers before clients). */
  servers: string[];
  /** The moves on the longest chain of clients from this one, itself included: what critical path first compares. */
  chain: number;
}

export interface PlanSchedule {
  shared: PlanStep[];
  /** In the order they start when free to: the longest chain first, then the plan's order. */
  moves: ServiceMove[];
  after: PlanStep[];
}

export interface ScheduleState {
  completed: ReadonlySet<string>;
  inFlight: ReadonlySet<string>;
  /** Settled without completing (failed, refused, vanished): their clients never start. */
  failed: ReadonlySet<string>;
}

/**
 * Steps that move one service: its task definition, its update (or green
 * twin and its scaling), the load-balancer weights for it, and for a
 * rollback the removal of its green twin, that twin's scaling and target group.
 */
function perService(s: PlanStep): boolean {
  if (s.service === 'ecs') return ['RegisterTaskDefinition', 'UpdateService', 'CreateService'].includes(s.operation) || (s.operation === 'DeleteService' && !!s.ecsService);
  if (s.service === 'elbv2') return s.operation.startsWith('Modify') || (s.operation === 'DeleteTargetGroup' && !!s.ecsService);
  // A green twin's scaling and its alarms are made (and, in a rollback, removed) with the twin.
  if (s.service === 'application-autoscaling' || s.service === 'cloudwatch') return !!s.ecsService;
  return false;
}

/** A revision is deregistered once its service's deployment completed, so a failed one can still go back to it. */
const afterRollout = (s: PlanStep) => s.service === 'ecs' && s.operation === 'DeregisterTaskDefinition';

/**
 * Deletions of mesh and Cloud Map resources wait until every service moved.
 * A used Route 53 association authorization is not a resource services
 * need: it goes with the shared steps, right after its association.
 */
const isDeletion = (s: PlanStep) => s.operation.startsWith('Delete') && !perService(s) && s.operation !== 'DeleteVPCAssociationAuthorization';

/** Each move's longest chain of clients, itself included; a cycle between services cannot be scheduled (planners emit none). */
function chains(moves: Omit<ServiceMove, 'chain'>[]): Map<string, number> {
  const clients = new Map(moves.map((m) => [m.label, moves.filter((c) => c.servers.includes(m.label)).map((c) => c.label)]));
  const chain = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (label: string): number => {
    const known = chain.get(label);
    if (known !== undefined) return known;
    if (visiting.has(label)) throw new Error(`the plan's services wait for each other in a cycle through ${label}: no order can move them`);
    visiting.add(label);
    const length = 1 + Math.max(0, ...clients.get(label)!.map(visit));
    visiting.delete(label);
    chain.set(label, length);
    return length;
  };
  for (const m of moves) visit(m.label);
  return chain;
}

/** The plan's shared steps, its service moves in start priority, and its deletions. */
export function schedulePlan(plan: Plan): PlanSchedule {
  const shared = plan.steps.filter((s) => !perService(s) && !isDeletion(s) && !afterRollout(s));
  const after = plan.steps.filter(isDeletion);
  const labels = plan.services
    .map((s) => `${s.cluster}/${s.service}`)
    .filter((label) => plan.steps.some((s) => s.ecsService === label && (perService(s) || afterRollout(s))));
  const ownerOf = new Map(plan.steps.filter(perService).map((s) => [s.id, s.ecsService ?? '']));
  const unranked = labels.map((label) => {
    const steps = plan.steps.filter((s) => perService(s) && s.ecsService === label);
    const servers = [...new Set(steps.flatMap((s) => s.dependsOn.map((d) => ownerOf.get(d))))].filter((o): o is string => !!o && o !== label);
    return { label, steps, afterRollout: plan.steps.filter((s) => afterRollout(s) && s.ecsService === label), servers };
  });
  const chain = chains(unranked);
  // A server's chain is longer than each of its clients', so this order also puts servers before their clients.
  const moves = unranked.map((m) => ({ ...m, chain: chain.get(m.label)! }))
    .map((m, index) => ({ m, index }))
    .sort((a, b) => b.m.chain - a.m.chain || a.index - b.index)
    .map(({ m }) => m);
  return { shared, moves, after };
}

const started = (state: ScheduleState, label: string) => state.completed.has(label) || state.inFlight.has(label) || state.failed.has(label);

/** Moves that can never start: a server of theirs (or of a server of theirs) failed. */
export function blockedMoves(moves: ServiceMove[], state: ScheduleState): Set<string> {
  const blocked = new Set<string>();
  // Servers come before their clients in `moves`, so one pass reaches every client of a failure.
  for (const m of moves) {
    if (!started(state, m.label) && m.servers.some((s) => state.failed.has(s) || blocked.has(s))) blocked.add(m.label);
  }
  return blocked;
}

/**
 * The moves to start now: every server's deployment completed, up to `cap`
 * moves in flight, the longest remaining chain first (ties in the plan's order).
 */
export function startNow(moves: ServiceMove[], state: ScheduleState, cap: number): string[] {
  const free = cap - state.inFlight.size;
  if (free <= 0) return [];
  return moves
    .filter((m) => !started(state, m.label) && m.servers.every((s) => state.completed.has(s)))
    .slice(0, free)
    .map((m) => m.label);
}

/** The moves not started yet that still can, each with the servers it waits on (none: it waits for a free slot). */
export function waitingMoves(moves: ServiceMove[], state: ScheduleState): { label: string; on: string[] }[] {
  const blocked = blockedMoves(moves, state);
  return moves
    .filter((m) => !started(state, m.label) && !blocked.has(m.label))
    .map((m) => ({ label: m.label, on: m.servers.filter((s) => !state.completed.has(s)) }));
}
