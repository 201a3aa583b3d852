// What an App Mesh virtual node's traffic policy becomes on Service Connect:
// the names clients use, the listener protocol (appProtocol), timeouts and
// TLS carry over; what Service Connect cannot express is listed per service
// as a parity report, so a reviewer sees what changes in behaviour. Pure.
// Source: AWS's App Mesh to Service Connect migration guide (Amazon ECS
// Developer Guide) and the ServiceConnectService API shape (timeout, tls).
import type { MeshSpecs } from '../appmesh/specs.js';
import type { AppProtocol } from './rewrite.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- App Mesh specs are open JSON. */
type Spec = Record<string, any>;

export interface ServiceConnectTls {
  awsPcaAuthorityArn: string;
  roleArn: string;
  kmsKey?: string;
}

export interface EndpointPolicy {
  /** The listener protocol, for ports App Mesh knows; null for TCP listeners (appProtocol stays unset). */
  appProtocol: Map<number, AppProtocol | null>;
  /** Service Connect `timeout` per port. */
  timeout: Map<number, { perRequestTimeoutSeconds?: number; idleTimeoutSeconds?: number }>;
  /** Ports whose listener terminates TLS. */
  tlsPorts: Set<number>;
  parity: string[];
}

const seconds = (duration: Spec | undefined): number | undefined => {
  if (!duration || typeof duration.value !== 'number') return undefined;
  return duration.unit === 'ms' ? Math.ceil(duration.value / 1000) : duration.value;
};

/** Routers and the routes under them, of the router that provides a virtual service. */
function routesOf(specs: MeshSpecs, router: string): [string, Spec][] {
  return Object.entries(specs.routes).filter(([key]) => key.startsWith(`${router}/`)).map(([key, r]) => [key.slice(router.length + 1), r.spec]);
}

const routeBody = (route: Spec): Spec | undefined => route.httpRoute ?? route.http2Route ?? route.grpcRoute ?? route.tcpRoute;

/** Virtual nodes a virtual service sends traffic to: its provider node, or its router's route targets. */
export function virtualServiceTargets(specs: MeshSpecs, virtualService: string): string[] {
  const provider = specs.virtualServices[virtualService]?.spec.provider as Spec | undefined;
  if (provider?.virtualNode?.virtualNodeName) return [provider.virtualNode.virtualNodeName];
  const router = provider?.virtualRouter?.virtualRouterName as string | undefined;
  if (!router) return [];
  return [...new Set(routesOf(specs, router).flatMap(([, r]) => ((routeBody(r)?.action?.weightedTargets ?? []) as Spec[])
    .filter((t) => (t.weight ?? 0) > 0).map((t) => t.virtualNode as string)))];
}

/**
 * Names clients use for a node today: virtual services it alone serves
 * (directly or through a router), sorted. A virtual service split across
 * nodes by weight goes to the node with the largest weight; the split is in
 * the parity report.
 */
export function providedNames(specs: MeshSpecs, node: string): string[] {
  return Object.keys(specs.virtualServices).filter((vs) => {
    const targets = virtualServiceTargets(specs, vs);
    if (targets.length <= 1) return targets[0] === node;
    const router = (specs.virtualServices[vs]!.spec.provider as Spec).virtualRouter.virtualRouterName as string;
    const weights = new Map<string, number>();
    for (const [, r] of routesOf(specs, router)) {
      for (const t of (routeBody(r)?.action?.weightedTargets ?? []) as Spec[]) weights.set(t.virtualNode, (weights.get(t.virtualNode) ?? 0) + (t.weight ?? 0));
    }
    const [heaviest] = [...weights.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return heaviest?.[0] === node;
  }).sort();
}

/** The policy of a service not on App Mesh: nothing known, nothing to carry over. */
export function emptyPolicy(): EndpointPolicy {
  return { appProtocol: new Map(), timeout: new Map(), tlsPorts: new Set(), parity: [] };
}

export function endpointPolicy(specs: MeshSpecs, node: string, tls: ServiceConnectTls | undefined): EndpointPolicy {
  const policy = emptyPolicy();
  const nodeSpec = specs.virtualNodes[node]?.spec as Spec | undefined;
  if (!nodeSpec) return policy;
  for (const listener of (nodeSpec.listeners ?? []) as Spec[]) {
    const port = listener.portMapping?.port as number;
    const protocol = listener.portMapping?.protocol as string;
    policy.appProtocol.set(port, protocol === 'http' || protocol === 'http2' || protocol === 'grpc' ? protocol : null);
    const timeout = listener.timeout?.[protocol] as Spec | undefined;
    const perRequest = protocol === 'tcp' ? undefined : seconds(timeout?.perRequest);
    const idle = seconds(timeout?.idle);
    if (perRequest !== undefined || idle !== undefined) {
      policy.timeout.set(port, { ...(idle !== undefined && { idleTimeoutSeconds: idle }), ...(perRequest !== undefined && { perRequestTimeoutSeconds: perRequest }) });
    }
    if (listener.tls && listener.tls.mode !== 'DISABLED') {
      if (tls) policy.tlsPorts.add(port);
      else policy.parity.push(`TLS on port ${port} (${listener.tls.mode}): not carried over, set serviceConnect.tls (a Private CA and a role) in meshctl.yaml to keep this traffic encrypted`);
      if (listener.tls.validation) policy.parity.push(`mTLS on port ${port}: the listener validates client certificates; Service Connect TLS does not authenticate clients`);
    }
    if (listener.outlierDetection) policy.parity.push(`outlier detection on port ${port}: Service Connect applies its own passive outlier detection, not this policy`);
    if (listener.connectionPool) policy.parity.push(`connection pool limits on port ${port}: Service Connect has no equivalent`);
  }
  const clientTls = [nodeSpec.backendDefaults?.clientPolicy?.tls, ...((nodeSpec.backends ?? []) as Spec[]).map((b) => b.virtualService?.clientPolicy?.tls)].filter(Boolean);
  if (clientTls.length > 0) policy.parity.push('client TLS policy (TLS origination or mTLS certificates toward backends): Service Connect has no client policy');

  for (const vs of providedNames(specs, node)) {
    const router = (specs.virtualServices[vs]!.spec.provider as Spec).virtualRouter?.virtualRouterName as string | undefined;
    if (!router) continue;
    for (const [name, route] of routesOf(specs, router)) {
      const body = routeBody(route);
      if (!body) continue;
      const targets = (body.action?.weightedTargets ?? []) as Spec[];
      if (targets.length > 1) policy.parity.push(`weighted route ${router}/${name} (${targets.map((t) => `${t.virtualNode} ${t.weight}`).join(', ')}): ${vs} goes to ${node} only`);
      if (body.match?.headers?.length || body.match?.metadata?.length) policy.parity.push(`header match on route ${router}/${name}: Service Connect routes by name and port only`);
      if (body.retryPolicy) policy.parity.push(`retry policy on route ${router}/${name}: Service Connect retries with its own fixed policy`);
      const perRequest = seconds((body.timeout as Spec | undefined)?.perRequest);
      if (perRequest !== undefined) {
        // A route timeout wins over the listener's for the traffic it matches; with one port it maps exactly.
        const ports = [...policy.appProtocol.keys()];
        if (ports.length === 1) policy.timeout.set(ports[0]!, { ...policy.timeout.get(ports[0]!), perRequestTimeoutSeconds: perRequest });
        else policy.parity.push(`timeout on route ${router}/${name}: the node has several ports, set timeout per port by hand`);
      }
    }
  }
  return policy;
}

const REQUEST_PROTOCOLS = new Set(['http', 'http2', 'grpc']);

/**
 * The policy as the ports end up: perRequestTimeoutSeconds "can only be set
 * if Service Connect appProtocol isn't TCP. Only idleTimeout is allowed for
 * TCP appProtocol" (Amazon ECS API Reference, TimeoutConfiguration). A port
 * whose final appProtocol is not http, http2 or grpc (TCP, or unset) keeps
 * its idle timeout only, and the parity report says the per-request timeout
 * was not kept.
 */
export function forFinalProtocols(policy: EndpointPolicy, finalAppProtocol: (port: number) => string | undefined): EndpointPolicy {
  const timeout = new Map(policy.timeout);
  const parity = [...policy.parity];
  for (const [port, { perRequestTimeoutSeconds, idleTimeoutSeconds }] of policy.timeout) {
    const protocol = finalAppProtocol(port);
    if (perRequestTimeoutSeconds === undefined || REQUEST_PROTOCOLS.has(protocol ?? '')) continue;
    if (idleTimeoutSeconds === undefined) timeout.delete(port);
    else timeout.set(port, { idleTimeoutSeconds });
    parity.push(`per-request timeout of ${perRequestTimeoutSeconds}s on port ${port}: not kept, the port's appProtocol is ${protocol ?? 'unset (TCP)'} and Service Connect takes a per-request timeout only for http, http2 and grpc${idleTimeoutSeconds !== undefined ? ` (the idle timeout of ${idleTimeoutSeconds}s is kept)` : ''}`);
  }
  return { ...policy, timeout, parity };
}
