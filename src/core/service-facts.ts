// Facts derived from a service and its task definition, shared by inspect,
// the precheck rules and the planner.
import type { Cluster, ContainerDefinition, LaunchKind, MeshStatus, Service, TaskDefinition } from './estate.js';

/** The capacity providers a service's tasks are placed with: its own strategy, else its cluster's default; none with a launch type. */
export function capacityProviders(service: Service, cluster: Cluster): string[] {
  if (service.launchType) return [];
  const strategy = service.capacityProviderStrategy.length > 0 ? service.capacityProviderStrategy : cluster.defaultCapacityProviderStrategy;
  return strategy.map((p) => p.capacityProvider);
}

/** A planned service's placement, when it has capacity providers (the plan summary does not price Fargate Spot). */
export function placement(service: Service, cluster: Cluster): { capacityProviders?: string[] } {
  const providers = capacityProviders(service, cluster);
  return providers.length > 0 ? { capacityProviders: providers } : {};
}

export function launchKind(service: Service, cluster: Cluster): LaunchKind {
  if (service.launchType === 'FARGATE' || service.launchType === 'EC2' || service.launchType === 'EXTERNAL') {
    return service.launchType;
  }
  const strategy = capacityProviders(service, cluster);
  // Capacity-provider services run on Fargate only when every provider is a Fargate one.
  if (strategy.length > 0 && strategy.every((p) => p.startsWith('FARGATE'))) return 'FARGATE';
  return 'EC2';
}

const ENVOY_MARKERS = ['APPMESH_RESOURCE_ARN', 'APPMESH_VIRTUAL_NODE_NAME', 'APPMESH_RESOURCE_NAME'];

export function envoyContainer(taskDefinition: TaskDefinition): ContainerDefinition | undefined {
  const proxyName = taskDefinition.proxyConfiguration?.type === 'APPMESH'
    ? taskDefinition.proxyConfiguration.containerName
    : undefined;
  return taskDefinition.containerDefinitions.find((c) =>
    c.name === proxyName || (c.environment ?? []).some((e) => ENVOY_MARKERS.includes(e.name)));
}

/** The App Mesh mesh and virtual node a meshed task's Envoy serves, from its APPMESH_RESOURCE_ARN. */
export function appMeshNode(taskDefinition: TaskDefinition): { mesh: string; node: string } | undefined {
  const value = envoyContainer(taskDefinition)?.environment?.find((e) => e.name === 'APPMESH_RESOURCE_ARN' || e.name === 'APPMESH_VIRTUAL_NODE_NAME')?.value;
  const match = value && /mesh\/([^/]+)\/virtualNode\/([^/]+)$/.exec(value);
  return match ? { mesh: match[1]!, node: match[2]! } : undefined;
}

export function meshStatus(service: Service, taskDefinition: TaskDefinition | undefined): MeshStatus {
  if (service.serviceConnect?.enabled) return 'service-connect';
  if (taskDefinition && envoyContainer(taskDefinition)) return 'appmesh';
  return 'none';
}

export function networkMode(taskDefinition: TaskDefinition): string {
  // ECS defaults to bridge on Linux EC2 when the field is absent.
  return taskDefinition.networkMode ?? 'bridge';
}

export interface Resources {
  cpu: number;
  memory: number;
}

/** What one task reserves on its host: task-level size when set, else the sum of its containers. */
export function taskReservation(taskDefinition: TaskDefinition): Resources {
  const containers = taskDefinition.containerDefinitions;
  const cpu = taskDefinition.cpu ? Number(taskDefinition.cpu) : containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const memory = taskDefinition.memory
    ? Number(taskDefinition.memory)
    : containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
  return { cpu, memory };
}

/** Tasks a rolling deployment may run on top of the desired count (maximumPercent). */
export function surgeTasks(service: Service): number {
  return Math.max(0, Math.floor((service.desiredCount * service.maximumPercent) / 100) - service.desiredCount);
}

export function containerPorts(taskDefinition: TaskDefinition, exclude: string[] = []): number[] {
  const ports = new Set<number>();
  for (const container of taskDefinition.containerDefinitions) {
    if (exclude.includes(container.name)) continue;
    for (const mapping of container.portMappings ?? []) {
      if (mapping.containerPort !== undefined) ports.add(mapping.containerPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
