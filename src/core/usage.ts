// What CloudWatch says a service really uses, as per-task peaks in the units
// of its task definition. ECS reports a service's CPUUtilization and
// MemoryUtilization as percentages of what the task definition specifies; the
// Maximum statistic is the busiest single task. Where the task sets no
// task-level size, the percentage is of its containers' reservations:
// memoryReservation (the soft limit) where a container sets one, else its hard
// limit (memory). That is why an EC2 task with reservations only can read
// 180%: it bursts past what it reserves. Source: Amazon ECS Developer Guide,
// "Amazon ECS service utilization metrics".
import type { MeshctlConfig } from '../config/config.js';
import type { Estate, Service, ServiceUsage, TaskDefinition } from './estate.js';
import type { Resources } from './service-facts.js';

/** Room kept over the observed memory peak when it sizes a hard limit: 25%. */
export const DEFAULT_USAGE_HEADROOM = 0.25;
export const DEFAULT_USAGE_WINDOW = '14d';

/** meshctl.yaml's usage.headroom (percent) as a fraction. */
export const usageHeadroom = (config: MeshctlConfig) => config.usage.headroom / 100;

export interface ObservedPeaks {
  /** The busiest task's memory, MiB, rounded up. */
  memoryMiB?: number;
  /** The busiest task's CPU, in CPU units, rounded up (absent when the task definition specifies no CPU). */
  cpuUnits?: number;
  /** Behind an ALB: requests per second per task at the busiest. */
  requestsPerSecond?: number;
}

/** What a service's usage is in the plan (the summary's size column). */
export interface PlannedUsage extends ObservedPeaks {
  window: string;
  /** Why there is no peak: the plan sized the task from its definition alone. */
  missing?: string;
  /** Peaks read from this time on: the current revision took over within the window with another size. */
  since?: string;
}

/** What ECS measures utilization against: the task-level size, else the containers' reservations. */
export function utilizationBase(taskDefinition: TaskDefinition): Resources {
  const containers = taskDefinition.containerDefinitions;
  return {
    cpu: taskDefinition.cpu ? Number(taskDefinition.cpu) : containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0),
    memory: taskDefinition.memory ? Number(taskDefinition.memory) : containers.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0),
  };
}

/** A percentage of `base`, rounded up (a hair of float error does not add a unit). */
const share = (percent: number, base: number) => Math.ceil((percent * base) / 100 - 1e-9);

export function observedPeaks(taskDefinition: TaskDefinition, usage: ServiceUsage | undefined): ObservedPeaks | undefined {
  if (!usage) return undefined;
  const base = utilizationBase(taskDefinition);
  return {
    ...(usage.memoryPercent !== undefined && base.memory > 0 && { memoryMiB: share(usage.memoryPercent, base.memory) }),
    ...(usage.cpuPercent !== undefined && base.cpu > 0 && { cpuUnits: share(usage.cpuPercent, base.cpu) }),
    ...(usage.requestsPerSecond !== undefined && { requestsPerSecond: Math.round(usage.requestsPerSecond) }),
  };
}

export function usageOf(estate: Estate, service: Service): ServiceUsage | undefined {
  return estate.usage?.services[service.arn];
}

/** The service's per-task peaks, when its usage was read and has any. */
export function peaksOf(estate: Estate, service: Service, taskDefinition: TaskDefinition): ObservedPeaks | undefined {
  return observedPeaks(taskDefinition, usageOf(estate, service));
}

/** Undefined when usage was not read at all (--no-usage). */
export function plannedUsage(estate: Estate, service: Service, taskDefinition: TaskDefinition): PlannedUsage | undefined {
  if (!estate.usage) return undefined;
  const usage = usageOf(estate, service);
  const peaks = observedPeaks(taskDefinition, usage) ?? {};
  const missing = peaks.memoryMiB === undefined ? usage?.missing ?? 'no datapoints' : undefined;
  return { window: estate.usage.window, ...peaks, ...(missing && { missing }), ...(usage?.since && { since: usage.since }) };
}

/** Over what the peaks were read: "over the last 14d", or "since 2026-12-03 10:00 UTC" where the current revision took over with another size. */
export function usageSpan(estate: Estate, service: Service): string {
  const since = usageOf(estate, service)?.since;
  return since ? `since ${since.slice(0, 16).replace('T', ' ')} UTC, when ${service.taskDefinitionArn.split('/').pop()} took over with another size` : `over the last ${estate.usage?.window}`;
}

/** "412 CPU units / 922 MiB, 620 requests/s per task": what precheck and the plan say of the peaks. */
export function describePeaks(peaks: ObservedPeaks): string {
  const parts = [peaks.cpuUnits === undefined ? undefined : `${peaks.cpuUnits} CPU units`, peaks.memoryMiB === undefined ? undefined : `${peaks.memoryMiB} MiB`]
    .filter((p): p is string => p !== undefined);
  const requests = peaks.requestsPerSecond === undefined ? '' : `, ${peaks.requestsPerSecond} requests/s per task`;
  return `${parts.join(' / ')}${requests}`;
}
