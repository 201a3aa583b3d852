// Rewrites a task definition for App Mesh: Envoy and X-Ray sidecars, the
// APPMESH proxy configuration, and a task size that holds them. Idempotent:
// what is already meshed is kept as it is.
import type { ContainerDefinition, KeyValue, LaunchKind, ProxyConfiguration, TaskDefinition } from '../estate.js';
import { smallestFargateSize } from '../fargate.js';
import { envoyContainer } from '../service-facts.js';
import { ENVOY_CONTAINER, sidecarAddition, XRAY_CONTAINER, type SidecarSizing } from '../sidecars.js';
import { registrationInput, type RegisterTaskDefinitionInput } from '../task-definition-input.js';

export const PROXY_UID = '1337';
export const PROXY_INGRESS_PORT = 15000;
export const PROXY_EGRESS_PORT = 15001;
export const ENVOY_ADMIN_PORT = 9901;
/** The ECS task metadata endpoint and the EC2 instance metadata service never go through Envoy. */
export const METADATA_IPS = ['169.254.170.2', '169.254.169.254'];

export interface AppMeshRewrite {
  virtualNodeArn: string;
  launch: LaunchKind;
  sizing: SidecarSizing;
  envoyImage: string;
  xrayImage: string;
  /** Database/cache ports found plus configured ones. */
  egressIgnoredPorts: number[];
  /** Configured on top of the metadata endpoints. */
  egressIgnoredIPs: string[];
}

export class RewriteError extends Error {}

function sidecarLogConfiguration(app: ContainerDefinition | undefined, prefix: string): ContainerDefinition['logConfiguration'] {
  const source = app?.logConfiguration;
  if (!source || source.logDriver !== 'awslogs') return undefined;
  return { logDriver: 'awslogs', options: { ...source.options, 'awslogs-stream-prefix': prefix } };
}

function envoyDefinition(options: AppMeshRewrite, app: ContainerDefinition | undefined): ContainerDefinition {
  const logConfiguration = sidecarLogConfiguration(app, ENVOY_CONTAINER);
  return {
    name: ENVOY_CONTAINER,
    image: options.envoyImage,
    essential: true,
    user: PROXY_UID,
    cpu: options.sizing.envoy.cpu,
    memoryReservation: options.sizing.envoy.memory,
    environment: [
      { name: 'APPMESH_RESOURCE_ARN', value: options.virtualNodeArn },
      { name: 'ENABLE_ENVOY_XRAY_TRACING', value: '1' },
    ],
    // AWS's recommended Envoy health check: the admin interface reports LIVE.
    healthCheck: {
      command: ['CMD-SHELL', `curl -s http://localhost:${ENVOY_ADMIN_PORT}/server_info | grep state | grep -q LIVE`],
      interval: 5,
      timeout: 2,
      retries: 3,
      startPeriod: 10,
    },
    ulimits: [{ name: 'nofile', softLimit: 15000, hardLimit: 15000 }],
    ...(logConfiguration && { logConfiguration }),
  };
}

function xrayDefinition(options: AppMeshRewrite, app: ContainerDefinition | undefined): ContainerDefinition {
  const logConfiguration = sidecarLogConfiguration(app, XRAY_CONTAINER);
  return {
    name: XRAY_CONTAINER,
    image: options.xrayImage,
    // Tracing is not worth taking the task down for.
    essential: false,
    user: PROXY_UID,
    cpu: options.sizing.xray.cpu,
    memoryReservation: options.sizing.xray.memory,
    portMappings: [{ containerPort: 2000, protocol: 'udp' }],
    ...(logConfiguration && { logConfiguration }),
  };
}

function withEnvoyDependency(container: ContainerDefinition, envoyName: string): ContainerDefinition {
  const dependsOn = container.dependsOn ?? [];
  if (dependsOn.some((d) => d.containerName === envoyName)) return container;
  return { ...container, dependsOn: [...dependsOn, { containerName: envoyName, condition: 'HEALTHY' }] };
}

function proxyConfiguration(appPorts: number[], options: AppMeshRewrite): ProxyConfiguration {
  const properties: KeyValue[] = [
    { name: 'IgnoredUID', value: PROXY_UID },
    { name: 'ProxyIngressPort', value: String(PROXY_INGRESS_PORT) },
    { name: 'ProxyEgressPort', value: String(PROXY_EGRESS_PORT) },
  ];
  if (appPorts.length > 0) properties.push({ name: 'AppPorts', value: appPorts.join(',') });
  properties.push({ name: 'EgressIgnoredIPs', value: [...new Set([...METADATA_IPS, ...options.egressIgnoredIPs])].join(',') });
  // EgressIgnoredPorts "can be an empty list" (Amazon ECS API Reference, ProxyConfiguration); with nothing to ignore it is left out, which means the same.
  if (options.egressIgnoredPorts.length > 0) {
    properties.push({ name: 'EgressIgnoredPorts', value: [...new Set(options.egressIgnoredPorts)].sort((a, b) => a - b).join(',') });
  }
  return { type: 'APPMESH', containerName: ENVOY_CONTAINER, properties };
}

function grownSize(taskDefinition: TaskDefinition, options: AppMeshRewrite): { cpu?: string; memory?: string } {
  const addition = sidecarAddition(taskDefinition, options.sizing);
  const cpu = taskDefinition.cpu ? Number(taskDefinition.cpu) : undefined;
  const memory = taskDefinition.memory ? Number(taskDefinition.memory) : undefined;
  if (addition.cpu === 0 && addition.memory === 0) return { cpu: taskDefinition.cpu, memory: taskDefinition.memory };
  if (options.launch === 'FARGATE') {
    const size = smallestFargateSize({ cpu: (cpu ?? 0) + addition.cpu, memory: (memory ?? 0) + addition.memory });
    if (!size) throw new RewriteError(`${taskDefinition.family}: the grown task is larger than any Fargate size`);
    return { cpu: String(size.cpu), memory: String(size.memory) };
  }
  // On EC2 a task-level size, when set, must cover the containers: grow it by the sidecars.
  return {
    cpu: cpu !== undefined ? String(cpu + addition.cpu) : undefined,
    memory: memory !== undefined ? String(memory + addition.memory) : undefined,
  };
}

export function rewriteForAppMesh(taskDefinition: TaskDefinition, options: AppMeshRewrite): RegisterTaskDefinitionInput {
  const input = registrationInput(taskDefinition);
  const existingEnvoy = envoyContainer(taskDefinition);
  const envoyName = existingEnvoy?.name ?? ENVOY_CONTAINER;
  const isSidecar = (c: ContainerDefinition) => c.name === envoyName || c.name === XRAY_CONTAINER;
  const apps = input.containerDefinitions.filter((c) => !isSidecar(c));
  const logSource = apps.find((c) => c.logConfiguration?.logDriver === 'awslogs');
  const appPorts = [...new Set(apps.flatMap((c) => (c.portMappings ?? []).map((p) => p.containerPort).filter((p): p is number => p !== undefined)))]
    .sort((a, b) => a - b);

  // Every app container waits for Envoy: all of its egress goes through the proxy, ports or not.
  const containers = input.containerDefinitions.map((c) => (isSidecar(c) ? c : withEnvoyDependency(c, envoyName)));
  if (!existingEnvoy) containers.push(envoyDefinition(options, logSource));
  if (!taskDefinition.containerDefinitions.some((c) => c.name === XRAY_CONTAINER)) containers.push(xrayDefinition(options, logSource));

  const size = grownSize(taskDefinition, options);
  const rewritten: RegisterTaskDefinitionInput = {
    ...input,
    containerDefinitions: containers,
    proxyConfiguration: input.proxyConfiguration ?? proxyConfiguration(appPorts, options),
  };
  if (size.cpu !== undefined) rewritten.cpu = size.cpu;
  if (size.memory !== undefined) rewritten.memory = size.memory;
  return rewritten;
}
