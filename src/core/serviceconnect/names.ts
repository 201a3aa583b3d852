// Names are unique across a Service Connect namespace, whatever cluster a
// service runs in: ECS makes a Cloud Map service for each discovery name
// (Cloud Map service names are unique per namespace), and a client alias
// sends every caller in the namespace to the one service that serves it
// (Amazon ECS Developer Guide, "Service Connect concepts"). What the
// namespace already holds counts: Cloud Map services (registries, and the
// ones ECS made for services already on Service Connect, in any cluster of
// the run) and the aliases live services serve. Pure.
import type { CloudMapNamespace, Estate } from '../estate.js';
import { GREEN_SUFFIX } from './cutover-plan.js';
import { serviceConnectName } from './rewrite.js';

/** What one namespace holds, and what the plan claims in it as it goes. */
export interface NamespaceNames {
  /** Discovery names taken, and by what: a Cloud Map service (a registry), or the service (cluster/service) of a Service Connect entry, live or planned. */
  discovery: Map<string, string>;
  /** DNS names callers resolve in the namespace, and the service (cluster/service) that answers each. */
  aliases: Map<string, string>;
}

const CLOUD_MAP = 'a Cloud Map service';

const liveIn = (estate: Estate, namespace: CloudMapNamespace | undefined, ref: string) => estate.clusters.flatMap((c) => c.services)
  .filter((s) => s.serviceConnect?.enabled && (s.serviceConnect.namespace === ref || (namespace && (s.serviceConnect.namespace === namespace.arn || s.serviceConnect.namespace === namespace.name))));

/** The names a namespace (`ref`: as the plan names it) holds before the plan. */
export function namesInNamespace(estate: Estate, namespace: CloudMapNamespace | undefined, ref: string): NamespaceNames {
  const cloudMap = namespace ? estate.cloudMap.services.filter((s) => s.namespaceId === namespace.id) : [];
  const discovery: NamespaceNames['discovery'] = new Map(cloudMap.map((s) => [s.name, CLOUD_MAP]));
  const aliases = new Map<string, string>();
  const services = estate.clusters.flatMap((c) => c.services);
  // A registry's DNS name answers for the ECS service registered in it.
  for (const registry of cloudMap) {
    const owner = services.find((s) => s.serviceRegistries.some((r) => r.registryArn === registry.arn));
    if (owner && namespace) aliases.set(`${registry.name}.${namespace.name}`, `${owner.clusterName}/${owner.name}`);
  }
  for (const live of liveIn(estate, namespace, ref)) {
    for (const entry of (live.serviceConnect!.services ?? []) as { discoveryName?: string; portName?: string; clientAliases?: { dnsName?: string }[] }[]) {
      discovery.set(entry.discoveryName ?? entry.portName ?? '', `${live.clusterName}/${live.name}`);
      for (const alias of entry.clientAliases ?? []) if (alias.dnsName) aliases.set(alias.dnsName, `${live.clusterName}/${live.name}`);
    }
  }
  return { discovery, aliases };
}

/** A blue service and its green twin are one service for the names they serve. */
const sameService = (owner: string, label: string) => owner === label || owner === `${label}${GREEN_SUFFIX}`;

export type AliasClaim = { names: string[] } | { conflict: string; holder: string };

/**
 * Claims the DNS names a service (`label`) will serve. A name clients already
 * use that another service answers is a conflict; a name the plan made up
 * for a service with none (`invented`) gives way to one with the cluster in
 * it (`<cluster>-<service>.<namespace>`).
 */
export function claimAliases(names: NamespaceNames, label: string, wanted: string[], invented: string | undefined, namespaceName: string): AliasClaim {
  const holderOf = (name: string) => {
    const owner = names.aliases.get(name);
    return owner !== undefined && !sameService(owner, label) ? owner : undefined;
  };
  const claimed: string[] = [];
  for (const name of wanted) {
    let chosen = name;
    if (holderOf(name) && name === invented) chosen = `${serviceConnectName(label.replace('/', '-'))}.${namespaceName}`;
    const holder = holderOf(chosen);
    if (holder) return { conflict: name, holder };
    claimed.push(chosen);
  }
  for (const name of claimed) names.aliases.set(name, label);
  return { names: claimed };
}

/**
 * A discovery name free in the namespace and in the service's own
 * configuration (`local`), claimed for the service (`label`): the planned
 * one; else, when a Cloud Map service (such as its own DNS registry) or the
 * service itself holds it, with -sc; when another service does (one of the
 * same name in another cluster), with the cluster in it; else numbered. At
 * most 64 characters, as ECS takes them.
 */
export function claimDiscoveryName(names: NamespaceNames, local: Set<string>, planned: string, label: string): string {
  const cluster = label.split('/')[0]!;
  const fit = (name: string, suffix = '') => `${serviceConnectName(name).slice(0, 64 - suffix.length).replace(/-+$/, '')}${suffix}`;
  const twin = fit(planned, GREEN_SUFFIX);
  const withCluster = fit(`${cluster}-${planned}`);
  const holder = names.discovery.get(planned);
  const ours = holder === undefined || holder === CLOUD_MAP || sameService(holder, label);
  function* candidates() {
    yield planned;
    yield* ours ? [twin, withCluster] : [withCluster, twin];
    for (let n = 2; ; n += 1) yield fit(`${cluster}-${planned}`, `-${n}`);
  }
  for (const name of candidates()) {
    if (names.discovery.has(name) || local.has(name)) continue;
    names.discovery.set(name, label);
    return name;
  }
  return planned;
}
