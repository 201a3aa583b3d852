// Reads what each service really used over a window, from CloudWatch:
// AWS/ECS MemoryUtilization and CPUUtilization with the Maximum statistic (for
// a service, the busiest single task: Amazon ECS Developer Guide, "Amazon ECS
// service utilization metrics"), one datapoint each, the period being the
// whole window; and for services behind an ALB, AWS/ApplicationELB
// RequestCountPerTarget (Sum per period, dimension TargetGroup: Elastic Load
// Balancing User Guide for Application Load Balancers, "CloudWatch metrics for
// your Application Load Balancer"), whose busiest period gives the requests
// per second per task. GetMetricData takes 500 queries and returns 100,800
// datapoints a call (Amazon CloudWatch API Reference, GetMetricData), so a
// 1000-service estate is 4 calls plus its target groups'. Nothing here fails
// the run: a read CloudWatch refuses leaves its services without a peak, and
// says why.
import type { Service, ServiceUsage, UsageReading } from '../core/estate.js';
import { parseWindowHours } from '../util/duration.js';
import { chunks, paginate } from './batch.js';
import { AwsCallError, type AwsCaller } from './caller.js';
import { TokenBucket } from './rate-limit.js';
import { FixtureMissError } from './recording.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface UsageRequest {
  /** How far back, as given (14d). */
  window: string;
  /** The end of the window; now by default. */
  now?: Date;
}

const QUERIES_PER_CALL = 500;
const DATAPOINTS_PER_CALL = 100_800;
/**
 * CloudWatch serves 90,000 datapoints per second to GetMetricData when the
 * window starts over three hours back (AWS General Reference, "Amazon
 * CloudWatch quotas"): calls are paced by the datapoints they ask for, in
 * thousands, on top of the 50 calls per second rate-limit.ts keeps.
 */
const KILO_DATAPOINTS_PER_SECOND = 90;
/** Request counts at 5-minute granularity (kept 63 days), hourly beyond. */
const requestPeriod = (windowSeconds: number) => (windowSeconds <= 63 * 86_400 ? 300 : 3600);
const HOUR = 3600;

interface MetricQuery {
  Id: string;
  MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string };
}

interface Series {
  timestamps: string[];
  values: number[];
}

const metric = (id: string, namespace: string, name: string, dimensions: Record<string, string>, period: number, stat: string): MetricQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: stat },
});

/** The CloudWatch dimension value of a target group: the end of its ARN (targetgroup/NAME/ID). */
const targetGroupDimension = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

const targetGroupsOf = (service: Service) => [...new Set(service.loadBalancers.map((lb) => lb.targetGroupArn).filter((a): a is string => !!a))];

function reason(error: AwsCallError | FixtureMissError): string {
  if (error instanceof FixtureMissError) return 'the fixtures hold no CloudWatch read of this window for it';
  return `CloudWatch ${error.operation}: ${error.code}: ${error.message.split('\n')[0]!.slice(0, 200)}`;
}

/** One batch of queries, every page followed; a refused batch leaves its queries failed, with the reason. */
async function readBatch(aws: AwsCaller, queries: MetricQuery[], window: { StartTime: number; EndTime: number }, series: Map<string, Series>, failed: Map<string, string>): Promise<void> {
  try {
    const results = await paginate(async (NextToken) => {
      const out = await aws.call<Raw>('cloudwatch', 'GetMetricData', { MetricDataQueries: queries, ...window, ScanBy: 'TimestampAscending', ...(NextToken && { NextToken }) });
      return { items: out.MetricDataResults as Raw[] | undefined, next: out.NextToken as string | undefined };
    });
    for (const r of results) {
      const seen = series.get(r.Id) ?? { timestamps: [], values: [] };
      seen.timestamps.push(...((r.Timestamps ?? []) as string[]).map(String));
      seen.values.push(...((r.Values ?? []) as number[]));
      series.set(r.Id, seen);
    }
  } catch (error) {
    if (!(error instanceof AwsCallError) && !(error instanceof FixtureMissError)) throw error;
    for (const q of queries) failed.set(q.Id, reason(error));
  }
}

const peak = (s: Series | undefined) => (s && s.values.length > 0 ? Math.max(...s.values) : undefined);

/** Per second at the busiest period, the target groups' counts added up per timestamp (a task is a target of each). */
function requestsPerSecond(groups: (Series | undefined)[], period: number): number | undefined {
  const byTime = new Map<number, number>();
  for (const s of groups) {
    s?.timestamps.forEach((t, i) => {
      const at = new Date(t).getTime();
      byTime.set(at, (byTime.get(at) ?? 0) + s.values[i]!);
    });
  }
  return byTime.size > 0 ? Math.max(...byTime.values()) / period : undefined;
}

export async function readUsage(aws: AwsCaller, services: Service[], request: UsageRequest): Promise<UsageReading> {
  const windowSeconds = parseWindowHours(request.window, 'usage window') * HOUR;
  const end = Math.floor((request.now ?? new Date()).getTime() / 1000 / HOUR) * HOUR;
  // Epoch seconds: CloudWatch's wire format, and plain JSON a recording keeps.
  const window = { StartTime: end - windowSeconds, EndTime: end };
  const period = requestPeriod(windowSeconds);
  const groups = [...new Set(services.flatMap(targetGroupsOf))].sort();
  const groupId = new Map(groups.map((arn, i) => [arn, `r${i}`]));
  const perTask = services.flatMap((s, i) => {
    const dimensions = { ClusterName: s.clusterName, ServiceName: s.name };
    return [metric(`m${i}`, 'AWS/ECS', 'MemoryUtilization', dimensions, windowSeconds, 'Maximum'), metric(`c${i}`, 'AWS/ECS', 'CPUUtilization', dimensions, windowSeconds, 'Maximum')];
  });
  const requests = groups.map((arn) => metric(groupId.get(arn)!, 'AWS/ApplicationELB', 'RequestCountPerTarget', { TargetGroup: targetGroupDimension(arn) }, period, 'Sum'));
  const batches = [
    ...chunks(perTask, QUERIES_PER_CALL).map((queries) => ({ queries, points: queries.length })),
    ...chunks(requests, Math.max(1, Math.min(QUERIES_PER_CALL, Math.floor(DATAPOINTS_PER_CALL / (windowSeconds / period))))).map((queries) => ({ queries, points: queries.length * (windowSeconds / period) })),
  ];
  const series = new Map<string, Series>();
  const failed = new Map<string, string>();
  const pace = new TokenBucket({ burst: KILO_DATAPOINTS_PER_SECOND, perSecond: KILO_DATAPOINTS_PER_SECOND });
  await Promise.all(batches.map(async (batch) => {
    for (let k = 0; k < Math.ceil(batch.points / 1000); k += 1) await pace.take();
    await readBatch(aws, batch.queries, window, series, failed);
  }));

  const usage: Record<string, ServiceUsage> = {};
  services.forEach((s, i) => {
    const memoryPercent = peak(series.get(`m${i}`));
    const cpuPercent = peak(series.get(`c${i}`));
    const perSecond = requestsPerSecond(targetGroupsOf(s).map((arn) => series.get(groupId.get(arn)!)), period);
    usage[s.arn] = {
      ...(memoryPercent !== undefined && { memoryPercent }),
      ...(cpuPercent !== undefined && { cpuPercent }),
      ...(perSecond !== undefined && { requestsPerSecond: perSecond }),
      ...(memoryPercent === undefined && { missing: failed.get(`m${i}`) ?? 'no datapoints: a new service, or no task ran in the window' }),
    };
  });
  return { window: request.window, services: usage };
}
