// Merges what meshctl plans into a service's existing Service Connect
// configuration. AWS resets every field an update leaves out to its default,
// so nothing the service already has may be dropped: tls, timeout, logs,
// access logs, ingressPortOverride, discovery names, client aliases. Pure.
// Source: Amazon ECS API Reference, UpdateService serviceConnectConfiguration
// ("if you update the configuration without a field, it returns to its
// default").
import type { ServiceConnectConfig } from '../estate.js';

export interface ServiceConnectEntry {
  portName: string;
  discoveryName: string;
  clientAliases?: { port: number; dnsName: string }[];
  timeout?: { perRequestTimeoutSeconds?: number; idleTimeoutSeconds?: number };
  tls?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface PlannedServiceConnect {
  namespace: string;
  services: ServiceConnectEntry[];
  logConfiguration?: Record<string, unknown>;
}

const aliasKey = (a: { port: number; dnsName?: string }) => `${a.dnsName ?? ''}:${a.port}`;

/** A discovery name for an added entry, given the planned one and the names the configuration already has. */
export type DiscoveryNamer = (planned: string, taken: Set<string>) => string;

const numbered: DiscoveryNamer = (planned, taken) => {
  let name = planned;
  for (let n = 2; taken.has(name); n += 1) name = `${planned.slice(0, 60)}-${n}`;
  return name;
};

/**
 * The configuration to send: the existing one with every field kept, plus
 * the planned entries whose names are not served yet. An existing entry for
 * the same port that has no client alias is kept as is when the planned one
 * adds nothing else. `discoveryName` names each added entry (by default the
 * planned name, numbered when the configuration has it already).
 */
export function mergeServiceConnect(existing: ServiceConnectConfig | undefined, planned: PlannedServiceConnect, discoveryName: DiscoveryNamer = numbered): Record<string, unknown> {
  const current = existing?.enabled ? existing : undefined;
  const entries = ((current?.services ?? []) as ServiceConnectEntry[]).map((e) => ({ ...e }));
  const served = new Set(entries.flatMap((e) => (e.clientAliases ?? []).map(aliasKey)));
  const discoveryNames = new Set(entries.map((e) => e.discoveryName ?? e.portName));
  for (const entry of planned.services) {
    const aliases = entry.clientAliases ?? [];
    if (aliases.length > 0 && aliases.every((a) => served.has(aliasKey(a)))) continue;
    if (aliases.length === 0 && entries.some((e) => e.portName === entry.portName)) continue;
    const name = discoveryName(entry.discoveryName, discoveryNames);
    discoveryNames.add(name);
    for (const a of aliases) served.add(aliasKey(a));
    entries.push({ ...entry, discoveryName: name });
  }
  const logConfiguration = current?.logConfiguration ?? planned.logConfiguration;
  return {
    ...current,
    enabled: true,
    namespace: current?.namespace ?? planned.namespace,
    ...(entries.length > 0 && { services: entries }),
    ...(logConfiguration !== undefined && { logConfiguration }),
  };
}
