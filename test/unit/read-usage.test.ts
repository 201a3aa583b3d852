// The usage read against a scripted CloudWatch that batches and pages the way
// AWS does: 500 queries a call, every page followed, the window anchored on
// the hour; a refused read leaves services without a peak and says why; a
// recording of it replays on another day and for a subset of its services.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AwsCallError, type AwsCaller, type AwsInput } from '../../src/aws/caller.js';
import { readUsage } from '../../src/aws/read-usage.js';
import { createReplayCaller, loadFixtures, Recorder } from '../../src/aws/recording.js';
import type { Service } from '../../src/core/estate.js';
import { service, taskDefinition } from '../support/estate-builder.js';

type Query = { Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } };

const NOW = new Date('2026-12-03T09:41:07Z');
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef';

function services(count: number, extra: Partial<Service> = {}): Service[] {
  return Array.from({ length: count }, (_, i) => service(taskDefinition({ family: `svc${i}` }), { name: `svc${i}`, ...extra }));
}

/** CloudWatch: memory = 100 + the service's number %, CPU half that; 1200 requests in the busiest 5 minutes; pages of `pageSize` results. */
function cloudWatch(calls: AwsInput[], pageSize = 1000): AwsCaller {
  const answer = (q: Query) => {
    const dimension = (name: string) => q.MetricStat.Metric.Dimensions.find((d) => d.Name === name)?.Value ?? '';
    const n = Number(dimension('ServiceName').replace('svc', ''));
    if (dimension('ServiceName') === 'svc7') return { Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Complete' };
    if (q.MetricStat.Metric.MetricName === 'RequestCountPerTarget') {
      return { Id: q.Id, Timestamps: ['2026-12-01T10:00:00Z', '2026-12-01T10:05:00Z'], Values: [600, 186_000], StatusCode: 'Complete' };
    }
    const value = q.MetricStat.Metric.MetricName === 'MemoryUtilization' ? 100 + n : (100 + n) / 2;
    return { Id: q.Id, Timestamps: ['2026-11-19T09:00:00Z'], Values: [value], StatusCode: 'Complete' };
  };
  return {
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      if (operation !== 'GetMetricData') throw new Error(`unexpected ${operation}`);
      calls.push(input);
      const queries = input.MetricDataQueries as Query[];
      if (queries.length > 500) throw new AwsCallError('cloudwatch', operation, 'ValidationError', 'at most 500 queries');
      const start = Number(input.NextToken ?? 0);
      const page = queries.slice(start, start + pageSize).map(answer);
      return { MetricDataResults: page, ...(start + pageSize < queries.length && { NextToken: String(start + pageSize) }) } as T;
    },
  } as AwsCaller;
}

describe('readUsage', () => {
  it('reads 1000 services in 4 calls of 500 queries, each page followed, the window ending on the hour', async () => {
    const calls: AwsInput[] = [];
    const reading = await readUsage(cloudWatch(calls, 300), services(1000), {}, { window: '14d', now: NOW });
    const firsts = calls.filter((c) => c.NextToken === undefined);
    expect(firsts.map((c) => (c.MetricDataQueries as Query[]).length)).toEqual([500, 500, 500, 500]);
    expect(calls).toHaveLength(8);
    const end = Date.parse('2026-12-03T09:00:00Z') / 1000;
    expect(calls[0]).toMatchObject({ StartTime: end - 14 * 86_400, EndTime: end });
    const [memory, cpu] = calls[0]!.MetricDataQueries as Query[];
    const busiestTask = (MetricName: string) => ({
      Metric: { Namespace: 'AWS/ECS', MetricName, Dimensions: [{ Name: 'ClusterName', Value: 'c' }, { Name: 'ServiceName', Value: 'svc0' }] },
      Period: 14 * 86_400, Stat: 'Maximum',
    });
    expect([memory!.MetricStat, cpu!.MetricStat]).toEqual([busiestTask('MemoryUtilization'), busiestTask('CPUUtilization')]);
    const svc = services(1000);
    expect(reading.services[svc[999]!.arn]).toEqual({ memoryPercent: 1099, cpuPercent: 549.5 });
    expect(reading.services[svc[7]!.arn]!.missing).toBe('no datapoints: a new service, or no task ran in the window');
  });

  it('turns the busiest 5 minutes of RequestCountPerTarget into requests per second per task', async () => {
    const calls: AwsInput[] = [];
    const [api] = services(1, { loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }] });
    const reading = await readUsage(cloudWatch(calls), [api!], {}, { window: '14d', now: NOW });
    expect(reading.services[api!.arn]!.requestsPerSecond).toBe(620);
    const requests = (calls[1]!.MetricDataQueries as Query[])[0]!;
    expect(requests.MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/api/0123456789abcdef' }] },
      Period: 300, Stat: 'Sum',
    });
  });

  it('paces datapoints at CloudWatch\'s quota: 1000 target groups over 14 days go 25 a call (100,800 datapoints), spread at 396,000 a second', async () => {
    vi.useFakeTimers();
    try {
      const sent: { at: number; queries: number; points: number }[] = [];
      const aws = {
        async call<T>(_service: string, _operation: string, input: AwsInput): Promise<T> {
          const queries = input.MetricDataQueries as Query[];
          const span = Number(input.EndTime) - Number(input.StartTime);
          sent.push({ at: performance.now(), queries: queries.length, points: queries.reduce((n, q) => n + span / q.MetricStat.Period, 0) });
          return { MetricDataResults: [] } as T;
        },
      } as AwsCaller;
      const behindAlbs = services(1000).map((s, i) => ({ ...s, loadBalancers: [{ targetGroupArn: `${TG.replace('/api/', `/tg${i}/`)}`, containerName: 'app', containerPort: 8080 }] }));
      const reading = readUsage(aws, behindAlbs, {}, { window: '14d', now: NOW });
      await vi.runAllTimersAsync();
      await reading;

      // 4 calls of memory and CPU (2,000 datapoints), then 40 of 25 target groups × 4032 five-minute sums.
      expect(sent).toHaveLength(44);
      expect(sent.filter((c) => c.points === 100_800).map((c) => c.queries)).toEqual(Array(40).fill(25));
      let asked = 0;
      for (const call of sent) {
        asked += call.points;
        expect(asked, `${asked} datapoints asked by ${call.at} ms`).toBeLessThanOrEqual(396_000 * (1 + call.at / 1000));
      }
      // Sent as they are paid for: over the whole pacing, not all at its end.
      expect(sent[10]!.at).toBeLessThan(sent.at(-1)!.at / 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never fails the run: a refused read leaves each service without a peak, with the reason', async () => {
    const denied = { async call() { throw new AwsCallError('cloudwatch', 'GetMetricData', 'AccessDenied', 'User is not authorized to perform: cloudwatch:GetMetricData'); } } as unknown as AwsCaller;
    const [one] = services(1);
    const reading = await readUsage(denied, [one!], {}, { window: '7d', now: NOW });
    expect(reading).toEqual({ window: '7d', services: { [one!.arn]: { missing: 'CloudWatch GetMetricData: AccessDenied: User is not authorized to perform: cloudwatch:GetMetricData' } } });
  });

  it('counts a metric CloudWatch answers Forbidden or InternalError as unread, not as a peak from part of its data', async () => {
    const aws = {
      async call<T>(_service: string, _operation: string, input: AwsInput): Promise<T> {
        const results = (input.MetricDataQueries as Query[]).map((q) => {
          const name = q.MetricStat.Metric.Dimensions.find((d) => d.Name === 'ServiceName')!.Value;
          const status = q.MetricStat.Metric.MetricName === 'MemoryUtilization' ? { svc0: 'Forbidden', svc1: 'InternalError' }[name] ?? 'Complete' : 'Complete';
          return { Id: q.Id, Timestamps: ['2026-11-19T09:00:00Z'], Values: [40], StatusCode: status };
        });
        return { MetricDataResults: results } as T;
      },
    } as AwsCaller;
    const [forbidden, failing, fine] = services(3);
    const reading = await readUsage(aws, [forbidden!, failing!, fine!], {}, { window: '14d', now: NOW });
    expect(reading.services[forbidden!.arn]).toEqual({ cpuPercent: 40, missing: 'CloudWatch GetMetricData: Forbidden for this metric' });
    expect(reading.services[failing!.arn]).toEqual({ cpuPercent: 40, missing: 'CloudWatch GetMetricData: InternalError for this metric' });
    expect(reading.services[fine!.arn]).toEqual({ memoryPercent: 40, cpuPercent: 40 });
  });
});

describe('a revision that took over within the window', () => {
  /** search:2 registered two days ago; search:1 before it reserved `previousReservation` MiB. */
  function resized(previousReservation: number) {
    const td = taskDefinition({ family: 'search', revision: 2, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/search:2', cpu: undefined, memory: '1217', registeredAt: '2026-12-01T08:10:00.000Z' } as never);
    const svc = service(td, { name: 'search', deployments: [{ id: 'd2', status: 'PRIMARY', taskDefinition: td.taskDefinitionArn, desiredCount: 2, runningCount: 2, createdAt: '2026-12-01T08:20:00.000Z' }] });
    const calls: { operation: string; input: AwsInput }[] = [];
    const aws = {
      async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
        calls.push({ operation, input });
        if (operation === 'DescribeTaskDefinition') return { taskDefinition: { ...td, revision: 1, memory: String(previousReservation) } } as T;
        const [m, c] = input.MetricDataQueries as Query[];
        // Hourly: 180% of the old size before the takeover, 40% of the new one after.
        const hourly = { Timestamps: ['2026-11-30T09:00:00Z', '2026-12-01T08:00:00Z', '2026-12-01T12:00:00Z'], Values: [180, 175, 40], StatusCode: 'Complete' };
        const whole = { Timestamps: ['2026-11-19T09:00:00Z'], Values: [180], StatusCode: 'Complete' };
        const answer = m!.MetricStat.Period === 3600 ? hourly : whole;
        return { MetricDataResults: [{ Id: m!.Id, ...answer }, { Id: c!.Id, ...answer }] } as T;
      },
    } as AwsCaller;
    return { td, svc, calls, aws };
  }

  it('with another size: peaks count only from the hour after it took over, read hourly', async () => {
    const { td, svc, calls, aws } = resized(1024);
    const reading = await readUsage(aws, [svc], { [td.taskDefinitionArn]: td }, { window: '14d', now: NOW });
    expect(calls.map((c) => c.operation)).toEqual(['DescribeTaskDefinition', 'GetMetricData']);
    expect(calls[0]!.input).toEqual({ taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/search:1' });
    expect((calls[1]!.input.MetricDataQueries as Query[])[0]!.MetricStat.Period).toBe(3600);
    expect(reading.services[svc.arn]).toEqual({ memoryPercent: 40, cpuPercent: 40, since: '2026-12-01T09:00:00.000Z' });
  });

  it('with the same size: the whole window counts', async () => {
    const { td, svc, aws } = resized(1217);
    const reading = await readUsage(aws, [svc], { [td.taskDefinitionArn]: td }, { window: '14d', now: NOW });
    expect(reading.services[svc.arn]).toEqual({ memoryPercent: 180, cpuPercent: 180 });
  });
});

describe('replaying a recorded usage read', () => {
  it('answers it on another day, and for a subset of its services, by what each query asks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-usage-'));
    const recorder = new Recorder();
    const all = services(3);
    const recorded = await readUsage(recorder.wrap(cloudWatch([])), all, {}, { window: '14d', now: NOW });
    await recorder.write(dir, 'us-east-1');
    const replay = createReplayCaller(dir, await loadFixtures(dir));

    const aWeekLater = await readUsage(replay, all, {}, { window: '14d', now: new Date('2026-12-10T17:02:00Z') });
    expect(aWeekLater).toEqual(recorded);
    const subset = await readUsage(replay, [all[2]!], {}, { window: '14d', now: NOW });
    expect(subset.services[all[2]!.arn]).toEqual(recorded.services[all[2]!.arn]);
    // Another window was not recorded: no peak, and the run goes on.
    const other = await readUsage(replay, [all[0]!], {}, { window: '30d', now: NOW });
    expect(other.services[all[0]!.arn]!.missing).toBe('the fixtures hold no CloudWatch read of this window for it');
  });
});
