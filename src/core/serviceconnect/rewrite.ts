// Rewrites a task definition for ECS Service Connect: named port mappings
// with an application protocol, and no sidecars (ECS injects its agent).
// A task coming from App Mesh loses Envoy, the X-Ray daemon (unless kept)
// and its proxy configuration; task sizes follow sizing.ts (observed peaks included).
import type { ContainerDefinition, TaskDefinition } from '../estate.js';
import { XRAY_CONTAINER } from '../sidecars.js';
import { registrationInput, type RegisterTaskDefinitionInput } from '../task-definition-input.js';
import { sizeForServiceConnect, type ServiceConnectSizeInput } from './sizing.js';

export type AppProtocol = 'http' | 'http2' | 'grpc';

export interface ServiceConnectRewrite extends ServiceConnectSizeInput {
  /** The application protocol known for a container port (App Mesh listener or meshctl.yaml); undefined keeps what the port has (unset is TCP). */
  appProtocolOf: (port: number) => AppProtocol | undefined;
}

export class ServiceConnectRewriteError extends Error {}

/** Names Service Connect accepts for ports and discovery names: lowercase letters, digits, - and _, at most 64, no leading hyphen. */
export function serviceConnectName(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^-+/, '').slice(0, 64).replace(/-+$/, '');
  return name || 'svc';
}

export function portName(container: string, port: number): string {
  const suffix = `-${port}`;
  return `${serviceConnectName(container).slice(0, 64 - suffix.length)}${suffix}`;
}

export function rewriteForServiceConnect(taskDefinition: TaskDefinition, options: ServiceConnectRewrite): RegisterTaskDefinitionInput {
  const input = registrationInput(taskDefinition);
  const size = sizeForServiceConnect(taskDefinition, options);
  if (size.problem) throw new ServiceConnectRewriteError(`${taskDefinition.family}: ${size.problem}`);
  const removed = new Set(size.removed);
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
          const appProtocol = options.appProtocolOf(p.containerPort) ?? p.appProtocol;
          return { ...p, name: p.name ?? portName(c.name, p.containerPort), ...(appProtocol && { appProtocol }) };
        });
      }
      return next;
    });

  const rewritten: RegisterTaskDefinitionInput = { ...input, containerDefinitions: containers };
  delete rewritten.proxyConfiguration;
  if (size.cpu !== undefined) rewritten.cpu = String(size.cpu);
  if (size.memory !== undefined) rewritten.memory = String(size.memory);
  return rewritten;
}
