// Small builders for estates in unit tests: plain data, no AWS.
import type { Cluster, ContainerDefinition, ContainerInstance, Estate, Service, TaskDefinition } from '../../src/core/estate.js';

let counter = 0;

export function container(overrides: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return { name: 'app', image: 'app:1', essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }], ...overrides };
}

export function taskDefinition(overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  counter += 1;
  const family = overrides.family ?? `family${counter}`;
  return {
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:1`,
    family,
    revision: 1,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    cpu: '512',
    memory: '1024',
    requiresCompatibilities: ['FARGATE'],
    taskRoleArn: 'arn:aws:iam::123456789012:role/app-task',
    containerDefinitions: [container()],
    ...overrides,
  };
}

export function service(td: TaskDefinition, overrides: Partial<Service> = {}): Service {
  const name = overrides.name ?? td.family;
  return {
    name,
    arn: `arn:aws:ecs:us-east-1:123456789012:service/c/${name}`,
    clusterName: 'c',
    status: 'ACTIVE',
    launchType: 'FARGATE',
    capacityProviderStrategy: [],
    platformVersion: 'LATEST',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentController: 'ECS',
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1' }],
    loadBalancers: [],
    taskDefinitionArn: td.taskDefinitionArn,
    deployments: [],
    events: [],
    ...overrides,
  };
}

export function instance(overrides: Partial<ContainerInstance> = {}): ContainerInstance {
  counter += 1;
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/c/${counter}`,
    instanceType: 't3.medium',
    status: 'ACTIVE',
    agentVersion: '1.80.0',
    registered: { cpu: 2048, memory: 3904 },
    remaining: { cpu: 2048, memory: 3904 },
    runningTasksCount: 0,
    trunked: false,
    ...overrides,
  };
}

export function cluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    name: 'c',
    arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    status: 'ACTIVE',
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
    services: [],
    containerInstances: [],
    tasks: [],
    ...overrides,
  };
}

/** An estate of one cluster holding the given services and their task definitions. */
export function estate(parts: { services: [Service, TaskDefinition][]; cluster?: Partial<Cluster>; trunking?: boolean }): Estate {
  return {
    region: 'us-east-1',
    clusters: [cluster({ services: parts.services.map(([s]) => s), ...parts.cluster })],
    taskDefinitions: Object.fromEntries(parts.services.map(([, td]) => [td.taskDefinitionArn, td])),
    instanceTypes: {
      't3.medium': { name: 't3.medium', maxNetworkInterfaces: 3, vcpus: 2, memoryMiB: 4096 },
      'm5.large': { name: 'm5.large', maxNetworkInterfaces: 3, vcpus: 2, memoryMiB: 8192 },
    },
    awsvpcTrunking: parts.trunking ?? false,
    cloudMap: { namespaces: [], services: [{ id: 'srv-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1', name: 'x', namespaceId: 'ns-1' }] },
    appMesh: { meshes: [] },
  };
}
