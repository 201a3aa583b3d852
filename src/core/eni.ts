// Task ENI capacity of container instances for awsvpc tasks.
import type { ContainerInstance, Estate } from './estate.js';

// ENIs available to tasks on instances with a trunk ENI, by instance size, from
// the ECS developer guide's ENI trunking table (c5/m5/r5 and later families).
const TRUNK_TASK_ENIS_BY_SIZE: Record<string, number> = {
  large: 10,
  xlarge: 20,
  '2xlarge': 40,
  '4xlarge': 60,
  '8xlarge': 60,
  '9xlarge': 60,
  '12xlarge': 60,
  '16xlarge': 120,
  '18xlarge': 120,
  '24xlarge': 120,
  metal: 120,
};

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
  if (instance.trunked && instance.instanceType) {
    const size = instance.instanceType.split('.')[1] ?? '';
    taskEnis = TRUNK_TASK_ENIS_BY_SIZE[size] ?? taskEnis;
  }
  return { instance, taskEnis, maxNetworkInterfaces, inUse: tasksOnInstance };
}
