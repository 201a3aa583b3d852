// A plan or precheck narrowed with --cluster/--service sees only the selected
// services, but they may call servers outside it. A client that moves to
// Service Connect before its server needs a new deployment once the server
// moves: its tasks resolve a Service Connect name only if they started after
// the server's deployment completed (Amazon ECS Developer Guide, "Service
// Connect"). Which names the selection calls, and who outside it serves
// them, is worked out here from the estate; the reads are in
// src/aws/read-outside-servers.ts. Pure.
import { inferBackends } from './appmesh/backends.js';
import type { CloudMapService, Estate, OutsideServer, Service } from './estate.js';

/** Every DNS name Cloud Map holds in the region (service.namespace), read whole even for a narrowed selection. */
export function cloudMapNames(estate: Estate): Map<string, CloudMapService> {
  const names = new Map<string, CloudMapService>();
  for (const service of estate.cloudMap.services) {
    const namespace = estate.cloudMap.namespaces.find((n) => n.id === service.namespaceId);
    if (namespace && namespace.type.startsWith('DNS')) names.set(`${service.name}.${namespace.name}`.toLowerCase(), service);
  }
  return names;
}

/** The names a service answers to: its Cloud Map registries, and its Service Connect aliases and discovery names. */
function namesOf(service: Service, estate: Estate): string[] {
  const registries = service.serviceRegistries.flatMap((r) => {
    const entry = estate.cloudMap.services.find((s) => s.arn === r.registryArn);
    const namespace = entry && estate.cloudMap.namespaces.find((n) => n.id === entry.namespaceId);
    return entry && namespace ? [`${entry.name}.${namespace.name}`] : [];
  });
  const connect = service.serviceConnect?.enabled ? service.serviceConnect : undefined;
  const namespace = connect?.namespace && estate.cloudMap.namespaces.find((n) => n.arn === connect.namespace || n.name === connect.namespace);
  const entries = (connect?.services ?? []) as { discoveryName?: string; portName?: string; clientAliases?: { dnsName?: string }[] }[];
  const aliases = entries.flatMap((e) => [
    ...(e.clientAliases ?? []).map((a) => a.dnsName).filter((n): n is string => !!n),
    ...(namespace && (e.discoveryName ?? e.portName) ? [`${e.discoveryName ?? e.portName}.${namespace.name}`] : []),
  ]);
  return [...registries, ...aliases].map((n) => n.toLowerCase());
}

/**
 * Cloud Map names the read services call that none of them serves, with the
 * callers: names their environment mentions, and `declared` ones (App Mesh
 * backends, by cluster/service).
 */
export function callsOutside(estate: Estate, declared: Map<string, string[]> = new Map()): Map<string, string[]> {
  const known = cloudMapNames(estate);
  const services = estate.clusters.flatMap((c) => c.services);
  const served = new Set(services.flatMap((s) => namesOf(s, estate)));
  const calls = new Map<string, string[]>();
  for (const service of services) {
    const label = `${service.clusterName}/${service.name}`;
    const td = estate.taskDefinitions[service.taskDefinitionArn];
    const inferred = td ? inferBackends(td, new Set(known.keys()), '').map((b) => b.virtualService) : [];
    for (const name of new Set([...inferred, ...(declared.get(label) ?? []).map((n) => n.toLowerCase())])) {
      if (served.has(name) || !known.has(name)) continue;
      calls.set(name, [...(calls.get(name) ?? []), label]);
    }
  }
  return new Map([...calls].sort((a, b) => a[0].localeCompare(b[0])));
}

/** The servers outside the selection a selected service calls that have not moved to Service Connect yet. */
export function serversNotMovedYet(estate: Estate, label: string): (OutsideServer & { cluster: string; service: string })[] {
  return (estate.outsideServers ?? [])
    .filter((o): o is OutsideServer & { cluster: string; service: string } => o.clients.includes(label) && !!o.cluster && !!o.service && !o.onServiceConnect);
}

/** The commands that move those servers: one plan per cluster, naming its services. */
export function moveFirstCommands(servers: { cluster: string; service: string }[]): string[] {
  const byCluster = new Map<string, string[]>();
  for (const s of servers) byCluster.set(s.cluster, [...new Set([...(byCluster.get(s.cluster) ?? []), s.service])].sort());
  return [...byCluster].sort().map(([cluster, names]) => `meshctl plan --cluster ${cluster} ${names.map((n) => `--service ${n}`).join(' ')}`);
}
