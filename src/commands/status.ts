// meshctl status: where an apply or rollback stands, from its journal (in
// the state, local or shared) and a fresh look at the services (for --no-wait
// applies and CI); --watch refreshes until everything settled.
import type { Journal, JournalService } from '../apply/journal.js';
import { journalFor, type RunState } from '../apply/open-state.js';
import { toService } from '../aws/read-estate.js';
import { chunks } from '../aws/batch.js';
import { accountOfArn, callerFor } from '../aws/accounts.js';
import type { AwsSession } from '../aws/session.js';
import { openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { writePaged } from '../cli/pager.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import type { Service } from '../core/estate.js';
import { describeHolder, inState, locationOf, lockName, type LockRecord, type StateRef } from '../core/state.js';
import { renderStatusText, type ServiceDeployment, type ServiceStatus } from '../render/status-text.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { serviceDeploymentOutcome } from '../core/service-deployment.js';
import { localTime } from '../util/local-time.js';
import { requireJournalScope } from './journal-scope.js';

export interface StatusOptions extends GlobalOptions {
  journal?: string;
  /** Refresh until every deployment settled and no run holds the journal. */
  watch?: boolean;
  pollInterval: string;
  waitTimeout: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

interface Snapshot {
  path: string;
  journal: Journal;
  rows: ServiceStatus[];
  /** The lock on the journal, while a run holds it (or a killed one left it). */
  lock?: LockRecord;
}

/** The lock on a journal, if one is there (an unreadable one, being written, counts as none yet). */
async function readLock(ref: StateRef): Promise<LockRecord | undefined> {
  const text = (await ref.state.read(lockName(ref.name)))?.text;
  try {
    return text ? (JSON.parse(text) as LockRecord) : undefined;
  } catch {
    return undefined;
  }
}

const short = (arn: string | undefined) => (arn ? arn.split('/').pop()! : null);

/** ECS-managed moves: where ECS's deployment stands (DescribeServiceDeployments). */
function deploymentStatus(entry: JournalService, d: Raw | undefined): ServiceDeployment | undefined {
  const outcome = d && serviceDeploymentOutcome(d);
  if (!d || !outcome) return undefined;
  return {
    arn: entry.serviceDeployment!, strategy: entry.cutover ?? 'ecs', status: String(d.status), ...(d.lifecycleStage && { stage: String(d.lifecycleStage) }),
    trafficOnNewRevision: Number(d.targetServiceRevision?.requestedProductionTrafficWeight ?? (outcome.state === 'completed' ? 100 : 0)),
    inProgress: outcome.state === 'in-progress',
    ...(outcome.state === 'failed' && { reason: outcome.reason }),
  };
}

/** One service's row: typed, for JSON; the text table is made from it. */
function serviceStatus(label: string, entry: JournalService, journal: Journal, live: Service | undefined, deployment: Raw | undefined): ServiceStatus {
  const stepStates = Object.entries(journal.steps).filter(([id]) => id.endsWith(`:${label}`) || id.includes(`:${label}:`)).map(([, st]) => st.status);
  const count = (status: string) => stepStates.filter((x) => x === status).length;
  const followed = deploymentStatus(entry, deployment);
  return {
    service: label,
    ...(entry.greenService && { greenService: entry.greenService }),
    state: entry.state,
    steps: { done: count('done'), total: stepStates.length, failed: count('failed'), interrupted: count('running') },
    revision: { from: short(entry.previousTaskDefinition)!, to: short(entry.newTaskDefinition), running: short(live?.taskDefinitionArn) },
    running: live ? live.runningCount : null,
    desired: live ? live.desiredCount : null,
    rollout: live?.deployments.find((d) => d.status === 'PRIMARY')?.rolloutState ?? null,
    ...(entry.message && { message: entry.message }),
    ...(followed && { deployment: followed }),
  };
}

/** Blue-green pairs still in the journal with no traffic moved yet: shift has not run. */
const awaitingShift = (journal: Journal) => !journal.shift && Object.values(journal.services).some((s) => s.greenService && s.state !== 'rolled-back' && s.state !== 'finalized');

/** The journal as the state holds it now, and a fresh look at its services; `first`: its region and account are checked. */
async function readSnapshot(session: AwsSession, state: RunState, options: StatusOptions, first = false): Promise<Snapshot> {
  const loaded = await journalFor(state, options.journal, 'any');
  if (!loaded) throw new UsageError(`no journal ${inState(state.home)}: status reports on an apply or rollback ${state.home.kind === 'local' ? 'run from this directory' : 'recorded there'}, or pass --journal FILE`);
  const { journal } = loaded;
  const path = locationOf(loaded.ref);
  if (first) await requireJournalScope(path, journal, session);
  const lock = await readLock(loaded.ref);
  const entries = Object.entries(journal.services);
  // The service whose deployment apply watches: the green twin for blue-green moves (blue again once rolled back).
  const watched = entries.map(([label, s]) => ({ label, cluster: s.cluster, name: s.greenService && s.state !== 'rolled-back' ? s.greenService : s.service, account: s.account ?? accountOfArn(s.serviceArn) }));
  const live = new Map<string, Raw>();
  // Each cluster is read in its account (the journal records it).
  const byCluster = new Map<string, { account: string; names: string[] }>();
  for (const w of watched) byCluster.set(w.cluster, { account: w.account, names: [...(byCluster.get(w.cluster)?.names ?? []), w.name] });
  await Promise.all([...byCluster.entries()].flatMap(([cluster, { account, names }]) => chunks(names, 10).map(async (batch) => {
    const aws = callerFor(session.accounts, session.accounts.length > 1 ? account : undefined);
    const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster, services: batch });
    for (const raw of (out.services ?? []) as Raw[]) if (raw.status !== 'INACTIVE') live.set(`${cluster}/${raw.serviceName}`, raw);
  })));

  // ECS-managed moves: their service deployments, 20 per call, each in its service's account.
  const deployments = new Map<string, Raw>();
  const followed = entries.filter(([, s]) => s.serviceDeployment);
  await Promise.all(chunks(followed, 20).map(async (batch) => {
    const aws = callerFor(session.accounts, session.accounts.length > 1 ? batch[0]![1].account : undefined);
    const out = await aws.call<Raw>('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: batch.map(([, s]) => s.serviceDeployment!) });
    for (const d of (out.serviceDeployments ?? []) as Raw[]) deployments.set(d.serviceDeploymentArn, d);
  }));

  const rows = entries.map(([label, s], i) => {
    const raw = live.get(`${watched[i]!.cluster}/${watched[i]!.name}`);
    return serviceStatus(label, s, journal, raw ? toService(raw, s.cluster) : undefined, s.serviceDeployment ? deployments.get(s.serviceDeployment) : undefined);
  });
  return { path, journal, rows, ...(lock && { lock }) };
}

function renderJson({ path, journal, rows, lock }: Snapshot): string {
  const shift = journal.shift ?? (awaitingShift(journal) ? { weight: 0, state: 'not started' } : undefined);
  return JSON.stringify({
    journal: path, kind: journal.finalizes !== undefined ? 'finalize' : journal.undoes === undefined ? 'apply' : 'rollback', ...(journal.undoes && { undoes: journal.undoes }), ...(journal.pendingRollback && { pendingRollback: journal.pendingRollback }),
    ...(journal.rolledBackBy && { rolledBackBy: journal.rolledBackBy }), ...(shift && { shift }),
    ...(lock && { lock }),
    planFingerprint: journal.planFingerprint, startedAt: journal.startedAt, updatedAt: journal.updatedAt, services: rows, created: journal.created.length,
  }, null, 2);
}

function renderText({ path, journal, rows, lock }: Snapshot): string {
  return renderStatusText(path, journal, rows, {
    awaitingShift: awaitingShift(journal),
    ...(lock && { lock: `locked by ${describeHolder(lock)}: lock ${lock.id}; if that run is gone, free it with meshctl unlock ${lock.id}` }),
  });
}

/** A deployment still rolling out: ECS's rolling one, or an ECS-managed (canary, linear, blue/green) one. */
const rolling = (r: ServiceStatus) => r.rollout === 'IN_PROGRESS' || r.deployment?.inProgress === true;

/** Settled: no run holds the journal and no deployment is still rolling out (ecspresso's `wait`, for every service). */
const settled = (snapshot: Snapshot) => !snapshot.lock && !snapshot.rows.some(rolling);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runStatus(options: StatusOptions): Promise<number> {
  const pollMs = parsePollInterval(options.pollInterval);
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const session = await openAws(options, { allowMutations: false });
  const state = await openRunState(options, session);
  let snapshot = await readSnapshot(session, state, options, true);
  if (options.watch) {
    // Each look reads the journal again from the state: another machine's run moves it on.
    const deadline = Date.now() + timeoutMs;
    let shown = '';
    while (!settled(snapshot)) {
      if (options.output !== 'json') {
        const text = renderText(snapshot);
        if (text !== shown) writeOut(`${shown ? '\n' : ''}${localTime(new Date())}\n${text}`);
        shown = text;
      }
      if (Date.now() >= deadline) {
        if (options.output === 'json') writeOut(renderJson(snapshot));
        writeErr(`still not settled after ${options.waitTimeout} (--wait-timeout): ${snapshot.lock ? `${describeHolder(snapshot.lock)} holds the journal; ` : ''}${snapshot.rows.filter(rolling).map((r) => `${r.service} rolling out`).join(', ') || 'no deployment in progress'}`);
        return EXIT_FINDINGS;
      }
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
      snapshot = await readSnapshot(session, state, options);
    }
  }
  const failed = snapshot.rows.some((r) => r.state === 'failed' || r.rollout === 'FAILED' || (r.deployment?.reason !== undefined && r.state !== 'rolled-back'));
  if (options.output === 'json') writeOut(renderJson(snapshot));
  else if (options.watch) writeOut(`\n${localTime(new Date())} settled\n${renderText(snapshot)}`);
  else await writePaged(renderText(snapshot), options);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}
