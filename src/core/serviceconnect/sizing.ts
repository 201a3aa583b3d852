// Sizes a task for Service Connect the way AWS does: the agent ECS injects
// runs on what the task-level limits leave over the containers' limits, so a
// task with room keeps its size; only the missing part is added. Service
// Connect also needs task-level memory, on EC2 too. Precheck and the plan
// both size through here, so what precheck announces is what the plan does.
// Source: Amazon ECS Developer Guide, "Service Connect configuration", proxy
// resources (256 CPU units and 64 MiB recommended; the proxy uses what the
// task-level limits leave over the containers' limits; task-level memory is
// required).
import type { ContainerDefinition, LaunchKind, TaskDefinition } from '../estate.js';
import { isValidFargateSize, smallestFargateSize } from '../fargate.js';
import { envoyContainer, taskReservation, type Resources } from '../service-facts.js';
import { XRAY_CONTAINER, type SidecarSizing } from '../sidecars.js';

export interface ServiceConnectSizeInput {
  launch: LaunchKind;
  sizing: SidecarSizing;
  /** Keep an existing X-Ray daemon of a service leaving App Mesh. */
  keepXray: boolean;
  /** The service already runs on Service Connect: its agent is accounted for. */
  agentPresent: boolean;
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
}

/** A container's share of the task limit: its hard limit, else its reservation. */
const memoryOf = (c: ContainerDefinition) => c.memory ?? c.memoryReservation;

export function removedForServiceConnect(taskDefinition: TaskDefinition, keepXray: boolean): string[] {
  const envoy = envoyContainer(taskDefinition);
  if (!envoy) return [];
  const xray = !keepXray && taskDefinition.containerDefinitions.some((c) => c.name === XRAY_CONTAINER);
  return xray ? [envoy.name, XRAY_CONTAINER] : [envoy.name];
}

export function sizeForServiceConnect(taskDefinition: TaskDefinition, input: ServiceConnectSizeInput): ServiceConnectSize {
  const removed = removedForServiceConnect(taskDefinition, input.keepXray);
  const containers = taskDefinition.containerDefinitions.filter((c) => !removed.includes(c.name));
  const agent = input.agentPresent ? { cpu: 0, memory: 0 } : input.sizing.serviceConnectAgent;
  const containerCpu = containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const before = taskReservation(taskDefinition);
  const taskCpu = taskDefinition.cpu ? Number(taskDefinition.cpu) : undefined;
  const taskMemory = taskDefinition.memory ? Number(taskDefinition.memory) : undefined;

  let memory: number | undefined;
  let problem: string | undefined;
  if (taskMemory !== undefined) {
    const used = containers.reduce((sum, c) => sum + (memoryOf(c) ?? 0), 0);
    memory = Math.max(taskMemory, used + agent.memory);
  } else {
    const unsized = containers.filter((c) => memoryOf(c) === undefined).map((c) => c.name);
    if (unsized.length > 0) {
      problem = `the task definition has no task-level memory, which Service Connect requires, and container(s) ${unsized.join(', ')} set no memory, so meshctl cannot work out a task memory that holds them and the agent`;
    } else {
      memory = containers.reduce((sum, c) => sum + memoryOf(c)!, 0) + input.sizing.serviceConnectAgent.memory;
    }
  }
  let cpu = taskCpu === undefined ? undefined : Math.max(taskCpu, containerCpu + agent.cpu);

  if (input.launch === 'FARGATE' && cpu !== undefined && memory !== undefined && !isValidFargateSize({ cpu, memory })) {
    const size = smallestFargateSize({ cpu, memory });
    if (size) ({ cpu, memory } = size);
    else problem = `the task with the Service Connect agent (${cpu} CPU / ${memory} MiB) is larger than any Fargate size`;
  }
  const after = { cpu: cpu ?? containerCpu, memory: memory ?? before.memory };
  return {
    removed, cpu, memory, before, after,
    fitsInRoom: after.cpu <= before.cpu && after.memory <= before.memory,
    ...(problem && { problem }),
  };
}
