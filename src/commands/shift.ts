// meshctl shift: moves the traffic of the blue-green pairs an apply made (or
// of a Route 53 weighted pair) from blue to green in steps, waiting between them and watching the named alarms,
// the green targets' health and their 5xx; on trouble it steps back and stops.
// Where it stands is kept in the apply journal, so a re-run goes on from there.
import chalk from 'chalk';
import { JournalStore, readJournal, type ShiftRecord } from '../apply/journal.js';
import { journalFor } from '../apply/open-state.js';
import type { AwsCaller } from '../aws/caller.js';
import { cutoverProblems, type HealthCheck } from '../aws/read-cutover-health.js';
import { readEdgeActions } from '../aws/read-edge.js';
import { confirm } from '../cli/confirm.js';
import { openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { requireKnownAlarms } from '../planning/known-alarms.js';
import { pairsAccount } from '../planning/pairs-account.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_DECLINED, EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { onInterrupt } from '../cli/interrupt.js';
import { greenDimensions } from '../core/cutover/health.js';
import { blueGreenPairs, type BlueGreenPair } from '../core/cutover/pairs.js';
import { edgeOperation } from '../core/cutover/shift-operations.js';
import { checkedBeforeStep, reachedAt, shiftCourse } from '../core/cutover/shift-course.js';
import { greenPercent, parseSteps, shiftedActions } from '../core/cutover/weights.js';
import { greenShare, readWeightedPair, setWeightedPair, type WeightedPair } from '../aws/route53-weights.js';
import { inState, locationOf } from '../core/state.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { lockAll, releaseAll } from './execute-plan.js';
import { localTime } from '../util/local-time.js';
import { requireJournalScope } from './journal-scope.js';

export interface ShiftOptions extends GlobalOptions {
  journal?: string;
  service?: string[];
  to?: string;
  steps?: string;
  every: string;
  alarm?: string[];
  abortToBlue?: boolean;
  max5xx: string;
  pollInterval: string;
  dryRun?: boolean;
  yes?: boolean;
  route53Zone?: string;
  route53Name?: string;
  blueSetId: string;
  greenSetId: string;
}

type Actions = Record<string, unknown>[];

/** Where the traffic splits: the load-balancer rules of the journal's pairs, or one Route 53 weighted pair. */
interface Entry {
  label: string;
  /** Green's share on each rule or record pair now. */
  weights(): number[];
  set(percent: number): Promise<void>;
}

async function loadBalancerEntry(aws: AwsCaller, pairs: BlueGreenPair[]): Promise<Entry> {
  const live = await readEdgeActions(aws, pairs.flatMap((p) => p.edges.map((e) => e.arn)));
  const weights = pairs.flatMap((pair) => pair.edges.map((edge) => {
    const percent = live[edge.arn] === undefined ? undefined : greenPercent(live[edge.arn] as Actions, pair.greenTargetGroup);
    if (percent === undefined) throw new UsageError(`${edge.arn.split('/').slice(-2).join('/')} no longer forwards to ${pair.green}'s target group; rerun meshctl plan and apply, or roll back`);
    return percent;
  }));
  return {
    label: pairs.map((p) => p.label).join(', '),
    weights: () => weights,
    set: (percent) => setWeight(aws, pairs, live, percent),
  };
}

async function route53Entry(aws: AwsCaller, pair: WeightedPair): Promise<Entry> {
  const records = await readWeightedPair(aws, pair);
  return {
    label: `${pair.name} (${pair.blue} → ${pair.green})`,
    weights: () => [greenShare(records)],
    set: (percent) => setWeightedPair(aws, pair, records, percent),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sets green's weight on every edge of every pair; the rules and listeners are the only thing shift changes. */
async function setWeight(aws: AwsCaller, pairs: BlueGreenPair[], live: Record<string, unknown>, percent: number): Promise<void> {
  await Promise.all(pairs.flatMap((pair) => pair.edges.map(async (edge) => {
    const actions = shiftedActions(live[edge.arn] as Actions, edge.blueTargetGroup, pair.greenTargetGroup, percent);
    const operation = edgeOperation(edge.arn);
    await aws.call('elbv2', operation, operation === 'ModifyRule' ? { RuleArn: edge.arn, Actions: actions } : { ListenerArn: edge.arn, DefaultActions: actions });
    live[edge.arn] = actions;
  })));
}

export async function runShift(options: ShiftOptions): Promise<number> {
  if ((options.to === undefined) === (options.steps === undefined)) throw new UsageError('give either --to PERCENT (one move) or --steps 10,25,50,100 (a stepped shift)');
  const steps = parseSteps(options.to ?? options.steps!, options.to !== undefined ? '--to' : '--steps');
  if (options.to !== undefined && steps.length !== 1) throw new UsageError(`--to ${options.to}: one percentage; for several, use --steps`);
  const everyMs = parseDuration(options.every, '--every');
  const pollMs = parsePollInterval(options.pollInterval);
  if (!/^\d+$/.test(options.max5xx)) throw new UsageError(`--max-5xx ${options.max5xx} is not a whole number`);
  if (options.fixtures && !options.dryRun) throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what shift would send');
  // All the traffic to green in one move, with no step to watch first, is confirmed as finalize's removal of blue is.
  const allAtOnce = options.to !== undefined && steps[0] === 100 && !options.dryRun && !options.yes;
  if (allAtOnce && !process.stdin.isTTY) throw new UsageError('shift --to 100 sends all the traffic to green at once and asks for confirmation, and there is no terminal to ask on: pass --yes, or shift in steps (--steps 10,50,100)');

  if ((options.route53Zone === undefined) !== (options.route53Name === undefined)) throw new UsageError('--route53-zone and --route53-name go together: the hosted zone id and the record name of the weighted pair');
  const weighted: WeightedPair | undefined = options.route53Name
    ? { hostedZoneId: options.route53Zone!, name: options.route53Name, blue: options.blueSetId, green: options.greenSetId }
    : undefined;
  const session = await openAws(options, { allowMutations: !options.dryRun });
  const state = await openRunState(options, session);
  const loaded = await journalFor(state, options.journal, 'apply');
  if (!loaded) throw new UsageError(`no apply journal ${inState(state.home)}: shift moves the traffic of a blue-green apply; pass --journal FILE`);
  const path = locationOf(loaded.ref);
  let journal = loaded.journal;
  // A Route 53 weighted pair stands for the entry point: the load-balancer pairs are then left alone.
  const pairs = weighted ? [] : blueGreenPairs(journal, options.service ?? []);
  if (!weighted && pairs.length === 0) {
    throw new UsageError(`no blue-green pair behind a load balancer in ${path}${options.service ? ` for ${options.service.join(', ')}` : ''}: shift moves the traffic of services apply moved blue-green (meshctl plan --strategy blue-green); for a Route 53 entry point, name its weighted records with --route53-zone and --route53-name`);
  }
  await requireJournalScope(path, journal, session);
  // Each pair's rules, alarms and metrics are in its service's account.
  const { aws } = pairsAccount(session.accounts, journal, pairs.map((p) => p.label));
  const alarms = options.alarm ?? [];
  await requireKnownAlarms(aws, alarms, session.region);

  const entry = weighted ? await route53Entry(aws, weighted) : await loadBalancerEntry(aws, pairs);
  const single = options.to !== undefined;
  // Pairs at different weights (a shift of some of them) move together from the lowest; a re-run of an interrupted shift goes on from the weight it reached, waiting there again.
  const course = shiftCourse(steps, single, entry.weights(), journal.shift);
  const { from, remaining, resuming } = course;
  const label = entry.label;
  if (options.dryRun) {
    writeOut(`meshctl shift --dry-run: ${label}: green at ${from}% now; would move to ${remaining.join('% → ')}%${remaining.length > 1 ? `, ${options.every} apart` : ''}, checking ${alarms.length > 0 ? `alarms ${alarms.join(', ')}` : 'no alarm'}${weighted ? '' : ', green target health and 5xx'} before each step and while waiting; sends only ${weighted ? 'route53 ChangeResourceRecordSets' : 'elbv2 ModifyRule / ModifyListener'}`);
    return EXIT_OK;
  }

  if (allAtOnce && from < 100 && !(await confirm(`Send all the traffic of ${label} to green (at ${from}% now)?`))) {
    writeErr('Nothing shifted.');
    return EXIT_DECLINED;
  }

  const [lock] = await lockAll([loaded.ref], 'meshctl shift');
  // Read again under the lock: every save is conditional on the version this run holds.
  const locked = await readJournal(loaded.ref);
  journal = locked.journal;
  const store = new JournalStore(loaded.ref, journal, locked.etag, () => lock!.check());
  const record = (patch: Partial<ShiftRecord>) => {
    journal.shift = { steps, weight: from, since: new Date().toISOString(), lastGood: from, state: 'shifting', ...journal.shift, ...patch };
    if (patch.state !== 'stepped-back') delete journal.shift.reason;
    return store.save();
  };
  const disarm = onInterrupt(async () => {
    await store.save();
    await releaseAll([lock!]);
    return `interrupted with green at ${journal.shift?.weight ?? from}%: run the same meshctl shift to go on, or meshctl shift --to 0 to send all traffic back to blue`;
  });
  try {
    if (resuming) writeErr(`resuming the shift at ${from}% (journal ${path})`);
    // Recorded before the first move, so a shift killed mid-step is resumed, not restarted.
    else await record({ steps, weight: from, since: reachedAt(from, from, journal.shift, new Date().toISOString()), lastGood: from, state: 'shifting' });
    const dimensions = greenDimensions(pairs);
    let { lastGood } = course;
    let weight = from;
    const stepBack = async (at: number, problems: string[]): Promise<number> => {
      const back = options.abortToBlue ? 0 : lastGood;
      if (back !== weight) await entry.set(back);
      const reason = problems.join('; ');
      await record({ weight: back, since: new Date().toISOString(), state: 'stepped-back', reason });
      writeOut(`${chalk.red('×')} ${label}: stopped at ${at}%: ${reason}; green back at ${back}%`);
      return EXIT_FINDINGS;
    };
    for (const [i, percent] of remaining.entries()) {
      const check: HealthCheck = { alarms, max5xx: Number(options.max5xx), since: new Date(Date.now() - everyMs), dimensions };
      const problems = checkedBeforeStep(percent, from, single) ? await cutoverProblems(aws, pairs, check) : [];
      if (problems.length > 0) return await stepBack(percent, problems);
      if (percent !== from || !resuming) await entry.set(percent);
      const since = reachedAt(percent, from, journal.shift, new Date().toISOString());
      weight = percent;
      await record({ weight: percent, since, lastGood, state: 'shifting' });
      writeErr(`${chalk.green('✔')} ${label}: green at ${percent}%`);
      if (i === remaining.length - 1) break;
      // The wait: watched every poll interval, so a firing alarm steps back at once.
      const started = Date.now();
      writeErr(chalk.dim(`  holding ${percent}% until ${localTime(new Date(started + everyMs))}, checking every ${options.pollInterval}`));
      while (Date.now() - started < everyMs) {
        await sleep(Math.min(pollMs, everyMs - (Date.now() - started)));
        const during = await cutoverProblems(aws, pairs, { ...check, since: new Date(started) });
        if (during.length > 0) return await stepBack(percent, during);
      }
      lastGood = percent;
      await record({ lastGood });
    }
    const final = remaining[remaining.length - 1]!;
    await record({ weight: final, lastGood: final, state: 'done' });
    writeOut(`${label}: green carries ${final}% of the traffic${final === 100 ? '; when it has baked, meshctl finalize removes blue' : ''}`);
    return EXIT_OK;
  } finally {
    disarm();
    await releaseAll([lock!]);
  }
}
