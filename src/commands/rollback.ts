// meshctl rollback: plans the way back (services onto their previous
// revision, listener rules restored, green twins and what apply created
// removed) and runs that plan through apply's executor and journal. An
// interrupted rollback is finished from its saved plan before anything new
// is planned.
import { writeFile } from 'node:fs/promises';
import { planName } from '../apply/journal.js';
import { journalFor } from '../apply/open-state.js';
import { confirm } from '../cli/confirm.js';
import { openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_DECLINED, EXIT_OK } from '../cli/exit-codes.js';
import type { Plan } from '../core/plan/model.js';
import { parsePlan } from '../core/plan/plan-file.js';
import { inState, locationOf } from '../core/state.js';
import { computeRollbackPlan } from '../planning/rollback.js';
import { renderServiceStepsText } from '../render/service-steps-text.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { stableStringify } from '../util/stable-json.js';
import { maxInFlightOf, positiveInt } from './apply.js';
import { dryRunResult, executePlan } from './execute-plan.js';
import { requireJournalScope } from './journal-scope.js';

export interface RollbackOptions extends GlobalOptions {
  cluster?: string[];
  service?: string[];
  journal?: string;
  toRevision?: string;
  keepRevision?: boolean;
  removeMeshResources?: boolean;
  out?: string;
  yes?: boolean;
  dryRun?: boolean;
  concurrency: string;
  maxInFlight?: string;
  wait: boolean;
  waitTimeout: string;
  pollInterval: string;
}

export async function runRollback(options: RollbackOptions): Promise<number> {
  const concurrency = positiveInt(options.concurrency, '--concurrency')!;
  const maxInFlight = maxInFlightOf(options);
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const pollMs = parsePollInterval(options.pollInterval);
  if (options.toRevision !== undefined && !/^[1-9]\d*$/.test(options.toRevision)) throw new UsageError(`--to-revision ${options.toRevision} is not a revision number`);
  if (options.fixtures && !options.dryRun && !options.out) {
    throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what rollback would send');
  }
  const session = await openAws(options, { allowMutations: !options.dryRun && !options.out });
  const state = await openRunState(options, session);
  const loaded = await journalFor(state, options.journal, 'apply');
  const path = loaded && locationOf(loaded.ref);
  const journal = loaded?.journal;
  if (journal?.undoes !== undefined) throw new UsageError(`${path} is the journal of a rollback; pass the apply journal it undid (${journal.undoes || 'none: it rolled back named services'})`);
  if (journal?.finalizes !== undefined) throw new UsageError(`${path} is the journal of a finalize, which cannot be rolled back (the blue services are gone); pass an apply journal`);
  if (!journal && (!options.service || options.service.length === 0)) {
    throw new UsageError(`no journal ${inState(state.home)} to roll back from: name the services with --service (and --cluster), or pass --journal FILE`);
  }
  if (journal && path) await requireJournalScope(path, journal, session);

  let plan: Plan;
  let planFile: string;
  const pending = journal?.pendingRollback;
  const pendingText = pending ? await state.find(pending).then((ref) => ref.state.read(ref.name)) : undefined;
  if (pending && pendingText) {
    // Finishing what was started beats planning anew: the services it moved no longer look like they need moving.
    plan = parsePlan(pendingText.text, pending);
    planFile = pending;
    writeErr(`finishing the interrupted rollback planned in ${pending}`);
  } else {
    plan = (await computeRollbackPlan(session, {
      cluster: options.cluster, service: options.service, ...(journal && path && { journal: { path, data: journal } }),
      toRevision: options.toRevision, keepRevision: options.keepRevision ?? false, removeMeshResources: options.removeMeshResources ?? false,
    })).plan;
    planFile = options.out ?? state.home.locate(planName('rollback', plan.fingerprint));
  }
  const planJson = `${stableStringify(plan, 2)}\n`;

  if (options.output === 'json' && (options.dryRun || options.out)) writeOut(JSON.stringify(dryRunResult(plan, true), null, 2));
  else if (options.output !== 'json') writeOut(renderServiceStepsText(plan, session.source));
  if (options.dryRun) return EXIT_OK;
  if (options.out) {
    await writeFile(options.out, planJson);
    writeErr(`rollback plan saved to ${options.out}; run meshctl apply ${options.out} to execute it`);
    return EXIT_OK;
  }
  if (plan.steps.length === 0) {
    if (options.output !== 'json') writeOut('Nothing to roll back.');
    return EXIT_OK;
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new UsageError('rollback asks for confirmation, and there is no terminal to ask on: pass --yes');
    if (!(await confirm(`Roll back ${plan.services.length} service(s)?`))) {
      writeErr('Nothing rolled back.');
      return EXIT_DECLINED;
    }
  }
  // Saved beside the journals (in the state), where the apply journal points to it until it is finished.
  if (planFile !== pending) await state.home.write(planName('rollback', plan.fingerprint), planJson);
  return executePlan(session, state, plan, {
    output: options.output, concurrency, maxInFlight, wait: options.wait, timeoutMs, pollMs, planFile,
    // With an apply journal, rollback finds the unfinished plan itself; without, applying the saved plan resumes it.
    resumeWith: path ? `meshctl rollback --journal ${path}` : `meshctl apply ${planFile}`,
  });
}
