// Rewrites a task definition for ECS Service Connect: named port mappings
// with an application protocol, and no sidecars (ECS injects its agent).
// A task coming from App Mesh loses Envoy, the X-Ray daemon (unless kept)
// and its proxy configuration.
import type { ContainerDefinition, LaunchKind, TaskDefinition } from '../estate.js';
import { smallestFargateSize } from '../fargate.js';
import { envoyContainer, type Resources } from '../service-facts.js';
import { XRAY_CONTAINER, type SidecarSizing } from '../sidecars.js';
import { registrationInput, type RegisterTaskDefinitionInput } from '../task-definition-input.js';

export type AppProtocol = 'http' | 'http2' | 'grpc';

export interface ServiceConnectRewrite {
  launch: LaunchKind;
  sizing: SidecarSizing;
  /** The application protocol of the ports; undefined for plain TCP. */
  appProtocol: AppProtocol | undefined;
  /** Keep an existing X-Ray daemon container (tracing without App Mesh's Envoy). */
  keepXray: boolean;
  /** The service is not on Service Connect yet: the task grows by the agent's share. */
  addAgent: boolean;
}

export class ServiceConnectRewriteError extends Error {}

/** Port names Service Connect accepts: lowercase letters, digits, - and _. */
export function portName(container: string, port: number): string {
  return `${container.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^-+/, '')}-${port}`.slice(0, 64);
}

function reservation(container: ContainerDefinition): Resources {
  return { cpu: container.cpu ?? 0, memory: container.memoryReservation ?? container.memory ?? 0 };
}

export function rewriteForServiceConnect(taskDefinition: TaskDefinition, options: ServiceConnectRewrite): RegisterTaskDefinitionInput {
  const input = registrationInput(taskDefinition);
  const envoy = envoyContainer(taskDefinition);
  const removed = new Set<string>();
  if (envoy) removed.add(envoy.name);
  if (envoy && !options.keepXray && input.containerDefinitions.some((c) => c.name === XRAY_CONTAINER)) removed.add(XRAY_CONTAINER);

  const freed = input.containerDefinitions.filter((c) => removed.has(c.name)).map(reservation)
    .reduce((sum, r) => ({ cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory }), { cpu: 0, memory: 0 });
  const containers = input.containerDefinitions
    .filter((c) => !removed.has(c.name))
    .map((c): ContainerDefinition => {
      const next: ContainerDefinition = { ...c };
      const dependsOn = (c.dependsOn ?? []).filter((d) => !removed.has(d.containerName));
      if (c.dependsOn) {
        if (dependsOn.length > 0) next.dependsOn = dependsOn;
        else delete next.dependsOn;
      }
      if (c.portMappings && c.name !== XRAY_CONTAINER) {
        next.portMappings = c.portMappings.map((p) => {
          if (p.containerPort === undefined || (p.protocol ?? 'tcp') !== 'tcp') return p;
          return {
            ...p,
            name: p.name ?? portName(c.name, p.containerPort),
            ...(options.appProtocol && !p.appProtocol && { appProtocol: options.appProtocol }),
          };
        });
      }
      return next;
    });

  const rewritten: RegisterTaskDefinitionInput = { ...input, containerDefinitions: containers };
  delete rewritten.proxyConfiguration;

  const agent = options.addAgent ? options.sizing.serviceConnectAgent : { cpu: 0, memory: 0 };
  if (taskDefinition.cpu || taskDefinition.memory) {
    const needed = {
      cpu: Number(taskDefinition.cpu ?? 0) - freed.cpu + agent.cpu,
      memory: Number(taskDefinition.memory ?? 0) - freed.memory + agent.memory,
    };
    const changed = needed.cpu !== Number(taskDefinition.cpu ?? 0) || needed.memory !== Number(taskDefinition.memory ?? 0);
    if (changed && options.launch === 'FARGATE') {
      const size = smallestFargateSize(needed);
      if (!size) throw new ServiceConnectRewriteError(`${taskDefinition.family}: the task with the Service Connect agent is larger than any Fargate size`);
      rewritten.cpu = String(size.cpu);
      rewritten.memory = String(size.memory);
    } else if (changed) {
      if (taskDefinition.cpu) rewritten.cpu = String(needed.cpu);
      if (taskDefinition.memory) rewritten.memory = String(needed.memory);
    }
  }
  return rewritten;
}
