// Reads what says whether the green side can take more traffic: the named
// CloudWatch alarms, the green target groups' target health, and the 5xx the
// load balancer counted from them (AWS/ApplicationELB HTTPCode_Target_5XX_Count, per
// TargetGroup and LoadBalancer: Elastic Load Balancing User Guide for Application
// Load Balancers, "CloudWatch metrics for your Application Load Balancer").
// The verdict is src/core/cutover/health.ts.
import { cutoverProblems as verdict, type CutoverObservations } from '../core/cutover/health.js';
import type { BlueGreenPair } from '../core/cutover/pairs.js';
import { chunks } from './batch.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const DESCRIBE_ALARMS_MAX = 100;

/** Alarm names CloudWatch does not know (a typo would otherwise guard nothing). */
export async function unknownAlarms(aws: AwsCaller, names: string[]): Promise<string[]> {
  const known = new Set<string>();
  for (const batch of chunks([...new Set(names)], DESCRIBE_ALARMS_MAX)) {
    const out = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])] as Raw[]) known.add(a.AlarmName);
  }
  return names.filter((n) => !known.has(n));
}

/** The CloudWatch dimension values of each green target group: targetgroup/… and its load balancer's app/…. */
export async function greenDimensions(aws: AwsCaller, pairs: BlueGreenPair[]): Promise<Record<string, { targetGroup: string; loadBalancer?: string }>> {
  const arns = [...new Set(pairs.map((p) => p.greenTargetGroup))];
  const out = arns.length > 0 ? await aws.call<Raw>('elbv2', 'DescribeTargetGroups', { TargetGroupArns: arns }) : { TargetGroups: [] };
  return Object.fromEntries(((out.TargetGroups ?? []) as Raw[]).map((tg) => [tg.TargetGroupArn, {
    targetGroup: String(tg.TargetGroupArn).split(':').pop()!,
    ...(tg.LoadBalancerArns?.[0] && { loadBalancer: String(tg.LoadBalancerArns[0]).split(':loadbalancer/').pop() }),
  }]));
}

export interface HealthCheck {
  alarms: string[];
  /** More 5xx than this from a green target group since `since` stops the shift. */
  max5xx: number;
  since: Date;
  dimensions: Record<string, { targetGroup: string; loadBalancer?: string }>;
}

/** What stops the shift now, in words; empty when green looks healthy. */
export async function cutoverProblems(aws: AwsCaller, pairs: BlueGreenPair[], check: HealthCheck): Promise<string[]> {
  const observed: CutoverObservations = { alarms: [], greenTargetGroups: [] };
  const alarmReads = chunks([...new Set(check.alarms)], DESCRIBE_ALARMS_MAX).map(async (batch) => {
    const out = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])] as Raw[]) observed.alarms.push({ name: a.AlarmName, state: a.StateValue, ...(a.StateReason && { reason: String(a.StateReason) }) });
  });
  const groupReads = [...new Set(pairs.map((p) => p.greenTargetGroup))].map(async (arn) => {
    const dimensions = check.dimensions[arn];
    const [health, metric] = await Promise.all([
      aws.call<Raw>('elbv2', 'DescribeTargetHealth', { TargetGroupArn: arn }),
      dimensions?.loadBalancer
        ? aws.call<Raw>('cloudwatch', 'GetMetricStatistics', {
          Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistics: ['Sum'], Period: 60,
          Dimensions: [{ Name: 'TargetGroup', Value: dimensions.targetGroup }, { Name: 'LoadBalancer', Value: dimensions.loadBalancer }],
          StartTime: check.since, EndTime: new Date(),
        })
        : Promise.resolve({ Datapoints: [] }),
    ]);
    observed.greenTargetGroups.push({
      name: arn.split('/').slice(-2, -1)[0]!,
      targetStates: ((health.TargetHealthDescriptions ?? []) as Raw[]).map((t) => ({ state: String(t.TargetHealth?.State), ...(t.TargetHealth?.Reason && { reason: String(t.TargetHealth.Reason) }) })),
      errors5xx: ((metric.Datapoints ?? []) as Raw[]).reduce((sum, d) => sum + Number(d.Sum ?? 0), 0),
    });
  });
  await Promise.all([...alarmReads, ...groupReads]);
  return verdict(observed, check.max5xx);
}
