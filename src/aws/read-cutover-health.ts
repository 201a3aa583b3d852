// Is the green side healthy enough to take more traffic? The named
// CloudWatch alarms, the green target groups' target health, and the 5xx the
// load balancer counted from them (AWS/ApplicationELB HTTPCode_Target_5XX_Count).
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
  const problems: string[] = [];
  const alarmReads = chunks([...new Set(check.alarms)], DESCRIBE_ALARMS_MAX).map(async (batch) => {
    const out = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])] as Raw[]) {
      if (a.StateValue === 'ALARM') problems.push(`alarm ${a.AlarmName} is in ALARM${a.StateReason ? ` (${String(a.StateReason).slice(0, 200)})` : ''}`);
    }
  });
  const groupReads = [...new Set(pairs.map((p) => p.greenTargetGroup))].map(async (arn) => {
    const name = arn.split('/').slice(-2, -1)[0];
    const [health, metric] = await Promise.all([
      aws.call<Raw>('elbv2', 'DescribeTargetHealth', { TargetGroupArn: arn }),
      check.dimensions[arn]?.loadBalancer
        ? aws.call<Raw>('cloudwatch', 'GetMetricStatistics', {
          Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistics: ['Sum'], Period: 60,
          Dimensions: [{ Name: 'TargetGroup', Value: check.dimensions[arn]!.targetGroup }, { Name: 'LoadBalancer', Value: check.dimensions[arn]!.loadBalancer }],
          StartTime: check.since, EndTime: new Date(),
        })
        : Promise.resolve({ Datapoints: [] }),
    ]);
    const unhealthy = ((health.TargetHealthDescriptions ?? []) as Raw[]).filter((t) => t.TargetHealth?.State === 'unhealthy');
    if (unhealthy.length > 0) problems.push(`${unhealthy.length} unhealthy target(s) in green target group ${name} (${unhealthy[0]!.TargetHealth?.Reason ?? 'health checks failing'})`);
    const errors = ((metric.Datapoints ?? []) as Raw[]).reduce((sum, d) => sum + Number(d.Sum ?? 0), 0);
    if (errors > check.max5xx) problems.push(`green target group ${name} answered ${errors} 5xx since the last step (more than --max-5xx ${check.max5xx})`);
  });
  await Promise.all([...alarmReads, ...groupReads]);
  return problems.sort();
}
