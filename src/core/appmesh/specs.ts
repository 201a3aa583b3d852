// App Mesh resource specs for a migrated service, exactly as the Create/Update
// APIs take them.
import type { PlannedBackend } from '../plan/model.js';
import { containerPorts } from '../service-facts.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import type { ResolvedService } from './resolve.js';

export type ListenerProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** An existing App Mesh resource: its spec and version. */
export interface ExistingMeshResource {
  spec: Record<string, unknown>;
  version: number;
}

/** Specs of the existing resources a plan touches, keyed by name (routes by router/route). */
export interface MeshSpecs {
  mesh?: ExistingMeshResource;
  virtualNodes: Record<string, ExistingMeshResource>;
  virtualServices: Record<string, ExistingMeshResource>;
  virtualRouters: Record<string, ExistingMeshResource>;
  routes: Record<string, ExistingMeshResource>;
}

export function protocolOf(resolved: ResolvedService): ListenerProtocol {
  return resolved.overrides?.protocol ?? 'http';
}

export function appPorts(resolved: ResolvedService): number[] {
  return containerPorts(resolved.taskDefinition, [ENVOY_CONTAINER, XRAY_CONTAINER]);
}

function healthCheck(protocol: ListenerProtocol, port: number, path: string | undefined): Record<string, unknown> | undefined {
  if (!path && protocol !== 'tcp') return undefined;
  return {
    protocol,
    port,
    ...(protocol !== 'tcp' && { path }),
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    timeoutMillis: 2000,
    intervalMillis: 5000,
  };
}

export function virtualNodeSpec(resolved: ResolvedService, backends: PlannedBackend[]): Record<string, unknown> {
  const protocol = protocolOf(resolved);
  const listeners = appPorts(resolved).map((port) => {
    const check = healthCheck(protocol, port, resolved.overrides?.healthCheckPath);
    return { portMapping: { port, protocol }, ...(check && { healthCheck: check }) };
  });
  return {
    ...(listeners.length > 0 && { listeners }),
    serviceDiscovery: { awsCloudMap: { namespaceName: resolved.cloudMap!.namespaceName, serviceName: resolved.cloudMap!.serviceName } },
    ...(backends.length > 0 && { backends: backends.map((b) => ({ virtualService: { virtualServiceName: b.virtualService } })) }),
  };
}

export function routerName(resolved: ResolvedService): string {
  return `${resolved.virtualNodeName}-router`;
}

export function routeName(resolved: ResolvedService): string {
  return `${resolved.virtualNodeName}-route`;
}

export function virtualRouterSpec(resolved: ResolvedService): Record<string, unknown> {
  const [port = 80] = appPorts(resolved);
  return { listeners: [{ portMapping: { port, protocol: protocolOf(resolved) } }] };
}

const ROUTE_KIND: Record<ListenerProtocol, string> = { http: 'httpRoute', http2: 'http2Route', grpc: 'grpcRoute', tcp: 'tcpRoute' };

export function routeSpec(resolved: ResolvedService): Record<string, unknown> {
  const protocol = protocolOf(resolved);
  const action = { weightedTargets: resolved.overrides!.canary!.map((t) => ({ virtualNode: t.virtualNode, weight: t.weight })) };
  const match = protocol === 'tcp' ? undefined : protocol === 'grpc' ? { serviceName: resolved.virtualServiceName } : { prefix: '/' };
  return { [ROUTE_KIND[protocol]]: { ...(match && { match }), action } };
}

export function virtualServiceSpec(resolved: ResolvedService): Record<string, unknown> {
  return resolved.overrides?.canary
    ? { provider: { virtualRouter: { virtualRouterName: routerName(resolved) } } }
    : { provider: { virtualNode: { virtualNodeName: resolved.virtualNodeName } } };
}

/** The mesh resources a plan over these services may touch, for reading their current specs. */
export interface MeshResourceNames {
  mesh: string;
  virtualNodes: string[];
  virtualServices: string[];
  virtualRouters: string[];
  routes: { router: string; route: string }[];
}

export function meshResourceNames(mesh: string, resolved: ResolvedService[]): MeshResourceNames {
  const canaries = resolved.filter((r) => r.overrides?.canary);
  return {
    mesh,
    virtualNodes: resolved.map((r) => r.virtualNodeName),
    virtualServices: resolved.flatMap((r) => (r.virtualServiceName ? [r.virtualServiceName] : [])),
    virtualRouters: canaries.map(routerName),
    routes: canaries.map((r) => ({ router: routerName(r), route: routeName(r) })),
  };
}
