// meshctl status: where an apply or rollback stands, from its journal (in
// the state, local or shared) and a fresh look at the services (for --no-wait
// applies and CI); --watch refreshes until everything settled.
import type { Journal } from '../apply/journal.js';
import { journalFor, type RunState } from '../apply/open-state.js';
import { toService } from '../aws/read-estate.js';
import { chunks } from '../aws/batch.js';
import { accountOfArn, callerFor } from '../aws/accounts.js';
import type { AwsSession } from '../aws/session.js';
import { openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { describeHolder, inState, locationOf, lockName, type LockRecord, type StateRef } from '../core/state.js';
import { table } from '../render/table.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { serviceDeploymentOutcome } from '../core/service-deployment.js';
import { requireJournalScope } from './journal-scope.js';

export interface StatusOptions extends GlobalOptions {
  journal?: string;
  /** Refresh until every deployment settled and no run holds the journal. */
  watch?: boolean;
  pollInterval: string;
  waitTimeout: string;
}

interface ServiceStatus {
  service: string;
  state: string;
  steps: string;
  revision: string;
  running: string;
  rollout: string;
  message?: string;
  /** ECS-managed moves: where ECS's deployment stands. */
  deployment?: { arn: string; status: string; stage?: string; trafficOnNewRevision: number; inProgress: boolean; reason?: string };
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

/** The journal as the state holds it now, and a fresh look at its services; `first`: its region and account are checked. */
async function readSnapshot(session: AwsSession, state: RunState, options: StatusOptions, first = false): Promise<Snapshot> {
  const loaded = await journalFor(state, options.journal, 'any');
  if (!loaded) throw new UsageError(`no journal ${inState(state.home)}: status reports on an apply or rollback ${state.home.kind === 'local' ? 'run from this directory' : 'recorded there'}, or pass --journal FILE`);
  const { journal } = loaded;
  const path = locationOf(loaded.ref);
  if (first) await requireJournalScope(path, journal, session);
  const lock = await readLock(loaded.ref);
  const entries = Object.entries(journal.services);
  // The service whose deployment apply watches: the green twin for blue-green moves.
  const watched = entries.map(([label, s]) => ({ label, cluster: s.cluster, name: s.greenService ?? s.service, account: s.account ?? accountOfArn(s.serviceArn) }));
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

  const rows: ServiceStatus[] = entries.map(([label, s], i) => {
    const stepStates = Object.entries(journal.steps).filter(([id]) => id.endsWith(`:${label}`) || id.includes(`:${label}:`)).map(([, st]) => st.status);
    const count = (status: string) => stepStates.filter((x) => x === status).length;
    const raw = live.get(`${watched[i]!.cluster}/${watched[i]!.name}`);
    const service = raw ? toService(raw, s.cluster) : undefined;
    const primary = service?.deployments.find((d) => d.status === 'PRIMARY');
    const d = s.serviceDeployment ? deployments.get(s.serviceDeployment) : undefined;
    const outcome = d && serviceDeploymentOutcome(d);
    const deployment = d && outcome ? {
      arn: s.serviceDeployment!, status: String(d.status), ...(d.lifecycleStage && { stage: String(d.lifecycleStage) }),
      trafficOnNewRevision: Number(d.targetServiceRevision?.requestedProductionTrafficWeight ?? (outcome.state === 'completed' ? 100 : 0)),
      inProgress: outcome.state === 'in-progress',
      ...(outcome.state === 'failed' && { reason: outcome.reason }),
    } : undefined;
    return {
      service: label + (s.greenService ? ` (green ${s.greenService})` : ''),
      state: s.state,
      steps: `${count('done')}/${stepStates.length} done${count('failed') > 0 ? `, ${count('failed')} failed` : ''}${count('running') > 0 ? `, ${count('running')} interrupted` : ''}`,
      revision: `${s.previousTaskDefinition.split('/').pop()} → ${(service?.taskDefinitionArn ?? s.newTaskDefinition ?? '-').split('/').pop()}`,
      running: service ? `${service.runningCount}/${service.desiredCount}` : 'gone',
      rollout: deployment ? `${s.cutover} ${deployment.status}${deployment.stage && outcome?.state === 'in-progress' ? ` ${deployment.stage}` : ''}, ${deployment.trafficOnNewRevision}% traffic on new revision` : primary?.rolloutState ?? '-',
      ...(s.message && { message: s.message }),
      ...(deployment && { deployment }),
    };
  });
  return { path, journal, rows, ...(lock && { lock }) };
}

function renderJson({ path, journal, rows, lock }: Snapshot): string {
  return JSON.stringify({
    journal: path, kind: journal.finalizes !== undefined ? 'finalize' : journal.undoes === undefined ? 'apply' : 'rollback', ...(journal.undoes && { undoes: journal.undoes }), ...(journal.pendingRollback && { pendingRollback: journal.pendingRollback }), ...(journal.shift && { shift: journal.shift }),
    ...(lock && { lock }),
    planFingerprint: journal.planFingerprint, startedAt: journal.startedAt, updatedAt: journal.updatedAt, services: rows, created: journal.created.length,
  }, null, 2);
}

function renderText({ path, journal, rows, lock }: Snapshot): string {
  return [
    `${journal.finalizes !== undefined ? `finalize of ${journal.finalizes}` : journal.undoes === undefined ? 'apply' : `rollback${journal.undoes ? ` of ${journal.undoes}` : ''}`} · journal ${path} · plan ${journal.planFingerprint.slice(0, 19)}… · started ${journal.startedAt} · updated ${journal.updatedAt}`,
    ...(lock ? [`locked by ${describeHolder(lock)}: lock ${lock.id}; if that run is gone, free it with meshctl unlock ${lock.id}`] : []),
    ...(journal.pendingRollback ? [`an interrupted rollback (${journal.pendingRollback}): finish it with meshctl rollback --journal ${path}`] : []),
    ...(journal.shift ? [`traffic: green at ${journal.shift.weight}% since ${journal.shift.since} (shift ${journal.shift.state}${journal.shift.reason ? `: ${journal.shift.reason}` : ''})`] : []), '',
    table(['service', 'state', 'steps', 'revision', 'running', 'rollout'], rows.map((r) => [r.service, r.state, r.steps, r.revision, r.running, r.rollout])),
    ...rows.filter((r) => r.message).map((r) => `  ${r.service}: ${r.message}`),
    ...rows.filter((r) => r.deployment?.reason && r.deployment.reason !== r.message).map((r) => `  ${r.service}: ${r.deployment!.reason}`),
  ].join('\n');
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
        if (text !== shown) writeOut(`${shown ? '\n' : ''}${new Date().toISOString()}\n${text}`);
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
  writeOut(options.output === 'json' ? renderJson(snapshot) : `${options.watch ? `\n${new Date().toISOString()} settled\n` : ''}${renderText(snapshot)}`);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}
