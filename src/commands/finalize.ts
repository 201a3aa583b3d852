// meshctl finalize: once green has carried all the traffic for the bake time
// with no alarm, plans the removal of the blue side (green into blue's Cloud
// Map registry first, rules to green alone, blue's scaling and step alarms,
// blue scaled to 0 and deleted, its target group and revision, the App Mesh
// resources only it used) and runs that plan through apply's executor.
import { planName } from '../apply/journal.js';
import { journalFor } from '../apply/open-state.js';
import { confirm } from '../cli/confirm.js';
import { openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_DECLINED, EXIT_OK } from '../cli/exit-codes.js';
import { inState, locationOf } from '../core/state.js';
import { computeFinalizePlan } from '../planning/finalize.js';
import { renderServiceStepsText } from '../render/service-steps-text.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { stableStringify } from '../util/stable-json.js';
import { maxInFlightOf, positiveInt } from './apply.js';
import { dryRunResult, executePlan } from './execute-plan.js';
import { requireJournalScope } from './journal-scope.js';

export interface FinalizeOptions extends GlobalOptions {
  journal?: string;
  service?: string[];
  bake: string;
  alarm?: string[];
  max5xx: string;
  yes?: boolean;
  dryRun?: boolean;
  concurrency: string;
  maxInFlight?: string;
  waitTimeout: string;
  pollInterval: string;
}

export async function runFinalize(options: FinalizeOptions): Promise<number> {
  const concurrency = positiveInt(options.concurrency, '--concurrency')!;
  const maxInFlight = maxInFlightOf(options);
  const bakeMs = parseDuration(options.bake, '--bake');
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const pollMs = parsePollInterval(options.pollInterval);
  if (!/^\d+$/.test(options.max5xx)) throw new UsageError(`--max-5xx ${options.max5xx} is not a whole number`);
  if (options.fixtures && !options.dryRun) throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what finalize would send');
  const session = await openAws(options, { allowMutations: !options.dryRun });
  const state = await openRunState(options, session);
  const loaded = await journalFor(state, options.journal, 'apply');
  if (!loaded) throw new UsageError(`no apply journal ${inState(state.home)}: finalize finishes a blue-green apply; pass --journal FILE`);
  const { journal } = loaded;
  const path = locationOf(loaded.ref);
  await requireJournalScope(path, journal, session);

  const plan = await computeFinalizePlan(session, session.region, { journal: { path, data: journal }, service: options.service, bakeMs, alarms: options.alarm ?? [], max5xx: Number(options.max5xx) });
  if (options.output === 'json' && options.dryRun) writeOut(JSON.stringify(dryRunResult(plan, true), null, 2));
  else if (options.output !== 'json') writeOut(renderServiceStepsText(plan, session.source));
  if (options.dryRun) return EXIT_OK;
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new UsageError('finalize deletes the blue services and asks for confirmation, and there is no terminal to ask on: pass --yes');
    if (!(await confirm(`Remove the blue side of ${plan.services.length} service(s)?`))) {
      writeErr('Nothing finalized.');
      return EXIT_DECLINED;
    }
  }
  // Saved beside the journals (in the state): running the same apply of it finishes an interrupted finalize, from anywhere.
  const name = planName('finalize', plan.fingerprint);
  await state.home.write(name, `${stableStringify(plan, 2)}\n`);
  const planFile = state.home.locate(name);
  return executePlan(session, state, plan, {
    // Blue's removal is not awaited; a green joining blue's Cloud Map registry is, before blue goes (blue's removal depends on it).
    output: options.output, concurrency, maxInFlight, wait: false, timeoutMs, pollMs, planFile, resumeWith: `meshctl apply ${planFile}`,
  });
}
