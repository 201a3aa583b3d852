// The cut-over settings of a run: meshctl.yaml's cutover section, with the
// flags of plan, apply and precheck over it. Bad values are refused with the
// flag and the range ECS accepts.
import { UsageError } from '../cli/errors.js';
import type { MeshctlConfig } from '../config/config.js';
import { CUTOVER_STRATEGIES, type CutoverSettings, type CutoverStrategy } from '../core/cutover/ecs-strategy.js';
import { parseDuration } from '../util/duration.js';

/** The flags that choose and tune the cut-over (plan, apply, precheck). */
export interface CutoverFlags {
  strategy?: CutoverStrategy;
  canaryPercent?: string;
  canaryBake?: string;
  linearStepPercent?: string;
  linearStepBake?: string;
  bakeTime?: string;
  deploymentAlarm?: string[];
  infrastructureRole?: string;
}

function percent(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d)?$/.test(value) || n < min || n > 100) throw new UsageError(`${flag} ${value}: ECS takes ${min} to 100, in steps of 0.1`);
  return n;
}

function minutes(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value, flag);
  if (ms % 60_000 !== 0 || ms > 1440 * 60_000) throw new UsageError(`${flag} ${value}: ECS takes whole minutes from 0 to 24h (for example 10m, 1h)`);
  return ms / 60_000;
}

export function cutoverSettings(config: MeshctlConfig, flags: CutoverFlags): CutoverSettings {
  const c = config.cutover;
  if (flags.strategy && !CUTOVER_STRATEGIES.includes(flags.strategy)) throw new UsageError(`--strategy ${flags.strategy}: one of ${CUTOVER_STRATEGIES.join(', ')}`);
  if (flags.infrastructureRole !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(flags.infrastructureRole)) {
    throw new UsageError(`--infrastructure-role ${flags.infrastructureRole} is not an IAM role ARN (arn:PARTITION:iam::123456789012:role/NAME, PARTITION aws, aws-cn or aws-us-gov)`);
  }
  const role = flags.infrastructureRole ?? c.infrastructureRoleArn;
  const requested = flags.strategy ?? c.strategy;
  return {
    ...(requested && { requested }),
    ...(role && { infrastructureRoleArn: role }),
    canary: { percent: percent(flags.canaryPercent, '--canary-percent', 0.1) ?? c.canary.percent, bakeMinutes: minutes(flags.canaryBake, '--canary-bake') ?? c.canary.bakeMinutes },
    linear: { stepPercent: percent(flags.linearStepPercent, '--linear-step-percent', 3) ?? c.linear.stepPercent, stepBakeMinutes: minutes(flags.linearStepBake, '--linear-step-bake') ?? c.linear.stepBakeMinutes },
    bakeMinutes: minutes(flags.bakeTime, '--bake-time') ?? c.bakeMinutes,
    alarms: [...new Set([...c.alarms, ...(flags.deploymentAlarm ?? [])])],
  };
}
