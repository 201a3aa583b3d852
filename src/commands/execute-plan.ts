// Runs a plan, a migration or a rollback, the one way: refuse it if the
// account drifted, journal it (resuming a journal a crash left), run it in
// as the schedule allows with progress, and report per service what was done and how long it
// took. apply and rollback both end here.
import chalk from 'chalk';
import { applyPlan, journalServices, refusalsOfDryRun, type ApplyReport } from '../apply/apply-plan.js';
import { JOURNAL_FORMAT_VERSION, JournalSaveError, journalName, JournalStore, openJournal, readJournal, type Journal } from '../apply/journal.js';
import { lockJournal, type HeldLock } from '../apply/journal-lock.js';
import type { RunState } from '../apply/open-state.js';
import { recordFinalize, recordRollback, refuseRolledBack } from '../apply/record-in-apply-journal.js';
import { readPlannedState } from '../aws/read-planned.js';
import { requireAccounts } from '../aws/accounts.js';
import type { AwsSession } from '../aws/session.js';
import { writeErr, writeOut } from '../cli/context.js';
import { writePaged } from '../cli/pager.js';
import { describeError, UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { onInterrupt } from '../cli/interrupt.js';
import { createProgress } from '../cli/progress.js';
import { drift, keysChangedBy, observeAgain } from '../core/plan/drift.js';
import type { Plan, PlanStep } from '../core/plan/model.js';
import { showRefs } from '../core/plan/refs.js';
import { describeHolder, locationOf, type StateRef } from '../core/state.js';
import { heldLines } from '../render/plan-text.js';
import { leftInPlaceLines } from '../render/service-steps-text.js';
import { table } from '../render/table.js';
import { ExpectedError } from '../util/expected-error.js';
import { localTime } from '../util/local-time.js';

/** The account moved since the plan was made: nothing is sent. */
export class StalePlanError extends ExpectedError {}

export interface ExecuteOptions {
  dryRun?: boolean;
  force?: boolean;
  output?: string;
  /** false with --no-pager: a dry run's long text goes through a pager on a terminal. */
  pager?: boolean;
  concurrency: number;
  /** Services moving at once (--max-in-flight). */
  maxInFlight: number;
  wait: boolean;
  timeoutMs: number;
  pollMs: number;
  /** The command that runs this plan again, to finish it after an interruption. */
  resumeWith: string;
  /** Where the plan is saved (an interrupted rollback is finished from it). */
  planFile?: string;
}

/** Planned services apply refuses without --force: the precheck errors they carry. */
export function refusedWithoutForce(plan: Plan): { service: string; rules: string[] }[] {
  return plan.services
    .filter((s) => s.status !== 'held')
    .map((s) => ({ service: `${s.cluster}/${s.service}`, rules: s.findings.filter((f) => f.severity === 'error').map((f) => f.rule) }))
    .filter((s) => s.rules.length > 0);
}

const describeStep = (st: PlanStep) => ({ id: st.id, ...(st.account && { account: st.account }), service: st.service, operation: st.operation, action: st.action, resource: st.resource, ecsService: st.ecsService, dependsOn: st.dependsOn, input: showRefs(st.input) });

/** What a dry run would do, for machines: every step, per service its revision from → to, and the services apply would refuse. */
export function dryRunResult(plan: Plan, force: boolean, refused: ApplyReport['refused'] = []): unknown {
  return {
    dryRun: true, fingerprint: plan.fingerprint, target: plan.target, ...(plan.rollback && { rollback: plan.rollback }),
    steps: plan.steps.map(describeStep),
    services: plan.services.filter((s) => s.status === 'change').map((s) => {
      const label = `${s.cluster}/${s.service}`;
      const update = plan.steps.find((st) => st.ecsService === label && st.operation === 'UpdateService');
      const from = (update?.before as { taskDefinition?: string } | undefined)?.taskDefinition;
      return { service: label, from: from?.split('/').pop() ?? null, to: s.taskDefinition.split('/').pop(), wouldDo: plan.steps.filter((st) => st.ecsService === label).map((st) => `${st.service} ${st.operation}`) };
    }),
    refusedWithoutForce: force ? [] : refusedWithoutForce(plan),
    refused: refused.map((r) => ({ service: r.label, reason: r.reason })),
    held: plan.held?.services ?? [],
  };
}

function renderDryRun(plan: Plan, force: boolean, revisionRefusals: ApplyReport['refused']): string {
  const what = plan.rollback ? 'meshctl rollback --dry-run' : plan.finalize ? 'meshctl finalize --dry-run' : 'meshctl apply --dry-run';
  const lines = [chalk.bold(`${what}: ${plan.steps.length} operation(s) would be sent; none is.`), chalk.dim(`plan fingerprint ${plan.fingerprint}`)];
  const refused = refusedWithoutForce(plan);
  if (refused.length > 0 && !force) {
    lines.push(chalk.yellow(`without --force, apply refuses ${refused.length} service(s) carrying precheck errors: ${refused.map((r) => `${r.service} (${r.rules.join(', ')})`).join(', ')}`));
  }
  for (const r of revisionRefusals) lines.push(chalk.red(`× apply would refuse ${r.label}: ${r.reason}`));
  lines.push(...heldLines(plan), '');
  for (const [i, step] of plan.steps.entries()) {
    // Over several accounts: which account's credentials send it.
    const where = plan.accounts && step.account ? ` in ${plan.accounts[step.account] ?? step.account} (${step.account})` : '';
    lines.push(`${i + 1}. ${step.service} ${step.operation}${where} ${chalk.dim(`(${step.resource})`)}`);
    if (step.dependsOn.length > 0) lines.push(chalk.dim(`   after: ${step.dependsOn.join(', ')}`));
    lines.push(JSON.stringify(showRefs(step.input), null, 2).split('\n').map((l) => `   ${l}`).join('\n'));
  }
  return lines.join('\n');
}

/** An ECS service event as wait.ts keeps it ("ISO-time message"), its time local for people. */
const eventText = (event: string) => event.replace(/^(\d{4}-\d{2}-\d{2}T\S+)(?= )/, (iso) => localTime(iso));

interface ResultRow { service: string; from: string; to: string; outcome: string; seconds: number | null }

/** One row per service the journal moves: its revision from → to, how it ended and how long it took. */
function resultRows(plan: Plan, report: ApplyReport, journal: Journal, durations: Map<string, number>): ResultRow[] {
  return Object.entries(journal.services).map(([label, s]) => {
    const rollout = report.rollouts.find((r) => r.label === label);
    const refused = report.refused.some((r) => r.label === label);
    const failed = report.failures.some((f) => f.step.ecsService === label);
    const allDone = plan.steps.filter((st) => st.ecsService === label).every((st) => journal.steps[st.id]?.status === 'done');
    const outcome = refused ? 'refused' : failed ? 'failed' : rollout ? `deployment ${rollout.outcome}` : report.notStarted.includes(label) ? 'not started' : s.state === 'pending' && allDone ? 'done' : s.state;
    const ms = durations.get(label);
    return {
      service: label + (s.greenService ? ` (green ${s.greenService})` : ''),
      from: s.previousTaskDefinition.split('/').pop()!, to: s.newTaskDefinition?.split('/').pop() ?? '-', outcome,
      seconds: ms === undefined ? null : Math.round(ms / 100) / 10,
    };
  });
}

function renderReport(plan: Plan, report: ApplyReport, rows: ResultRow[], journalFile: string): string {
  const lines: string[] = [];
  if (rows.length > 0) lines.push(table(['service', 'revision', 'outcome', 'time'], rows.map((r) => [r.service, `${r.from} → ${r.to}`, r.outcome, r.seconds === null ? '-' : `${r.seconds}s`])), '');
  for (const f of report.failures) lines.push(`${chalk.red('×')} ${f.step.id}: ${describeError(f.error).message}`);
  for (const r of report.rollouts) {
    if (r.outcome === 'completed') lines.push(`${chalk.green('✔')} ${r.label}: deployment completed`);
    else {
      lines.push(`${chalk.red('×')} ${r.label}: deployment ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`);
      for (const e of r.events.slice(0, 5)) lines.push(chalk.dim(`    ${eventText(e)}`));
    }
  }
  for (const r of report.refused) lines.push(`${chalk.red('×')} ${r.label}: ${r.reason}`);
  if (report.notStarted.length > 0) lines.push(chalk.yellow(`not started (a failure stopped new starts, or a service they wait for did not complete): ${report.notStarted.join(', ')}`));
  lines.push(`journal: ${journalFile}`);
  if (plan.rollback) lines.push(...leftInPlaceLines(plan));
  // Always the exact command: a successful apply may still need undoing after review in production.
  else if (!plan.finalize) lines.push(`Roll back with: meshctl rollback --journal ${journalFile}`);
  return lines.join('\n');
}

/** What AWS already has from this run when its journal could not be saved: the steps done, from the journal in memory. */
function unsavedRunError(plan: Plan, error: JournalSaveError, journal: Journal, resumeWith: string, location: string): ExpectedError {
  const done = plan.steps.filter((st) => journal.steps[st.id]?.status === 'done');
  const lines = [`${error.message}; ${plan.rollback ? 'rollback' : plan.finalize ? 'finalize' : 'apply'} stopped before its next change (nothing is changed without a durable record).`];
  if (done.length === 0) lines.push('AWS has no change from this run.');
  else {
    lines.push(`AWS already has these changes from this run (${done.length}), which the saved journal may not show as done:`);
    for (const st of done) lines.push(`  - ${st.service} ${st.operation} ${st.resource}${st.account ? ` in ${st.account}` : ''} (step ${st.id})`);
  }
  lines.push(`The saved journal marks every step that was sent as at least running, so a re-run adopts what exists rather than sending it twice: once the state can be written, run ${resumeWith}${plan.rollback || plan.finalize ? '' : `, or undo with meshctl rollback --journal ${location}`}`);
  return new ExpectedError(lines.join('\n'));
}

/** Takes the lock of each journal the run writes; says when one was taken over. */
export async function lockAll(refs: StateRef[], command: string): Promise<HeldLock[]> {
  const locks: HeldLock[] = [];
  try {
    for (const ref of refs) {
      const lock = await lockJournal(ref, command);
      locks.push(lock);
      if (lock.tookOver) writeErr(`took over the lock ${lock.tookOver.holder.id} of ${locationOf(ref)} (${describeHolder(lock.tookOver.holder)}): ${lock.tookOver.why}`);
    }
    return locks;
  } catch (error) {
    await releaseAll(locks);
    throw error;
  }
}

export async function releaseAll(locks: HeldLock[]): Promise<void> {
  for (const lock of [...locks].reverse()) {
    const warning = await lock.release();
    if (warning) writeErr(`warning: ${warning}`);
  }
}

export async function executePlan(session: AwsSession, state: RunState, plan: Plan, options: ExecuteOptions): Promise<number> {
  const unforced = plan.services.filter((s) => s.status !== 'held' && s.findings.some((f) => f.severity === 'error'));
  if (unforced.length > 0 && !options.force && !options.dryRun) {
    const list = unforced.map((s) => `  ${s.cluster}/${s.service}: ${s.findings.filter((f) => f.severity === 'error').map((f) => f.rule).join(', ')}`).join('\n');
    throw new UsageError(`these planned services carry precheck errors:\n${list}\nFix them, exclude the services in meshctl.yaml, or pass --force to apply anyway`);
  }
  if (plan.steps.length === 0) {
    const held = plan.held?.services.length ?? 0;
    writeOut(plan.rollback ? 'Nothing to roll back.' : plan.finalize ? 'Nothing to finalize.'
      : held > 0 ? [`Nothing to apply: every change of the plan is held for infrastructure code (${held} service(s)).`, ...heldLines(plan)].join('\n') : 'Nothing to apply: the plan has no changes.');
    return EXIT_OK;
  }

  requireAccounts(session.accounts, plan);
  // Only what can have changed since the plan: for the drift check and the journal's record of each service.
  const { estate, specs, edgeActions } = await readPlannedState(session.accounts, session.region, plan);
  const ref: StateRef = { state: state.home, name: journalName(plan.fingerprint) };
  const path = locationOf(ref);
  // The apply journal a rollback undoes or a finalize finishes: locked too, and updated after.
  const undoneAt = plan.rollback?.journal ?? plan.finalize?.journal;
  const undoneRef = undoneAt ? await state.find(undoneAt) : undefined;
  const undone = undoneRef && locationOf(undoneRef);
  const command = plan.rollback ? 'meshctl rollback' : plan.finalize ? 'meshctl finalize' : 'meshctl apply';
  // One apply or rollback per journal: a second one is refused, naming the holder (a dry run writes nothing and takes no lock).
  const locks = options.dryRun ? [] : await lockAll([ref, ...(undoneRef ? [undoneRef] : [])], command);
  const guard = () => { for (const lock of locks) lock.check(); };
  try {
    const { store, resumed } = await openJournal(ref, plan.fingerprint, (): Journal => ({
      formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: plan.fingerprint, region: plan.region, target: plan.target, mesh: plan.mesh,
      startedAt: new Date().toISOString(), updatedAt: '', services: journalServices(plan, estate), steps: {}, created: [],
      ...(plan.rollback && { undoes: undone ?? '' }),
      ...(plan.finalize && { finalizes: undone }),
    }), guard);
    if (resumed && !plan.rollback && !plan.finalize) refuseRolledBack(store.journal, path);
    // What a resumed run already touched has changed on purpose.
    const touched = new Set(plan.steps.filter((s) => ['done', 'running', 'failed'].includes(store.journal.steps[s.id]?.status ?? '')).flatMap((s) => keysChangedBy(s, plan)));
    const changes = drift(plan.observed, observeAgain(plan.observed, estate, specs, edgeActions), touched);
    if (changes.length > 0) {
      throw new StalePlanError(`the ${plan.rollback ? 'rollback plan' : plan.finalize ? 'finalize plan' : 'plan'} is stale: the account changed since it was made:\n${changes.map((c) => `  - ${c}`).join('\n')}\nRun ${plan.rollback ? 'meshctl rollback' : plan.finalize ? 'meshctl finalize' : 'meshctl plan'} again`);
    }

    if (options.dryRun) {
      // The revisions apply checks before each service starts, checked now: a dry run names what the real run would refuse.
      const refused = await refusalsOfDryRun(session.accounts, plan, store.journal);
      if (options.output === 'json') writeOut(JSON.stringify(dryRunResult(plan, options.force ?? false, refused), null, 2));
      else await writePaged(renderDryRun(plan, options.force ?? false, refused), options);
      return EXIT_OK;
    }

    // The apply journal remembers an unfinished rollback, so the next meshctl rollback finishes it rather than planning anew.
    const undoneLoaded = undoneRef ? await readJournal(undoneRef) : undefined;
    const undoneStore = undoneLoaded && new JournalStore(undoneLoaded.ref, undoneLoaded.journal, undoneLoaded.etag, guard);
    try {
      if (undoneStore && plan.rollback && options.planFile) {
        undoneStore.journal.pendingRollback = options.planFile;
        await undoneStore.save();
      }
      await store.save();
    } catch (error) {
      if (error instanceof JournalSaveError) throw unsavedRunError(plan, error, store.journal, options.resumeWith, path);
      throw error;
    }
    writeErr(`${plan.rollback ? 'rolling back with plan' : plan.finalize ? 'finalizing with plan' : 'applying plan'} ${plan.fingerprint}`);
    writeErr(`${resumed ? 'resuming from' : 'journal:'} ${path}`);
    const progress = createProgress(options.output === 'json');
    const started = new Map<string, number>();
    const durations = new Map<string, number>();
    const finished = (label: string | undefined) => { if (label && started.has(label)) durations.set(label, Date.now() - started.get(label)!); };
    const disarm = onInterrupt(async () => {
      progress.stop();
      await store.save();
      await releaseAll(locks.splice(0));
      if (plan.rollback || plan.finalize) return `interrupted: the journal ${path} is saved. Finish with: ${options.resumeWith}`;
      return `interrupted: the journal ${path} is saved. Finish with: ${options.resumeWith}; or undo with: meshctl rollback --journal ${path}`;
    });
    let report: ApplyReport;
    try {
      report = await applyPlan(session.accounts, plan, estate, store, { concurrency: options.concurrency, maxInFlight: options.maxInFlight, wait: options.wait, timeoutMs: options.timeoutMs, pollMs: options.pollMs }, {
        onStep: (step, status, detail) => {
          if (step.ecsService && !started.has(step.ecsService)) started.set(step.ecsService, Date.now());
          if (status !== 'start') finished(step.ecsService);
          progress.step(step, status, detail);
        },
        onWait: (_step, line) => progress.note(`… ${line}`),
        onSchedule: (view) => progress.schedule(view),
        onRollout: (r) => finished(r.label),
        onProgress: (rollouts) => {
          for (const r of rollouts.filter((x) => x.rolloutState === 'COMPLETED')) finished(r.label);
          progress.rollouts(rollouts);
        },
      });
    } catch (error) {
      disarm();
      progress.stop();
      if (error instanceof JournalSaveError) throw unsavedRunError(plan, error, store.journal, options.resumeWith, path);
      throw error;
    }
    disarm();
    progress.stop();
    const failed = report.failures.length > 0 || report.refused.length > 0 || report.rollouts.some((r) => r.outcome !== 'completed');
    if (undoneStore && plan.rollback) {
      recordRollback(undoneStore.journal, plan, store.journal, path);
      if (!failed) delete undoneStore.journal.pendingRollback;
    }
    if (undoneStore && plan.finalize) recordFinalize(undoneStore.journal, plan, store.journal);
    await undoneStore?.save();
    const rows = resultRows(plan, report, store.journal, durations);
    if (options.output === 'json') {
      writeOut(JSON.stringify({
        journal: path, fingerprint: plan.fingerprint, services: rows, ...report,
        failures: report.failures.map((f) => ({ step: f.step.id, error: describeError(f.error).message })),
        steps: plan.steps.map((st) => ({ id: st.id, operation: `${st.service} ${st.operation}`, ecsService: st.ecsService, status: store.journal.steps[st.id]?.status ?? 'pending' })),
        ...(plan.rollback ? { leftInPlace: plan.rollback.leftInPlace } : plan.finalize ? {} : { rollback: `meshctl rollback --journal ${path}` }),
        held: plan.held?.services ?? [],
      }, null, 2));
    } else writeOut([renderReport(plan, report, rows, path), ...heldLines(plan)].join('\n'));
    return failed ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await releaseAll(locks);
  }
}
