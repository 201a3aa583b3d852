import { readFile } from 'node:fs/promises';
import { callerAccount } from '../aws/caller-identity.js';
import type { AwsSession } from '../aws/session.js';
import { confirm } from '../cli/confirm.js';
import type { RunState } from '../apply/open-state.js';
import { config, openAws, openRunState, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_DECLINED } from '../cli/exit-codes.js';
import { withUsageFlags, type UsageFlags } from '../cli/usage-flags.js';
import type { Plan } from '../core/plan/model.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../core/plan/schedule.js';
import { parsePlan } from '../core/plan/plan-file.js';
import { computePlan, type MigrationSelection } from '../planning/migration.js';
import { renderPlanOf } from '../render/plan-text.js';
import { parseDuration, parsePollInterval } from '../util/duration.js';
import { executePlan } from './execute-plan.js';

export interface ApplyCommandOptions extends GlobalOptions, MigrationSelection, UsageFlags {
  yes?: boolean;
  dryRun?: boolean;
  concurrency: string;
  maxInFlight?: string;
  /** The old name of --max-in-flight. */
  waveSize?: string;
  wait: boolean;
  waitTimeout: string;
  pollInterval: string;
  force?: boolean;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${flag} ${value} is not a positive whole number`);
  return Number(value);
}

/** --max-in-flight N, or its other name --wave-size N: how many services move at once. */
export function maxInFlightOf(options: { maxInFlight?: string; waveSize?: string }): number {
  if (options.maxInFlight !== undefined && options.waveSize !== undefined) throw new UsageError('--wave-size is another name for --max-in-flight: give only one of them');
  const flag = options.waveSize !== undefined ? '--wave-size' : '--max-in-flight';
  const value = options.maxInFlight ?? options.waveSize;
  if (value === undefined) return DEFAULT_MAX_IN_FLIGHT;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${flag} ${value} is not a positive whole number: give how many services may deploy at once, 1 or more (default ${DEFAULT_MAX_IN_FLIGHT})`);
  return Number(value);
}

/** The text of a saved plan: a file, or a plan rollback or finalize saved in an S3 state. */
export async function readPlanText(planFile: string, state: RunState): Promise<string | undefined> {
  if (planFile.startsWith('s3://')) {
    const ref = await state.find(planFile);
    return (await ref.state.read(ref.name))?.text;
  }
  return readFile(planFile, 'utf8').catch(() => undefined);
}

/** A saved plan, checked for structure, edits, region and account before anything runs. */
async function loadPlanFile(planFile: string, session: AwsSession, state: RunState): Promise<Plan> {
  const text = await readPlanText(planFile, state);
  if (text === undefined) throw new UsageError(`cannot read plan ${planFile}; save one with meshctl plan --out ${planFile}`);
  const plan = parsePlan(text, planFile);
  if (plan.region !== session.region) {
    throw new UsageError(`${planFile} was planned for ${plan.region}, but this run targets ${session.region}; pass --region ${plan.region}`);
  }
  // A run over several accounts read the caller's id when it opened.
  const account = session.accounts.find((a) => a.home)?.id ?? await callerAccount(session.aws);
  if (plan.account && account !== plan.account) {
    throw new UsageError(`${planFile} was planned for account ${plan.account}, but these credentials act in account ${account}; use credentials for ${plan.account} (--profile, or assume a role there)`);
  }
  return plan;
}

export async function runApply(planFile: string | undefined, options: ApplyCommandOptions): Promise<number> {
  const concurrency = positiveInt(options.concurrency, '--concurrency')!;
  const maxInFlight = maxInFlightOf(options);
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const pollMs = parsePollInterval(options.pollInterval);
  if (options.fixtures && !options.dryRun) {
    throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what apply would send');
  }
  const selection = { cluster: options.cluster, service: options.service, target: options.target, strategy: options.strategy, removeMeshResources: options.removeMeshResources, allowIacOwned: options.allowIacOwned };
  if (planFile && Object.values(selection).some((v) => v !== undefined)) {
    throw new UsageError(`--cluster, --service, --target, --strategy, --remove-mesh-resources and --allow-iac-owned choose what to plan; ${planFile} is already planned (what it holds for infrastructure code is part of it): apply it as it is, or plan again with them`);
  }
  if (planFile && (options.usage === false || options.usageWindow !== undefined || options.usageHeadroom !== undefined)) {
    throw new UsageError(`--no-usage, --usage-window and --usage-headroom choose how to size a plan; ${planFile} is already sized: apply it as it is, or plan again with them`);
  }
  const session = await openAws(options, { allowMutations: !options.dryRun });
  const state = await openRunState(options, session);

  let plan: Plan;
  if (planFile) {
    plan = await loadPlanFile(planFile, session, state);
  } else {
    const computed = await computePlan(session, withUsageFlags(await config(options), options), selection);
    plan = computed.plan;
    if (!options.dryRun) {
      writeOut(renderPlanOf(plan, computed.estate, session.source));
      if (plan.steps.length > 0 && !options.yes) {
        if (!process.stdin.isTTY) throw new UsageError('apply without a plan file asks for confirmation, and there is no terminal to ask on: pass --yes, or apply a saved plan (meshctl plan --out plan.json)');
        if (!(await confirm('Apply this plan?'))) {
          writeErr('Nothing applied.');
          return EXIT_DECLINED;
        }
      }
    }
  }
  const resumeWith = planFile ? `meshctl apply ${planFile}` : 'meshctl plan --out plan.json, then meshctl apply plan.json';
  return executePlan(session, state, plan, {
    dryRun: options.dryRun, force: options.force, output: options.output, pager: options.pager, concurrency, maxInFlight, wait: options.wait, timeoutMs, pollMs,
    resumeWith, ...(planFile && { planFile }),
  });
}
