// Task ENI capacity of container instances for awsvpc tasks.
import { TRUNK_TASK_ENIS } from './eni-trunking-table.js';
import type { ContainerInstance, Estate } from './estate.js';

export interface InstanceEniCapacity {
  instance: ContainerInstance;
  /** ENIs tasks may use: max network interfaces minus the primary, or the trunk limit. */
  taskEnis: number | undefined;
  maxNetworkInterfaces: number | undefined;
  inUse: number;
}

export function instanceEniCapacity(estate: Estate, instance: ContainerInstance, tasksOnInstance: number): InstanceEniCapacity {
  const type = instance.instanceType ? estate.instanceTypes[instance.instanceType] : undefined;
  const maxNetworkInterfaces = type?.maxNetworkInterfaces;
  let taskEnis = maxNetworkInterfaces !== undefined ? Math.max(0, maxNetworkInterfaces - 1) : undefined;
  // A trunked instance's limit comes from AWS's table by instance type; a type it lacks is unknown, not guessed.
  if (instance.trunked) taskEnis = instance.instanceType ? TRUNK_TASK_ENIS[instance.instanceType] : undefined;
  return { instance, taskEnis, maxNetworkInterfaces, inUse: tasksOnInstance };
}
