// Reads what says whether the green side can take more traffic: the named
// CloudWatch alarms, the green target groups' target health, the 5xx their
// targets answered (AWS/ApplicationELB HTTPCode_Target_5XX_Count, per
// TargetGroup and LoadBalancer) and the 5xx each load balancer generated
// itself (HTTPCode_ELB_5XX_Count, per LoadBalancer: the 503 of a group with no
// healthy target): User Guide for Application Load Balancers, "CloudWatch
// metrics for your Application Load Balancer". The verdict is
// src/core/cutover/health.ts.
import { cutoverProblems as verdict, type CutoverObservations, type GreenDimensions } from '../core/cutover/health.js';
import type { BlueGreenPair } from '../core/cutover/pairs.js';
import { chunks } from './batch.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const DESCRIBE_ALARMS_MAX = 100;
/** GetMetricStatistics returns at most 1,440 data points a call (Amazon CloudWatch API Reference). */
const MAX_DATAPOINTS = 1440;

/** Alarm names CloudWatch does not know (a typo would otherwise guard nothing). */
export async function unknownAlarms(aws: AwsCaller, names: string[]): Promise<string[]> {
  const known = new Set<string>();
  for (const batch of chunks([...new Set(names)], DESCRIBE_ALARMS_MAX)) {
    const out = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])] as Raw[]) known.add(a.AlarmName);
  }
  return names.filter((n) => !known.has(n));
}

export interface HealthCheck {
  alarms: string[];
  /** More 5xx than this for a green target group since `since` stops the shift. */
  max5xx: number;
  since: Date;
  /** Said with the 5xx count: "since the last step". */
  window?: string;
  dimensions: Record<string, GreenDimensions>;
}

const MINUTE = 60_000;

/**
 * The sum of an ApplicationELB count since `since`, over whole minutes (the
 * metrics' own resolution; CloudWatch refuses a StartTime not before the
 * EndTime) and periods that keep within one call.
 */
async function sum5xx(aws: AwsCaller, metric: string, dimensions: { Name: string; Value: string }[], since: Date): Promise<number> {
  const start = Math.floor(since.getTime() / MINUTE) * MINUTE;
  const end = Math.max(Math.ceil(Date.now() / MINUTE) * MINUTE, start + MINUTE);
  const Period = Math.max(60, Math.ceil((end - start) / 1000 / MAX_DATAPOINTS / 60) * 60);
  const out = await aws.call<Raw>('cloudwatch', 'GetMetricStatistics', {
    Namespace: 'AWS/ApplicationELB', MetricName: metric, Statistics: ['Sum'], Period, Dimensions: dimensions, StartTime: new Date(start), EndTime: new Date(end),
  });
  return ((out.Datapoints ?? []) as Raw[]).reduce((sum, d) => sum + Number(d.Sum ?? 0), 0);
}

/** What stops the shift now, in words; empty when green looks healthy. */
export async function cutoverProblems(aws: AwsCaller, pairs: BlueGreenPair[], check: HealthCheck): Promise<string[]> {
  const observed: CutoverObservations = { alarms: [], greenTargetGroups: [] };
  const alarmReads = chunks([...new Set(check.alarms)], DESCRIBE_ALARMS_MAX).map(async (batch) => {
    const out = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])] as Raw[]) observed.alarms.push({ name: a.AlarmName, state: a.StateValue, ...(a.StateReason && { reason: String(a.StateReason) }) });
  });
  const greens = [...new Set(pairs.map((p) => p.greenTargetGroup))];
  // Each load balancer's own 5xx read once, whatever number of green groups it forwards to.
  const balancers = [...new Set(greens.flatMap((arn) => check.dimensions[arn]?.loadBalancers ?? []))];
  const balancerErrors = new Map(balancers.map((lb) => [lb, sum5xx(aws, 'HTTPCode_ELB_5XX_Count', [{ Name: 'LoadBalancer', Value: lb }], check.since)]));
  const groupReads = greens.map(async (arn) => {
    const dimensions = check.dimensions[arn] ?? { targetGroup: arn.split(':').pop()!, loadBalancers: [] };
    const [health, targetErrors, generated] = await Promise.all([
      aws.call<Raw>('elbv2', 'DescribeTargetHealth', { TargetGroupArn: arn }),
      Promise.all(dimensions.loadBalancers.map((lb) => sum5xx(aws, 'HTTPCode_Target_5XX_Count', [{ Name: 'TargetGroup', Value: dimensions.targetGroup }, { Name: 'LoadBalancer', Value: lb }], check.since))),
      Promise.all(dimensions.loadBalancers.map((lb) => balancerErrors.get(lb)!)),
    ]);
    observed.greenTargetGroups.push({
      name: arn.split('/').slice(-2, -1)[0]!,
      targetStates: ((health.TargetHealthDescriptions ?? []) as Raw[]).map((t) => ({ state: String(t.TargetHealth?.State), ...(t.TargetHealth?.Reason && { reason: String(t.TargetHealth.Reason) }) })),
      targetErrors5xx: targetErrors.reduce((a, b) => a + b, 0),
      loadBalancers: dimensions.loadBalancers.map((lb, i) => ({ name: lb, errors5xx: generated[i]! })),
    });
  });
  await Promise.all([...alarmReads, ...groupReads]);
  return verdict(observed, check.max5xx, check.window);
}
