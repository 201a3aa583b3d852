// Sizes a task for Service Connect the way AWS does: the agent ECS injects
// runs on what the task-level limits leave over the containers' limits, so a
// task with room keeps its size; only the missing part is added. Service
// Connect also needs task-level memory, on EC2 too, and that task memory is a
// hard limit: where CloudWatch saw the busiest task use more, the limit is
// sized from that peak plus headroom, not from the reservations alone. Precheck
// and the plan both size through here, so what precheck announces is what the
// plan does.
// Source: Amazon ECS Developer Guide, "Amazon ECS Service Connect components"
// (service-connect-concepts-deploy.html), proxy resources (256 CPU units and
// 64 MiB recommended; 512 CPU units for tasks receiving more than 500
// requests per second at their peak load; the proxy uses what the task-level
// limits leave over the containers' limits; task memory is required, on EC2
// too).
import type { Cluster, ContainerDefinition, Estate, LaunchKind, Service, TaskDefinition } from '../estate.js';
import { isValidFargateSize, smallestFargateSize } from '../fargate.js';
import { envoyContainer, launchKind, taskReservation, type Resources } from '../service-facts.js';
import { XRAY_CONTAINER, type SidecarSizing } from '../sidecars.js';
import { DEFAULT_USAGE_HEADROOM, peaksOf, type ObservedPeaks } from '../usage.js';

/**
 * AWS's guidance for busy tasks: where a task receives more than 500 requests
 * per second at its peak, add 512 CPU units to the task for the agent instead
 * of 256 (Amazon ECS Developer Guide, "Amazon ECS Service Connect components").
 * The peak is the busiest 5 minutes of the service's target groups'
 * RequestCountPerTarget (src/aws/read-usage.ts).
 */
export const BUSY_AGENT = { requestsPerSecond: 500, cpu: 512 };

export interface ServiceConnectSizeInput {
  launch: LaunchKind;
  sizing: SidecarSizing;
  /** Keep an existing X-Ray daemon of a service leaving App Mesh. */
  keepXray: boolean;
  /** The service already runs on Service Connect: its agent is accounted for. */
  agentPresent: boolean;
  /** The busiest task's observed peaks (src/core/usage.ts); none: sized from the task definition alone. */
  peaks?: ObservedPeaks;
  /** Room kept over the memory peak, as a fraction (0.25). */
  headroom?: number;
}

export interface ServiceConnectSize {
  /** Containers that leave the task (Envoy and, unless kept, X-Ray). */
  removed: string[];
  /** Task-level CPU and memory after the move (CPU stays unset where the task has none, on EC2). */
  cpu?: number;
  memory?: number;
  /** What the scheduler reserves per task, before and after. */
  before: Resources;
  after: Resources;
  /** The agent fits in room the task already leaves: nothing grows. */
  fitsInRoom: boolean;
  /** Why the task memory cannot be worked out; the service is blocked (rule task-memory). */
  problem?: string;
  /** What the agent needs (nothing when it already runs there). */
  agent: Resources;
  /** The peak is above AWS's 500 requests per second per task: the agent gets 512 CPU units. */
  busyAgent: boolean;
  /** The task memory the task definition alone gives (as without usage). */
  memoryFromDefinition?: number;
  /** What the memory peak asks for: peak × (1 + headroom) plus the agent. */
  memoryForPeak?: number;
}

/** A container's share of the task limit: its hard limit, else its reservation. */
const memoryOf = (c: ContainerDefinition) => c.memory ?? c.memoryReservation;

export function removedForServiceConnect(taskDefinition: TaskDefinition, keepXray: boolean): string[] {
  const envoy = envoyContainer(taskDefinition);
  if (!envoy) return [];
  const xray = !keepXray && taskDefinition.containerDefinitions.some((c) => c.name === XRAY_CONTAINER);
  return xray ? [envoy.name, XRAY_CONTAINER] : [envoy.name];
}

function agentOf(input: ServiceConnectSizeInput): { agent: Resources; busy: boolean } {
  if (input.agentPresent) return { agent: { cpu: 0, memory: 0 }, busy: false };
  const base = input.sizing.serviceConnectAgent;
  const busy = (input.peaks?.requestsPerSecond ?? 0) > BUSY_AGENT.requestsPerSecond;
  return { agent: { cpu: busy ? Math.max(base.cpu, BUSY_AGENT.cpu) : base.cpu, memory: base.memory }, busy };
}

/** Task memory from the containers' limits (and the task's own), or why it cannot be worked out. */
function definitionMemory(taskDefinition: TaskDefinition, containers: ContainerDefinition[], agentMemory: number, sizing: SidecarSizing): { memory?: number; problem?: string } {
  const taskMemory = taskDefinition.memory ? Number(taskDefinition.memory) : undefined;
  if (taskMemory !== undefined) {
    const used = containers.reduce((sum, c) => sum + (memoryOf(c) ?? 0), 0);
    return { memory: Math.max(taskMemory, used + agentMemory) };
  }
  const unsized = containers.filter((c) => memoryOf(c) === undefined).map((c) => c.name);
  if (unsized.length > 0) {
    return { problem: `the task definition has no task-level memory, which Service Connect requires, and container(s) ${unsized.join(', ')} set no memory, so meshctl cannot work out a task memory that holds them and the agent` };
  }
  return { memory: containers.reduce((sum, c) => sum + memoryOf(c)!, 0) + sizing.serviceConnectAgent.memory };
}

function size(taskDefinition: TaskDefinition, input: ServiceConnectSizeInput): ServiceConnectSize {
  const removed = removedForServiceConnect(taskDefinition, input.keepXray);
  const containers = taskDefinition.containerDefinitions.filter((c) => !removed.includes(c.name));
  const { agent, busy } = agentOf(input);
  const containerCpu = containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const before = taskReservation(taskDefinition);
  const taskCpu = taskDefinition.cpu ? Number(taskDefinition.cpu) : undefined;

  let { memory, problem } = definitionMemory(taskDefinition, containers, agent.memory, input.sizing);
  const peak = input.peaks?.memoryMiB;
  const memoryForPeak = peak === undefined ? undefined : Math.ceil(peak * (1 + (input.headroom ?? DEFAULT_USAGE_HEADROOM)) - 1e-9) + agent.memory;
  if (memory !== undefined && memoryForPeak !== undefined) memory = Math.max(memory, memoryForPeak);
  let cpu = taskCpu === undefined ? undefined : Math.max(taskCpu, containerCpu + agent.cpu);

  if (input.launch === 'FARGATE' && cpu !== undefined && memory !== undefined && !isValidFargateSize({ cpu, memory })) {
    const fargate = smallestFargateSize({ cpu, memory });
    if (fargate) ({ cpu, memory } = fargate);
    else problem = `the task with the Service Connect agent (${cpu} CPU / ${memory} MiB) is larger than any Fargate size`;
  }
  const after = { cpu: cpu ?? containerCpu, memory: memory ?? before.memory };
  return {
    removed, cpu, memory, before, after, agent, busyAgent: busy,
    fitsInRoom: after.cpu <= before.cpu && after.memory <= before.memory,
    ...(memoryForPeak !== undefined && { memoryForPeak }),
    ...(problem && { problem }),
  };
}

export function sizeForServiceConnect(taskDefinition: TaskDefinition, input: ServiceConnectSizeInput): ServiceConnectSize {
  const sized = size(taskDefinition, input);
  const fromDefinition = input.peaks ? size(taskDefinition, { ...input, peaks: undefined }).memory : sized.memory;
  return { ...sized, ...(fromDefinition !== undefined && { memoryFromDefinition: fromDefinition }) };
}

/** One service of the estate, sized with its observed peaks: what precheck's rules and the planner both use. */
export function serviceConnectSizeOf(
  estate: Estate, cluster: Cluster, service: Service, taskDefinition: TaskDefinition, options: { sizing: SidecarSizing; keepXray?: boolean; headroom?: number },
): ServiceConnectSize {
  return sizeForServiceConnect(taskDefinition, {
    launch: launchKind(service, cluster), sizing: options.sizing, keepXray: options.keepXray ?? false,
    agentPresent: service.serviceConnect?.enabled === true, peaks: peaksOf(estate, service, taskDefinition), headroom: options.headroom,
  });
}
