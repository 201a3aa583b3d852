// Sizing from what tasks really use: CloudWatch peaks turned into per-task
// numbers, Service Connect's hard memory limit sized from the peak, a busy
// task's agent given AWS's 512 CPU units, App Mesh's headroom checked against
// the peaks, and precheck and the plan saying the same numbers.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { withUsageFlags } from '../../src/cli/usage-flags.js';
import { cpuMemoryHeadroom } from '../../src/core/checks/cpu-memory-headroom.js';
import { observedUsage } from '../../src/core/checks/observed-usage.js';
import type { RuleFinding, ServiceRule } from '../../src/core/checks/rule.js';
import { taskMemory } from '../../src/core/checks/task-memory.js';
import type { Estate, Service, ServiceUsage, TaskDefinition } from '../../src/core/estate.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { sizeForServiceConnect } from '../../src/core/serviceconnect/sizing.js';
import { DEFAULT_SIDECAR_SIZING, type Target } from '../../src/core/sidecars.js';
import { observedPeaks, utilizationBase } from '../../src/core/usage.js';
import { renderPlanSummary } from '../../src/render/plan-summary.js';
import { parseWindowHours } from '../../src/util/duration.js';
import { container, estate, instance, service, taskDefinition } from '../support/estate-builder.js';

/** An EC2 task whose one container reserves 512 MiB and sets no limit: it may burst past that today. */
const reservationsOnly = () => taskDefinition({
  family: 'search', requiresCompatibilities: ['EC2'], networkMode: 'bridge', cpu: undefined, memory: undefined,
  containerDefinitions: [container({ name: 'search', cpu: 256, memoryReservation: 512, portMappings: [{ containerPort: 8080, hostPort: 0 }] })],
});

function withUsage(td: TaskDefinition, usage: ServiceUsage | undefined, svc: Partial<Service> = {}): Estate {
  const s = service(td, { launchType: td.requiresCompatibilities?.includes('EC2') ? 'EC2' : 'FARGATE', ...svc });
  const est = estate({ services: [[s, td]], cluster: { containerInstances: [instance(), instance()] } });
  est.usage = { window: '14d', services: usage ? { [s.arn]: usage } : {} };
  return est;
}

function run(rule: ServiceRule, est: Estate, target: Target = 'service-connect', headroom?: number): RuleFinding[] {
  const cluster = est.clusters[0]!;
  const svc = cluster.services[0]!;
  return rule.check({ estate: est, cluster, service: svc, taskDefinition: est.taskDefinitions[svc.taskDefinitionArn]!, target, sizing: DEFAULT_SIDECAR_SIZING, ...(headroom !== undefined && { headroom }) });
}

describe('observed peaks', () => {
  it('are percentages of the reservations where a task sets no task-level size (soft limit before hard, as ECS measures)', () => {
    const td = taskDefinition({ cpu: undefined, memory: undefined, containerDefinitions: [container({ cpu: 256, memory: 1024, memoryReservation: 512 }), container({ name: 'b', cpu: 128, memory: 256 })] });
    expect(utilizationBase(td)).toEqual({ cpu: 384, memory: 768 });
    expect(observedPeaks(td, { memoryPercent: 180, cpuPercent: 250 })).toEqual({ memoryMiB: 1383, cpuUnits: 960 });
  });

  it('are percentages of the task size where it has one; 180% of 512 MiB is 922 MiB', () => {
    expect(observedPeaks(taskDefinition({ cpu: '512', memory: '1024' }), { memoryPercent: 50, cpuPercent: 12.5 })).toEqual({ memoryMiB: 512, cpuUnits: 64 });
    expect(observedPeaks(reservationsOnly(), { memoryPercent: 180 })!.memoryMiB).toBe(922);
  });
});

describe('Service Connect sizing from peaks', () => {
  const options = { launch: 'EC2' as const, sizing: DEFAULT_SIDECAR_SIZING, keepXray: false, agentPresent: false };

  it('sets a hard limit of at least the peak × 1.25 + the agent\'s 64 MiB, whole MiB on EC2', () => {
    const size = sizeForServiceConnect(reservationsOnly(), { ...options, peaks: { memoryMiB: 922 } });
    expect(size.memory).toBe(Math.ceil(922 * 1.25 + 64));
    expect(size.memory).toBe(1217);
    expect(size.memoryFromDefinition).toBe(576);
    expect(sizeForServiceConnect(reservationsOnly(), options).memory).toBe(576);
  });

  it('rounds up to a valid Fargate size, and follows the headroom asked for', () => {
    const td = taskDefinition({ cpu: '512', memory: '1024', containerDefinitions: [container({ cpu: 256, memory: 512 })] });
    expect(sizeForServiceConnect(td, { ...options, launch: 'FARGATE', peaks: { memoryMiB: 973 } })).toMatchObject({ cpu: 512, memory: 2048, memoryForPeak: 1281 });
    expect(sizeForServiceConnect(reservationsOnly(), { ...options, peaks: { memoryMiB: 922 }, headroom: 0.5 }).memory).toBe(922 * 1.5 + 64);
  });

  it('gives the agent 512 CPU units above 500 requests per second per task, and grows the task to hold them', () => {
    const td = taskDefinition({ cpu: '512', memory: '1024', containerDefinitions: [container({ cpu: 256, memory: 512 })] });
    const calm = sizeForServiceConnect(td, { ...options, launch: 'FARGATE', peaks: { requestsPerSecond: 480 } });
    expect(calm).toMatchObject({ busyAgent: false, cpu: 512, memory: 1024 });
    const busy = sizeForServiceConnect(td, { ...options, launch: 'FARGATE', peaks: { requestsPerSecond: 620 } });
    expect(busy).toMatchObject({ busyAgent: true, agent: { cpu: 512, memory: 64 }, cpu: 1024, memory: 2048 });
  });
});

describe('task-memory with usage', () => {
  it('warns with the numbers when the peak is past what the reservations would give', () => {
    const [f] = run(taskMemory, withUsage(reservationsOnly(), { memoryPercent: 180 }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.message).toBe('peak 922 MiB (busiest task over the last 14d) against 512 MiB of reservations: a hard limit of 576 MiB would OOM-kill it; the plan sets 1217 MiB (the peak + 25% + the agent\'s 64 MiB)');
  });

  it('warns on a new hard limit that holds the peak, saying by how much', () => {
    const [f] = run(taskMemory, withUsage(reservationsOnly(), { memoryPercent: 50 }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.message).toContain('the plan sets 576 MiB');
    expect(f!.message).toContain('at least 25% over the peak of 256 MiB (busiest task over the last 14d)');
  });

  it('keeps today\'s size with no data, and says why per service', () => {
    const [f] = run(taskMemory, withUsage(reservationsOnly(), { missing: 'CloudWatch GetMetricData: AccessDenied: not allowed' }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.message).toContain('the plan sets 576 MiB');
    expect(f!.message).toContain('no usage data to size it from (CloudWatch GetMetricData: AccessDenied: not allowed)');
    const [info] = run(observedUsage, withUsage(reservationsOnly(), undefined));
    expect(info).toMatchObject({ severity: 'info' });
    expect(info!.message).toContain('no usage in CloudWatch over the last 14d (no datapoints): sized from the task definition alone');
  });

  it('warns where task memory exists but the agent would leave the peak less than the headroom', () => {
    const td = taskDefinition({ cpu: '1024', memory: '2048', containerDefinitions: [container({ cpu: 512, memory: 1024 })] });
    const [f] = run(taskMemory, withUsage(td, { memoryPercent: 90 }));
    expect(f!.message).toContain('peak 1844 MiB (busiest task over the last 14d) against its 2048 MiB of task memory: a hard limit of 2048 MiB would leave less than 25% over it');
    expect(f!.message).toContain('the plan sets 3072 MiB');
    expect(run(taskMemory, withUsage(td, { memoryPercent: 40 }))).toEqual([]);
  });
});

describe('cpu-memory-headroom with usage', () => {
  it('App Mesh: reports when the peaks leave less than the headroom once Envoy and X-Ray are in', () => {
    const td = taskDefinition({ requiresCompatibilities: ['EC2'], cpu: '1024', memory: '2048', containerDefinitions: [container({ cpu: 512, memoryReservation: 1024 })] });
    const tight = run(cpuMemoryHeadroom, withUsage(td, { memoryPercent: 95, cpuPercent: 90 }), 'appmesh').find((f) => f.message.includes('peaks'));
    expect(tight).toMatchObject({ severity: 'warning' });
    expect(tight!.message).toContain('leave less than 25% headroom once the Envoy and X-Ray sidecars take 544 CPU / 320 MiB of 1568 CPU / 2368 MiB');
    expect(tight!.message).toContain('CPU peak 922 units against 1024 left for the app; memory peak 1946 MiB against 2048 MiB left for the app');
    expect(run(cpuMemoryHeadroom, withUsage(td, { memoryPercent: 60, cpuPercent: 50 }), 'appmesh').some((f) => f.message.includes('peaks'))).toBe(false);
  });

  it('Service Connect: says a busy task\'s agent gets 512 CPU units, or warns where the task has no CPU to give', () => {
    const td = taskDefinition({ cpu: '512', memory: '1024', containerDefinitions: [container({ cpu: 256, memory: 512 })] });
    const said = run(cpuMemoryHeadroom, withUsage(td, { memoryPercent: 30, requestsPerSecond: 620 })).find((f) => f.message.includes('requests per second'));
    expect(said).toMatchObject({ severity: 'info' });
    expect(said!.message).toContain('peak 620 requests per second per task (last 14d) is above AWS\'s 500: the plan sizes the Service Connect agent at 512 CPU units instead of 256, and the task at 1024 CPU / 2048 MiB');
    const ec2 = run(cpuMemoryHeadroom, withUsage(reservationsOnly(), { memoryPercent: 30, requestsPerSecond: 620 })).find((f) => f.message.includes('requests per second'));
    expect(ec2).toMatchObject({ severity: 'warning' });
    expect(ec2!.message).toContain('the task sets no task-level CPU');
  });
});

describe('precheck and plan', () => {
  const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'HTTP' };

  function planOf(est: Estate, config: Record<string, unknown> = {}) {
    est.cloudMap = { namespaces: [NS], services: [] };
    return planServiceConnect({
      estate: est, config: parseConfig({ cloudMap: { namespace: 'shop.local' }, ...config }, 't'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} },
      createdAt: 'now', strategy: 'blue-green', removeMeshResources: false,
    });
  }

  it('say the same numbers: precheck\'s warning names the size the plan registers, and the summary shows the peak', () => {
    const est = withUsage(reservationsOnly(), { memoryPercent: 180, cpuPercent: 150 });
    const finding = runPrecheck(est, { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING, headroom: 0.25 }).findings.find((f) => f.rule === 'task-memory')!;
    const plan = planOf(est);
    const register = plan.steps.find((s) => s.operation === 'RegisterTaskDefinition')!;
    expect(register.input.memory).toBe('1217');
    expect(finding.message).toContain(`the plan sets ${register.input.memory} MiB`);
    expect(plan.services[0]!.findings.find((f) => f.rule === 'task-memory')!.message).toBe(finding.message);
    expect(plan.services[0]!.usage).toEqual({ window: '14d', memoryMiB: 922, cpuUnits: 384 });
    const summary = renderPlanSummary(plan, { [reservationsOnly().taskDefinitionArn]: {} });
    expect(summary).toMatch(/-\/- → -\/1217 \(peak 384\/922\)/);
    expect(summary).toContain('(and requests per second behind an ALB) in CloudWatch over the last 14d');
  });

  it('follow meshctl.yaml\'s headroom in both, and the plan notes a busy task\'s agent', () => {
    const est = withUsage(reservationsOnly(), { memoryPercent: 180 });
    expect(planOf(est, { usage: { headroom: 50 } }).steps[0]!.input.memory).toBe(String(922 * 1.5 + 64));
    const td = taskDefinition({ family: 'api', cpu: '512', memory: '1024', containerDefinitions: [container({ cpu: 256, memory: 512 })] });
    const busy = planOf(withUsage(td, { memoryPercent: 30, requestsPerSecond: 620 }));
    expect(busy.steps[0]!.input).toMatchObject({ cpu: '1024', memory: '2048' });
    expect(busy.services[0]!.notes!.join('\n')).toContain('peak 620 requests/s per task, above AWS\'s 500: the Service Connect agent is sized at 512 CPU units');
  });

  it('show no peak column without usage (--no-usage)', () => {
    const est = withUsage(reservationsOnly(), undefined);
    delete est.usage;
    const plan = planOf(est);
    expect(plan.services[0]!.usage).toBeUndefined();
    expect(renderPlanSummary(plan, {})).not.toContain('peak');
  });
});

describe('usage settings', () => {
  it('take the window and headroom from meshctl.yaml, then the flags; bad values are clear errors', () => {
    const base = parseConfig({ usage: { window: '30d', headroom: 40 } }, 'meshctl.yaml');
    expect(base.usage).toEqual({ read: true, window: '30d', headroom: 40 });
    expect(withUsageFlags(base, { usage: false, usageWindow: '36h', usageHeadroom: '10%' }).usage).toEqual({ read: false, window: '36h', headroom: 10 });
    expect(() => parseConfig({ usage: { window: '90m' } }, 'meshctl.yaml')).toThrow('meshctl.yaml: usage.window: whole hours or days between 1h and 455d');
    expect(() => withUsageFlags(base, { usageWindow: '500d' })).toThrow('--usage-window 500d: give whole hours or days between 1h and 455d');
    expect(() => withUsageFlags(base, { usageHeadroom: 'lots' })).toThrow('--usage-headroom lots: give a percentage between 0 and 400');
    expect(parseWindowHours('14d', '--usage-window')).toBe(336);
  });
});
