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
// 1000-service estate is 4 calls plus its target groups'. The percentages are
// of the task definition that ran then: where a service's current revision
// took over within the window with another size than the revision before it,
// its peaks are read hourly and kept only from the takeover on (so a re-plan
// after meshctl's own resize does not read old peaks against the new size).
// Nothing here fails the run: a read CloudWatch refuses leaves its services
// without a peak, and says why.
import type { Service, ServiceUsage, TaskDefinition, UsageReading } from '../core/estate.js';
import { utilizationBase } from '../core/usage.js';
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
 * GetMetricData's datapoint quota, in thousands per second: 396,000 datapoints
 * a second when the request's StartTime is more than three hours back, 180,000
 * when it is within three hours; counted on the datapoints a request asks for
 * (time range over period), per Region (Amazon CloudWatch User Guide,
 * "CloudWatch service quotas"; AWS re:Post Knowledge Center, "Should I use
 * GetMetricData or GetMetricStatistics for CloudWatch metrics?"). Calls are
 * paced by it on top of the 50 calls a second rate-limit.ts keeps.
 */
const kiloDatapointsPerSecond = (startSecondsAgo: number) => (startSecondsAgo > 3 * 3600 ? 396 : 180);
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

/**
 * A metric CloudWatch could not read in full even after every page: its
 * StatusCode is Forbidden (another account's metric the caller may not see)
 * or InternalError (Amazon CloudWatch API Reference, MetricDataResult). Its
 * peak would be a guess, so it counts as failed, with the reason.
 */
const UNREAD = new Set(['Forbidden', 'InternalError']);

/** One batch of queries, every page followed; a refused batch, or metric, leaves its queries failed, with the reason. */
async function readBatch(aws: AwsCaller, queries: MetricQuery[], window: { StartTime: number; EndTime: number }, series: Map<string, Series>, failed: Map<string, string>): Promise<void> {
  try {
    const results = await paginate(async (NextToken) => {
      const out = await aws.call<Raw>('cloudwatch', 'GetMetricData', { MetricDataQueries: queries, ...window, ScanBy: 'TimestampAscending', ...(NextToken && { NextToken }) });
      return { items: out.MetricDataResults as Raw[] | undefined, next: out.NextToken as string | undefined };
    });
    const status = new Map<string, string>();
    for (const r of results) {
      const seen = series.get(r.Id) ?? { timestamps: [], values: [] };
      seen.timestamps.push(...((r.Timestamps ?? []) as string[]).map(String));
      seen.values.push(...((r.Values ?? []) as number[]));
      series.set(r.Id, seen);
      // The last page's status is the metric's: a page cut short is retried with NextToken.
      if (r.StatusCode) status.set(r.Id, String(r.StatusCode));
    }
    for (const [id, code] of status) {
      if (!UNREAD.has(code)) continue;
      series.delete(id);
      failed.set(id, `CloudWatch GetMetricData: ${code} for this metric`);
    }
  } catch (error) {
    if (!(error instanceof AwsCallError) && !(error instanceof FixtureMissError)) throw error;
    for (const q of queries) failed.set(q.Id, reason(error));
  }
}

const peak = (s: Series | undefined, from = 0) => {
  const values = (s?.values ?? []).filter((_, i) => new Date(s!.timestamps[i]!).getTime() / 1000 >= from);
  return values.length > 0 ? Math.max(...values) : undefined;
};

const epoch = (time: unknown) => (typeof time === 'string' ? Date.parse(time) / 1000 : Number.NaN);
const sameSize = (a: TaskDefinition, b: TaskDefinition) => {
  const [x, y] = [utilizationBase(a), utilizationBase(b)];
  return x.cpu === y.cpu && x.memory === y.memory;
};

/**
 * Services whose current revision was registered within the window (or at an
 * unknown time), with another size than the revision before it (or one that
 * cannot be read): the hour from which their peaks count, the later of the
 * registration and the PRIMARY deployment's start. One DescribeTaskDefinition
 * per such family.
 */
async function revisionCuts(aws: AwsCaller, services: Service[], definitions: Record<string, TaskDefinition>, windowStart: number): Promise<Map<string, number>> {
  const recent = services.filter((s) => {
    const td = definitions[s.taskDefinitionArn];
    return td !== undefined && td.revision > 1 && !(epoch(td.registeredAt) <= windowStart);
  });
  const previousOf = (td: TaskDefinition) => td.taskDefinitionArn.replace(/:\d+$/, `:${td.revision - 1}`);
  const previous = new Map<string, Promise<TaskDefinition | undefined>>();
  for (const s of recent) {
    const arn = previousOf(definitions[s.taskDefinitionArn]!);
    if (!previous.has(arn)) {
      previous.set(arn, aws.call<Raw>('ecs', 'DescribeTaskDefinition', { taskDefinition: arn }).then((out) => out.taskDefinition as TaskDefinition, (error: unknown) => {
        if (error instanceof AwsCallError || error instanceof FixtureMissError) return undefined;
        throw error;
      }));
    }
  }
  const cuts = new Map<string, number>();
  for (const s of recent) {
    const td = definitions[s.taskDefinitionArn]!;
    const before = await previous.get(previousOf(td))!;
    if (before && sameSize(before, td)) continue;
    const primary = s.deployments.find((d) => d.status === 'PRIMARY' && d.taskDefinition === s.taskDefinitionArn);
    // Neither time known: nothing in the window can be told to be of this size.
    const known = [epoch(td.registeredAt), epoch(primary?.createdAt)].filter((t) => !Number.isNaN(t));
    const takeover = known.length > 0 ? Math.max(...known) : Number.POSITIVE_INFINITY;
    cuts.set(s.arn, Math.ceil(takeover / HOUR) * HOUR);
  }
  return cuts;
}

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

/** `definitions`: the estate's task definitions, by ARN (each service's current revision). */
export async function readUsage(aws: AwsCaller, services: Service[], definitions: Record<string, TaskDefinition>, request: UsageRequest): Promise<UsageReading> {
  const windowSeconds = parseWindowHours(request.window, 'usage window') * HOUR;
  const now = (request.now ?? new Date()).getTime() / 1000;
  const end = Math.floor(now / HOUR) * HOUR;
  // Epoch seconds: CloudWatch's wire format, and plain JSON a recording keeps.
  const window = { StartTime: end - windowSeconds, EndTime: end };
  const cuts = await revisionCuts(aws, services, definitions, window.StartTime);
  const period = requestPeriod(windowSeconds);
  const groups = [...new Set(services.flatMap(targetGroupsOf))].sort();
  const groupId = new Map(groups.map((arn, i) => [arn, `r${i}`]));
  const perTask = services.flatMap((s, i) => {
    const dimensions = { ClusterName: s.clusterName, ServiceName: s.name };
    // One datapoint for the whole window, or hourly ones to keep those after a takeover.
    const every = cuts.has(s.arn) ? HOUR : windowSeconds;
    return [metric(`m${i}`, 'AWS/ECS', 'MemoryUtilization', dimensions, every, 'Maximum'), metric(`c${i}`, 'AWS/ECS', 'CPUUtilization', dimensions, every, 'Maximum')];
  });
  const requests = groups.map((arn) => metric(groupId.get(arn)!, 'AWS/ApplicationELB', 'RequestCountPerTarget', { TargetGroup: targetGroupDimension(arn) }, period, 'Sum'));
  const pointsOf = (q: MetricQuery) => windowSeconds / q.MetricStat.Period;
  const batches = [
    ...chunks(perTask, QUERIES_PER_CALL).map((queries) => ({ queries, points: queries.reduce((n, q) => n + pointsOf(q), 0) })),
    ...chunks(requests, Math.max(1, Math.min(QUERIES_PER_CALL, Math.floor(DATAPOINTS_PER_CALL / (windowSeconds / period))))).map((queries) => ({ queries, points: queries.length * (windowSeconds / period) })),
  ];
  const series = new Map<string, Series>();
  const failed = new Map<string, string>();
  const rate = kiloDatapointsPerSecond(now - window.StartTime);
  const pace = new TokenBucket({ burst: rate, perSecond: rate });
  // Batches pay for their datapoints one after another, and each is sent once
  // paid for: the calls spread over the pacing, not all sent at its end.
  let paid = Promise.resolve();
  await Promise.all(batches.map(async (batch) => {
    paid = paid.then(async () => {
      for (let k = 0; k < Math.ceil(batch.points / 1000); k += 1) await pace.take();
    });
    await paid;
    await readBatch(aws, batch.queries, window, series, failed);
  }));

  const usage: Record<string, ServiceUsage> = {};
  services.forEach((s, i) => {
    const since = cuts.get(s.arn);
    const memoryPercent = peak(series.get(`m${i}`), since);
    const cpuPercent = peak(series.get(`c${i}`), since);
    const perSecond = requestsPerSecond(targetGroupsOf(s).map((arn) => series.get(groupId.get(arn)!)), period);
    const none = since === undefined ? 'no datapoints: a new service, or no task ran in the window' : 'no datapoints since its current revision took over with another size';
    usage[s.arn] = {
      ...(memoryPercent !== undefined && { memoryPercent }),
      ...(cpuPercent !== undefined && { cpuPercent }),
      ...(perSecond !== undefined && { requestsPerSecond: perSecond }),
      ...(memoryPercent === undefined && { missing: failed.get(`m${i}`) ?? none }),
      ...(since !== undefined && Number.isFinite(since) && { since: new Date(since * 1000).toISOString() }),
    };
  });
  return { window: request.window, services: usage };
}
