import { readFile } from 'node:fs/promises';
import chalk from 'chalk';
import { applyPlan, journalServices, type ApplyReport } from '../apply/apply-plan.js';
import { JOURNAL_FORMAT_VERSION, journalPath, openJournal, type Journal } from '../apply/journal.js';
import { lockJournal } from '../apply/journal-lock.js';
import { createProgress } from '../cli/progress.js';
import { onInterrupt } from '../cli/interrupt.js';
import { confirm } from '../cli/confirm.js';
import { callerAccount } from '../aws/caller-identity.js';
import { readEdgeActions } from '../aws/read-edge.js';
import { readEstate } from '../aws/read-estate.js';
import { readMeshSpecs } from '../aws/read-mesh-specs.js';
import { config, openAws, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { describeError, UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { drift, keysChangedBy, meshNamesOf, observeAgain } from '../core/plan/drift.js';
import type { Plan } from '../core/plan/model.js';
import { parsePlan } from '../core/plan/plan-file.js';
import { showRefs } from '../core/plan/refs.js';
import { ExpectedError } from '../util/expected-error.js';
import { parseDuration } from '../util/duration.js';
import { stableStringify } from '../util/stable-json.js';
import { table } from '../render/table.js';
import { computePlan, renderPlan, type PlanOptions } from './plan.js';

export interface ApplyCommandOptions extends GlobalOptions, Pick<PlanOptions, 'cluster' | 'service' | 'target' | 'strategy' | 'removeMeshResources'> {
  yes?: boolean;
  dryRun?: boolean;
  concurrency: string;
  waveSize?: string;
  wait: boolean;
  waitTimeout: string;
  pollInterval: string;
  force?: boolean;
}

/** The account moved since the plan was made: nothing is sent. */
export class StalePlanError extends ExpectedError {}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${flag} ${value} is not a positive whole number`);
  return Number(value);
}

/** Planned services apply refuses without --force: the precheck errors they carry. */
function refusedWithoutForce(plan: Plan): { service: string; rules: string[] }[] {
  return plan.services
    .map((s) => ({ service: `${s.cluster}/${s.service}`, rules: s.findings.filter((f) => f.severity === 'error').map((f) => f.rule) }))
    .filter((s) => s.rules.length > 0);
}

function renderDryRun(plan: Plan, force: boolean): string {
  const lines = [chalk.bold(`meshctl apply --dry-run: ${plan.steps.length} operation(s) would be sent; none is.`), chalk.dim(`plan fingerprint ${plan.fingerprint}`)];
  const refused = refusedWithoutForce(plan);
  if (refused.length > 0 && !force) {
    lines.push(chalk.yellow(`without --force, apply refuses ${refused.length} service(s) carrying precheck errors: ${refused.map((r) => `${r.service} (${r.rules.join(', ')})`).join(', ')}`));
  }
  lines.push('');
  for (const [i, step] of plan.steps.entries()) {
    lines.push(`${i + 1}. ${step.service} ${step.operation} ${chalk.dim(`(${step.resource})`)}`);
    if (step.dependsOn.length > 0) lines.push(chalk.dim(`   after: ${step.dependsOn.join(', ')}`));
    lines.push(stableStringify(showRefs(step.input), 2).split('\n').map((l) => `   ${l}`).join('\n'));
  }
  return lines.join('\n');
}

/** One row per service the journal moves: its revision from → to and how it ended. */
function resultRows(report: ApplyReport, journal: Journal): { service: string; from: string; to: string; outcome: string }[] {
  return Object.entries(journal.services).map(([label, s]) => {
    const rollout = report.rollouts.find((r) => r.label === label);
    const refused = report.refused.some((r) => r.label === label);
    const failed = report.failures.some((f) => f.step.ecsService === label);
    const outcome = refused ? 'refused' : failed ? 'failed' : rollout ? `deployment ${rollout.outcome}` : report.notStarted.includes(label) ? 'not started' : s.state;
    return { service: label + (s.greenService ? ` (green ${s.greenService})` : ''), from: s.previousTaskDefinition.split('/').pop()!, to: s.newTaskDefinition?.split('/').pop() ?? '-', outcome };
  });
}

function renderReport(report: ApplyReport, journalFile: string, journal: Journal): string {
  const lines: string[] = [];
  const rows = resultRows(report, journal);
  if (rows.length > 0) lines.push(table(['service', 'revision', 'outcome'], rows.map((r) => [r.service, `${r.from} → ${r.to}`, r.outcome])), '');
  for (const f of report.failures) lines.push(`${chalk.red('×')} ${f.step.id}: ${describeError(f.error).message}`);
  for (const r of report.rollouts) {
    if (r.outcome === 'completed') lines.push(`${chalk.green('✔')} ${r.label}: deployment completed`);
    else {
      lines.push(`${chalk.red('×')} ${r.label}: deployment ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`);
      for (const e of r.events.slice(0, 5)) lines.push(chalk.dim(`    ${e}`));
    }
  }
  for (const r of report.refused) lines.push(`${chalk.red('×')} ${r.label}: ${r.reason}`);
  if (report.notStarted.length > 0) lines.push(chalk.yellow(`not started (an earlier wave failed): ${report.notStarted.join(', ')}`));
  lines.push(`journal: ${journalFile}`);
  // Always the exact command: a successful apply may still need undoing after review in production.
  lines.push(`Roll back with: meshctl rollback --journal ${journalFile}`);
  return lines.join('\n');
}

export async function runApply(planFile: string | undefined, options: ApplyCommandOptions): Promise<number> {
  const concurrency = positiveInt(options.concurrency, '--concurrency')!;
  const waveSize = positiveInt(options.waveSize, '--wave-size');
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const pollMs = parseDuration(options.pollInterval, '--poll-interval');
  if (options.fixtures && !options.dryRun) {
    throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what apply would send');
  }
  const session = await openAws(options, { allowMutations: !options.dryRun });

  let plan: Plan;
  const selection = { cluster: options.cluster, service: options.service, target: options.target, strategy: options.strategy, removeMeshResources: options.removeMeshResources };
  if (planFile && Object.values(selection).some((v) => v !== undefined)) {
    throw new UsageError(`--cluster, --service, --target, --strategy and --remove-mesh-resources choose what to plan; ${planFile} is already planned: apply it as it is, or plan again with them`);
  }
  if (planFile) {
    let text: string;
    try {
      text = await readFile(planFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read plan ${planFile}; save one with meshctl plan --out ${planFile}`);
    }
    plan = parsePlan(text, planFile);
    if (plan.region !== session.region) {
      throw new UsageError(`${planFile} was planned for ${plan.region}, but this run targets ${session.region}; pass --region ${plan.region}`);
    }
    const account = await callerAccount(session.aws);
    if (plan.account && account !== plan.account) {
      throw new UsageError(`${planFile} was planned for account ${plan.account}, but these credentials act in account ${account}; use credentials for ${plan.account} (--profile, or assume a role there)`);
    }
  } else {
    const computed = await computePlan(session.aws, session.region, await config(options), selection);
    plan = computed.plan;
    if (!options.dryRun) {
      writeOut(renderPlan(plan, computed.estate, session.source));
      if (plan.steps.length > 0 && !options.yes) {
        if (!process.stdin.isTTY) throw new UsageError('apply without a plan file asks for confirmation, and there is no terminal to ask on: pass --yes, or apply a saved plan (meshctl plan --out plan.json)');
        if (!(await confirm('Apply this plan?'))) {
          writeErr('Nothing applied.');
          return EXIT_OK;
        }
      }
    }
  }

  const unforced = plan.services.filter((s) => s.findings.some((f) => f.severity === 'error'));
  if (unforced.length > 0 && !options.force && !options.dryRun) {
    const list = unforced.map((s) => `  ${s.cluster}/${s.service}: ${s.findings.filter((f) => f.severity === 'error').map((f) => f.rule).join(', ')}`).join('\n');
    throw new UsageError(`these planned services carry precheck errors:\n${list}\nFix them, exclude the services in meshctl.yaml, or pass --force to apply anyway`);
  }
  if (plan.steps.length === 0) {
    writeOut('Nothing to apply: the plan has no changes.');
    return EXIT_OK;
  }

  // Read the services and mesh resources the plan observed, once: for the drift check and as the source revisions.
  const serviceArns = Object.keys(plan.observed.services);
  const estate = await readEstate(session.aws, session.region, {
    clusters: [...new Set(serviceArns.map((arn) => arn.split('/').slice(-2)[0]!))],
    services: [...new Set(serviceArns.map((arn) => arn.split('/').pop()!))],
    cloudMap: true,
    // A planned service deleted since is drift, reported as such below.
    allowMissing: true,
  });
  const specs = await readMeshSpecs(session.aws, estate, meshNamesOf(plan));
  const path = journalPath(plan.fingerprint);
  // One apply or rollback per journal: a second one is refused, naming the holder (a dry run writes nothing and takes no lock).
  const release = options.dryRun ? undefined : await lockJournal(path, 'meshctl apply');
  try {
    const { store, resumed } = await openJournal(path, plan.fingerprint, (): Journal => ({
      formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: plan.fingerprint, region: plan.region, target: plan.target, mesh: plan.mesh,
      startedAt: new Date().toISOString(), updatedAt: '', services: journalServices(plan, estate), steps: {}, created: [],
    }));
    // What a resumed run already touched has changed on purpose.
    const touched = new Set(plan.steps.filter((s) => ['done', 'running', 'failed'].includes(store.journal.steps[s.id]?.status ?? '')).flatMap((s) => keysChangedBy(s, plan)));
    const edgeActions = plan.observed.edge ? await readEdgeActions(session.aws, Object.keys(plan.observed.edge)) : {};
    const changes = drift(plan.observed, observeAgain(plan.observed, estate, specs, edgeActions), touched);
    if (changes.length > 0) {
      throw new StalePlanError(`the plan is stale: the account changed since it was made:\n${changes.map((c) => `  - ${c}`).join('\n')}\nRun meshctl plan again`);
    }

    if (options.dryRun) {
      writeOut(options.output === 'json'
        ? JSON.stringify({
          dryRun: true, fingerprint: plan.fingerprint, target: plan.target,
          steps: plan.steps.map((st) => ({ id: st.id, service: st.service, operation: st.operation, resource: st.resource, ecsService: st.ecsService, dependsOn: st.dependsOn, input: showRefs(st.input) })),
          refusedWithoutForce: options.force ? [] : refusedWithoutForce(plan),
        }, null, 2)
        : renderDryRun(plan, options.force ?? false));
      return EXIT_OK;
    }

    await store.save();
    writeErr(`applying plan ${plan.fingerprint}`);
    writeErr(`${resumed ? 'resuming from' : 'journal:'} ${path}`);
    const progress = createProgress(options.output === 'json');
    const disarm = onInterrupt(async () => {
      progress.stop();
      await store.save();
      const resume = planFile ? `meshctl apply ${planFile}` : 'meshctl plan --out plan.json, then meshctl apply plan.json';
      return `interrupted: the journal ${path} is saved. Finish with: ${resume}; or undo with: meshctl rollback --journal ${path}`;
    });
    const report = await applyPlan(session.aws, plan, estate, store, { concurrency, waveSize, wait: options.wait, timeoutMs, pollMs }, {
      onStep: (step, status, detail) => progress.step(step, status, detail),
      onWave: (index, total, services) => progress.note(`wave ${index + 1}/${total}: ${services.join(', ')}`),
      onProgress: (rollouts) => progress.rollouts(rollouts),
    });
    disarm();
    progress.stop();
    const failed = report.failures.length > 0 || report.refused.length > 0 || report.rollouts.some((r) => r.outcome !== 'completed');
    if (options.output === 'json') {
      writeOut(JSON.stringify({
        journal: path, fingerprint: plan.fingerprint, services: resultRows(report, store.journal), ...report,
        failures: report.failures.map((f) => ({ step: f.step.id, error: describeError(f.error).message })),
        rollback: `meshctl rollback --journal ${path}`,
      }, null, 2));
    } else writeOut(renderReport(report, path, store.journal));
    return failed ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await release?.();
  }
}
