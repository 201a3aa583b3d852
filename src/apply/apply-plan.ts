// Applies a plan: shared mesh resources first, then services in waves —
// register, update, wait — stopping before the next wave when one fails.
import { accountOfArn, callerFor, type AccountSession } from '../aws/accounts.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import { readPerAccount } from '../aws/read-accounts.js';
import type { Estate, TaskDefinition } from '../core/estate.js';
import { REDACTED } from '../core/redact.js';
import type { Plan, PlanStep } from '../core/plan/model.js';
import { scheduleWaves, type Wave } from '../core/plan/waves.js';
import { runSteps, type StepFailure } from './executor.js';
import type { Journal, JournalService, JournalStore } from './journal.js';
import { waitForRollouts, type RolloutProgress, type RolloutResult, type RolloutTarget } from './wait.js';
import { waitForServiceDeployments } from './wait-deployments.js';

export interface ApplyOptions {
  concurrency: number;
  waveSize?: number;
  wait: boolean;
  timeoutMs: number;
  pollMs: number;
}

export interface ApplyHooks {
  onStep?: (step: PlanStep, status: 'start' | 'done' | 'adopted' | 'failed', detail?: string) => void;
  onWait?: (step: PlanStep, line: string) => void;
  onWave?: (index: number, total: number, services: string[]) => void;
  onProgress?: (progress: RolloutProgress[]) => void;
}

export interface ApplyReport {
  failures: StepFailure[];
  rollouts: RolloutResult[];
  /** Services not touched because rollback could not bring them back (their current revision was deregistered). */
  refused: { label: string; reason: string }[];
  /** Services of waves that did not run because an earlier wave failed. */
  notStarted: string[];
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

/**
 * The revision a service of the wave must be able to run once the wave is
 * done or undone: for a migration, the one it runs now (what rollback goes
 * back to); for a rollback, the one it goes back to. ECS cannot point a
 * service at an INACTIVE revision (Amazon ECS API Reference, UpdateService
 * taskDefinition), so a deregistered one makes the move a one-way door.
 */
function revisionNeeded(plan: Plan, wave: Wave, label: string, entry: JournalService): string | undefined {
  if (!plan.rollback) return entry.previousTaskDefinition;
  const update = wave.steps.find((s) => s.ecsService === label && s.operation === 'UpdateService');
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

/** The revision each service of the wave needs, for the services none of whose steps of the wave ran yet. */
function neededRevisions(plan: Plan, wave: Wave, journal: Journal): NeededRevision[] {
  const touched = (label: string) => wave.steps.some((s) => s.ecsService === label && journal.steps[s.id]?.status === 'done');
  return wave.services
    .map((label) => ({ label, revision: journal.services[label] && revisionNeeded(plan, wave, label, journal.services[label]!) }))
    .filter((s): s is NeededRevision => !!s.revision && !touched(s.label));
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
 * Just before a wave: the revisions it needs, read fresh, once each. Services
 * whose needed revision was deregistered since the plan are refused (the
 * services none of whose steps ran yet; the others go on), and the source
 * revisions of registrations holding masked values are handed to the executor.
 */
async function prepareWave(accounts: AccountSession[], plan: Plan, wave: Wave, store: JournalStore, sources: Record<string, TaskDefinition>): Promise<Refusal[]> {
  const needed = neededRevisions(plan, wave, store.journal);
  const masked = wave.steps
    .filter((s) => s.operation === 'RegisterTaskDefinition' && s.sourceTaskDefinition && store.journal.steps[s.id]?.status !== 'done' && JSON.stringify(s.input).includes(REDACTED))
    .map((s) => s.sourceTaskDefinition!);
  const revisions = await readRevisions(accounts, [...needed.map((p) => p.revision), ...masked]);
  for (const arn of masked) {
    const td = revisions.get(arn);
    if (td) sources[arn] = td;
  }
  return refusals(plan, needed, revisions);
}

/** For a dry run: the services apply would refuse, by the same check it makes before each wave, over every wave at once. */
export async function refusalsOfDryRun(accounts: AccountSession[], plan: Plan, journal: Journal): Promise<Refusal[]> {
  const needed = scheduleWaves(plan).waves.flatMap((wave) => neededRevisions(plan, wave, journal));
  return refusals(plan, needed, await readRevisions(accounts, needed.map((n) => n.revision)));
}

export async function applyPlan(accounts: AccountSession[], plan: Plan, estate: Estate, store: JournalStore, options: ApplyOptions, hooks: ApplyHooks = {}): Promise<ApplyReport> {
  const outputs = new Map<string, unknown>();
  const ctx = {
    callerOf: (account: string | undefined) => callerFor(accounts, account), plan, store, outputs, sourceTaskDefinitions: { ...estate.taskDefinitions }, concurrency: options.concurrency, onStep: hooks.onStep, onWait: hooks.onWait,
    deploymentWait: { timeoutMs: options.timeoutMs, pollMs: options.pollMs, onProgress: hooks.onProgress },
  };
  const { shared, waves, after } = scheduleWaves(plan, options.waveSize);
  const report: ApplyReport = { failures: [], rollouts: [], refused: [], notStarted: [] };

  report.failures.push(...await runSteps(shared, ctx));
  if (report.failures.length > 0) {
    report.notStarted = waves.flatMap((w) => w.services);
    return report;
  }
  for (const [index, wave] of waves.entries()) {
    hooks.onWave?.(index, waves.length, wave.services);
    const refused = await prepareWave(accounts, plan, wave, store, ctx.sourceTaskDefinitions);
    for (const r of refused) Object.assign(store.journal.services[r.label] ?? {}, { state: 'failed', message: r.reason });
    report.refused.push(...refused);
    const failures = await runSteps(wave.steps.filter((s) => !refused.some((r) => r.label === s.ecsService)), ctx);
    report.failures.push(...failures);
    // Clients in later waves resolve their servers only once the servers' deployments completed (AWS): wait even with --no-wait.
    const laterDependOnThis = waves.slice(index + 1).some((w) => w.steps.some((s) => s.dependsOn.some((d) => wave.steps.some((own) => own.id === d))));
    if (options.wait || laterDependOnThis) {
      const targets: (RolloutTarget & { serviceDeployment?: string; managed: boolean })[] = wave.services.flatMap((label) => {
        const journalService = store.journal.services[label];
        if (!journalService?.newTaskDefinition || store.journal.services[label]?.state === 'stable') return [];
        // An ECS-managed move is followed through its service deployment once its moving step ran.
        const managed = !!journalService.cutover && wave.steps.some((s) => s.id === `ecs-service:${label}` && store.journal.steps[s.id]?.status === 'done');
        return [{
          label, cluster: journalService.cluster, service: journalService.greenService ?? journalService.service, taskDefinition: journalService.newTaskDefinition, account: accountOfArn(journalService.serviceArn),
          managed, ...(journalService.serviceDeployment && { serviceDeployment: journalService.serviceDeployment }),
        }];
      });
      const waitOptions = { timeoutMs: options.timeoutMs, pollMs: options.pollMs, onProgress: hooks.onProgress };
      // Each account's services are watched with its own credentials.
      const rollouts = await readPerAccount(accounts, targets, (t) => t.account, async (aws, group) => {
        const [rolling, managed] = await Promise.all([
          waitForRollouts(aws, group.filter((t) => !t.managed), waitOptions),
          waitForServiceDeployments(aws, group.filter((t) => t.managed).map((t) => ({ label: t.label, cluster: t.cluster, service: t.service, expect: 'forward' as const, ...(t.serviceDeployment && { arn: t.serviceDeployment }) })), waitOptions),
        ]);
        return [...rolling, ...managed];
      }, (parts) => parts.flat());
      for (const r of rollouts) {
        Object.assign(store.journal.services[r.label]!, r.outcome === 'completed' ? { state: 'stable' } : { state: 'failed', message: r.reason });
      }
      await store.save();
      report.rollouts.push(...rollouts);
    }
    // Revisions left behind go once their service's deployment completed (or was not awaited); a failed one keeps them to go back to.
    const settled = (label: string) => !failures.some((f) => f.step.ecsService === label) && !refused.some((r) => r.label === label)
      && report.rollouts.every((r) => r.label !== label || r.outcome === 'completed');
    report.failures.push(...await runSteps(wave.afterRollout.filter((s) => settled(s.ecsService ?? '')), ctx));
    // A service deleted under us is reported, but does not stop the services after it.
    const waveFailed = failures.some((f) => !isVanished(f.error))
      || report.rollouts.some((r) => wave.services.includes(r.label) && r.outcome !== 'completed' && r.outcome !== 'vanished');
    if (waveFailed) {
      report.notStarted = waves.slice(index + 1).flatMap((w) => w.services);
      return report;
    }
  }
  report.failures.push(...await runSteps(after, ctx));
  return report;
}
