// Applies a plan: shared mesh resources first, then each service — register,
// update, wait — as soon as its servers' deployments completed, at most
// --max-in-flight at a time (src/core/plan/schedule.ts says which); a failure
// stops new starts while the services in flight finish. Deletions last.
import pLimit from 'p-limit';
import { accountOfArn, callerFor, type AccountSession } from '../aws/accounts.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import { readPerAccount } from '../aws/read-accounts.js';
import type { Estate, TaskDefinition } from '../core/estate.js';
import { REDACTED } from '../core/redact.js';
import type { Plan, PlanStep } from '../core/plan/model.js';
import { schedulePlan, startNow, waitingMoves, type ServiceMove } from '../core/plan/schedule.js';
import { createDeploymentWatch, type DeploymentWatch } from './deployment-watch.js';
import { runSteps, type ExecutionContext, type StepFailure } from './executor.js';
import type { Journal, JournalService, JournalStore } from './journal.js';
import type { RolloutProgress, RolloutResult } from './wait.js';

export interface ApplyOptions {
  concurrency: number;
  /** Services whose move (steps and awaited deployment) runs at once. */
  maxInFlight: number;
  wait: boolean;
  timeoutMs: number;
  pollMs: number;
}

export interface ApplyHooks {
  onStep?: (step: PlanStep, status: 'start' | 'done' | 'adopted' | 'failed', detail?: string) => void;
  onWait?: (step: PlanStep, line: string) => void;
  /** Each time the run waits for a move to end: the services in flight and those waiting, with the servers each waits on (none: a free slot). */
  onSchedule?: (view: ScheduleView) => void;
  onProgress?: (progress: RolloutProgress[]) => void;
  /** A service's awaited deployment ended. */
  onRollout?: (result: RolloutResult) => void;
}

export interface ApplyReport {
  failures: StepFailure[];
  rollouts: RolloutResult[];
  /** Services not touched because rollback could not bring them back (their current revision was deregistered). */
  refused: { label: string; reason: string }[];
  /** Services never started: a failure stopped new starts, or a service they wait for did not complete. */
  notStarted: string[];
}

export interface ScheduleView {
  inFlight: string[];
  waiting: { label: string; on: string[] }[];
}

export function isVanished(error: unknown): boolean {
  return error instanceof AwsCallError && /ServiceNotFoundException|ServiceNotActiveException|ClusterNotFoundException/.test(error.code);
}

/** Journal entries for every service the plan changes: what rollback restores. */
export function journalServices(plan: Plan, estate: Estate): JournalStore['journal']['services'] {
  const services: JournalStore['journal']['services'] = {};
  for (const planned of plan.services.filter((s) => s.status === 'change')) {
    const service = estate.clusters.find((c) => c.name === planned.cluster)?.services.find((s) => s.name === planned.service);
    if (!service) continue;
    services[`${planned.cluster}/${planned.service}`] = {
      cluster: planned.cluster,
      service: planned.service,
      serviceArn: service.arn,
      account: accountOfArn(service.arn),
      previousTaskDefinition: service.taskDefinitionArn,
      previousServiceRegistries: service.serviceRegistries,
      ...(service.serviceConnect && { previousServiceConnect: service.serviceConnect }),
      // An ECS-managed move changes the strategy and the load balancers too: rollback puts them back.
      ...(planned.serviceConnect?.strategy.startsWith('ecs-') && {
        cutover: planned.serviceConnect.strategy, previousDeploymentConfiguration: service.settings?.deploymentConfiguration ?? {}, previousLoadBalancers: service.loadBalancers,
      }),
      state: 'pending',
    };
  }
  return services;
}

/** What moving the services needs beside the executor: where to report, the deployment watch, the revisions read so far. */
interface MoveRun {
  accounts: AccountSession[];
  plan: Plan;
  store: JournalStore;
  ctx: ExecutionContext;
  watch: DeploymentWatch;
  report: ApplyReport;
  hooks: ApplyHooks;
  /** Revisions described this run: a revision several services share is read once. */
  revisions: Map<string, TaskDefinition | undefined>;
}

/**
 * The revision a service must be able to run once its move is done or
 * undone: for a migration, the one it runs now (what rollback goes back to);
 * for a rollback, the one it goes back to. ECS cannot point a service at an
 * INACTIVE revision (Amazon ECS API Reference, UpdateService taskDefinition),
 * so a deregistered one makes the move a one-way door.
 */
function revisionNeeded(plan: Plan, move: ServiceMove, entry: JournalService): string | undefined {
  if (!plan.rollback) return entry.previousTaskDefinition;
  const update = move.steps.find((s) => s.operation === 'UpdateService');
  return typeof update?.input.taskDefinition === 'string' ? update.input.taskDefinition : undefined;
}

/** Each revision described once: its status, and its content where a registration must take masked values back from it. */
export async function describeRevisions(aws: AwsCaller, arns: string[]): Promise<Map<string, TaskDefinition | undefined>> {
  const unique = [...new Set(arns)].sort();
  const described = await Promise.all(unique.map(async (arn) => {
    const td = await aws.call<{ taskDefinition?: TaskDefinition }>('ecs', 'DescribeTaskDefinition', { taskDefinition: arn })
      .then((out) => out.taskDefinition)
      .catch((error: unknown) => { if (error instanceof AwsCallError && /ClientException|NotFound/.test(error.code)) return undefined; throw error; });
    return [arn, td] as const;
  }));
  return new Map(described);
}

type Refusal = { label: string; reason: string };
type NeededRevision = { label: string; revision: string };

/** The revision each of these services needs, for the services none of whose steps ran yet. */
function neededRevisions(plan: Plan, moves: ServiceMove[], journal: Journal): NeededRevision[] {
  const touched = (move: ServiceMove) => move.steps.some((s) => journal.steps[s.id]?.status === 'done');
  return moves
    .map((move) => ({ label: move.label, revision: journal.services[move.label] && revisionNeeded(plan, move, journal.services[move.label]!), touched: touched(move) }))
    .filter((s): s is NeededRevision & { touched: boolean } => !!s.revision && !s.touched)
    .map(({ label, revision }) => ({ label, revision }));
}

/** Services whose needed revision is no longer ACTIVE, and why apply refuses them. */
function refusals(plan: Plan, needed: NeededRevision[], revisions: Map<string, TaskDefinition | undefined>): Refusal[] {
  return needed.flatMap(({ label, revision }) => {
    const status = revisions.get(revision)?.status ?? 'MISSING';
    if (status === 'ACTIVE') return [];
    const state = status === 'MISSING' ? 'gone' : 'INACTIVE';
    return [{
      label,
      reason: plan.rollback
        ? `not rolled back: the revision to go back to, ${revision.split('/').pop()}, is ${state} (deregistered after the rollback was planned); register it again or roll back with --to-revision N to an ACTIVE one`
        : `not moved: its current revision ${revision.split('/').pop()} is ${state} (deregistered after planning), so rollback could not bring it back; register that revision again (or point the service at an ACTIVE one) and plan again`,
    }];
  });
}

const readRevisions = (accounts: AccountSession[], arns: string[]) => readPerAccount(accounts, arns, accountOfArn, describeRevisions,
  (parts) => new Map(parts.flatMap((m) => [...m])));

/**
 * Just before services start: the revisions they need, read fresh (once
 * each in the run). Services whose needed revision was deregistered since the
 * plan are refused (the services none of whose steps ran yet; the others go
 * on), and the source revisions of registrations holding masked values are
 * handed to the executor.
 */
async function prepareMoves(run: MoveRun, moves: ServiceMove[]): Promise<Refusal[]> {
  const { plan, store } = run;
  const needed = neededRevisions(plan, moves, store.journal);
  const masked = moves.flatMap((m) => m.steps)
    .filter((s) => s.operation === 'RegisterTaskDefinition' && s.sourceTaskDefinition && store.journal.steps[s.id]?.status !== 'done' && JSON.stringify(s.input).includes(REDACTED))
    .map((s) => s.sourceTaskDefinition!);
  const unread = [...new Set([...needed.map((n) => n.revision), ...masked])].filter((arn) => !run.revisions.has(arn));
  if (unread.length > 0) for (const [arn, td] of await readRevisions(run.accounts, unread)) run.revisions.set(arn, td);
  for (const arn of masked) {
    const td = run.revisions.get(arn);
    if (td) run.ctx.sourceTaskDefinitions[arn] = td;
  }
  return refusals(plan, needed, run.revisions);
}

/** For a dry run: the services apply would refuse, by the same check it makes before each service starts, over every service at once. */
export async function refusalsOfDryRun(accounts: AccountSession[], plan: Plan, journal: Journal): Promise<Refusal[]> {
  const needed = neededRevisions(plan, schedulePlan(plan).moves, journal);
  return refusals(plan, needed, await readRevisions(accounts, needed.map((n) => n.revision)));
}

/** Waits for the deployment the service's steps started (unless it is already stable), and journals how it ended. */
async function awaitRollout(run: MoveRun, move: ServiceMove): Promise<RolloutResult | undefined> {
  const entry = run.store.journal.services[move.label];
  if (!entry?.newTaskDefinition || entry.state === 'stable') return undefined;
  // An ECS-managed move is followed through its service deployment once its moving step ran.
  const managed = !!entry.cutover && run.store.journal.steps[`ecs-service:${move.label}`]?.status === 'done';
  const where = { label: move.label, cluster: entry.cluster, service: entry.greenService ?? entry.service, account: accountOfArn(entry.serviceArn) };
  const result = await run.watch.watch(managed
    ? { kind: 'service-deployment', ...where, expect: 'forward', ...(entry.serviceDeployment && { arn: entry.serviceDeployment }) }
    : { kind: 'rollout', ...where, taskDefinition: entry.newTaskDefinition });
  Object.assign(entry, result.outcome === 'completed' ? { state: 'stable' } : { state: 'failed', message: result.reason });
  await run.store.save();
  return result;
}

/**
 * One service's move: its steps, its deployment where awaited, then the
 * revisions it leaves behind (kept when it failed, to go back to). A service
 * deleted under us is reported without stopping the others.
 */
async function moveService(run: MoveRun, move: ServiceMove, awaited: boolean): Promise<'completed' | 'failed' | 'vanished'> {
  const failures = await runSteps(move.steps, run.ctx);
  run.report.failures.push(...failures);
  const rollout = awaited ? await awaitRollout(run, move) : undefined;
  if (rollout) {
    run.report.rollouts.push(rollout);
    run.hooks.onRollout?.(rollout);
  }
  if (move.afterRollout.length > 0 && failures.length === 0 && (!rollout || rollout.outcome === 'completed')) run.report.failures.push(...await runSteps(move.afterRollout, run.ctx));
  if (failures.some((f) => !isVanished(f.error)) || (rollout && rollout.outcome !== 'completed' && rollout.outcome !== 'vanished')) return 'failed';
  return failures.length > 0 ? 'vanished' : 'completed';
}

/**
 * Moves the services as the schedule allows, at most `cap` in flight. A
 * failure stops new starts; the moves in flight finish and are reported. An
 * unexpected error (a journal that cannot be saved) is thrown once they did.
 * Says whether the run was stopped.
 */
async function runMoves(run: MoveRun, moves: ServiceMove[], options: ApplyOptions): Promise<boolean> {
  const completed = new Set<string>();
  const failed = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  let stopped = false;
  let fatal: { error: unknown } | undefined;
  const state = () => ({ completed, failed, inFlight: new Set(inFlight.keys()) });
  const settle = (label: string, outcome: 'completed' | 'failed' | 'vanished' | { error: unknown }) => {
    inFlight.delete(label);
    (outcome === 'completed' ? completed : failed).add(label);
    if (outcome === 'failed' || typeof outcome === 'object') stopped = true;
    if (typeof outcome === 'object') fatal ??= outcome;
  };
  // Clients resolve their servers only once the servers' deployments completed (AWS): a server's is awaited even with --no-wait.
  const awaited = (move: ServiceMove) => options.wait || moves.some((m) => m.servers.includes(move.label));
  const byLabel = new Map(moves.map((m) => [m.label, m]));
  const show = () => run.hooks.onSchedule?.({ inFlight: [...inFlight.keys()], waiting: waitingMoves(moves, state()) });
  for (;;) {
    const starting = stopped ? [] : startNow(moves, state(), options.maxInFlight).map((label) => byLabel.get(label)!);
    if (starting.length > 0) {
      const refused = await prepareMoves(run, starting).catch((error: unknown) => {
        for (const m of starting) settle(m.label, { error });
        return [];
      });
      for (const r of refused) {
        Object.assign(run.store.journal.services[r.label] ?? {}, { state: 'failed', message: r.reason });
        failed.add(r.label);
      }
      run.report.refused.push(...refused);
      // A failure while the revisions were read stops these starts too.
      for (const move of starting.filter((m) => !failed.has(m.label) && !stopped)) {
        inFlight.set(move.label, moveService(run, move, awaited(move)).then((outcome) => settle(move.label, outcome), (error: unknown) => settle(move.label, { error })));
      }
      continue;
    }
    if (inFlight.size === 0) break;
    // Once everything that can start did: what runs, and what waits on what.
    show();
    await Promise.race(inFlight.values());
  }
  if (fatal) throw fatal.error;
  run.report.notStarted = moves.filter((m) => !completed.has(m.label) && !failed.has(m.label)).map((m) => m.label);
  return stopped;
}

export async function applyPlan(accounts: AccountSession[], plan: Plan, estate: Estate, store: JournalStore, options: ApplyOptions, hooks: ApplyHooks = {}): Promise<ApplyReport> {
  const callerOf = (account: string | undefined) => callerFor(accounts, account);
  const deploymentWait = { timeoutMs: options.timeoutMs, pollMs: options.pollMs, onProgress: hooks.onProgress };
  // Every service's deployment is polled in the same calls, and every step shares one limit of --concurrency operations.
  const watch = createDeploymentWatch(callerOf, deploymentWait);
  const ctx: ExecutionContext = {
    callerOf, plan, store, outputs: new Map<string, unknown>(), sourceTaskDefinitions: { ...estate.taskDefinitions }, concurrency: options.concurrency, limit: pLimit(options.concurrency),
    onStep: hooks.onStep, onWait: hooks.onWait, deploymentWait, watch,
  };
  const { shared, moves, after } = schedulePlan(plan);
  const report: ApplyReport = { failures: [], rollouts: [], refused: [], notStarted: [] };

  report.failures.push(...await runSteps(shared, ctx));
  if (report.failures.length > 0) {
    report.notStarted = moves.map((m) => m.label);
    return report;
  }
  const stopped = await runMoves({ accounts, plan, store, ctx, watch, report, hooks, revisions: new Map() }, moves, options);
  if (!stopped) report.failures.push(...await runSteps(after, ctx));
  return report;
}
