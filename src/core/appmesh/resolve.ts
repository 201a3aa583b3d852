// Decides, per ECS service, the names a migration to App Mesh uses: its
// virtual node, its Cloud Map registration and its virtual service.
import type { MeshctlConfig, ServiceOverrides } from '../../config/config.js';
import { serviceOverrides } from '../../config/config.js';
import type { CloudMapNamespace, Cluster, Estate, LaunchKind, Service, TaskDefinition } from '../estate.js';
import { launchKind } from '../service-facts.js';

export interface CloudMapRegistration {
  /** The namespace's name, also when meshctl.yaml names it by its ARN (an unknown ARN stays as written). */
  namespaceName: string;
  /** Undefined when the namespace does not exist yet (or cannot be seen). */
  namespaceId?: string;
  namespaceArn?: string;
  /** HTTP, DNS_PRIVATE or DNS_PUBLIC, for an existing namespace. */
  namespaceType?: string;
  serviceName: string;
  /** Undefined when the service is not registered yet. */
  registryArn?: string;
}

export interface ResolvedService {
  cluster: Cluster;
  service: Service;
  taskDefinition: TaskDefinition;
  launch: LaunchKind;
  overrides: ServiceOverrides | undefined;
  virtualNodeName: string;
  /** Undefined when no namespace can be chosen: the service is blocked. */
  cloudMap?: CloudMapRegistration;
  virtualServiceName?: string;
}

function included(config: MeshctlConfig, cluster: string, service: string): boolean {
  const { include, exclude } = config;
  if (include.clusters && !include.clusters.includes(cluster)) return false;
  if (include.services && !include.services.includes(service) && !include.services.includes(`${cluster}/${service}`)) return false;
  if (exclude.clusters.includes(cluster)) return false;
  return !exclude.services.includes(service) && !exclude.services.includes(`${cluster}/${service}`);
}

/**
 * The namespace for services without a registry: configured (by name or by
 * ARN, as the README allows), else the one most registered services use.
 */
function defaultNamespace(estate: Estate, config: MeshctlConfig): { name: string; namespace?: CloudMapNamespace } | undefined {
  const byName = (name: string) => estate.cloudMap.namespaces.find((n) => n.name === name);
  const configured = config.cloudMap.namespace;
  if (configured) {
    const namespace = estate.cloudMap.namespaces.find((n) => n.arn === configured) ?? byName(configured);
    return { name: namespace?.name ?? configured, namespace };
  }
  const counts = new Map<string, number>();
  for (const s of estate.cloudMap.services) {
    const ns = estate.cloudMap.namespaces.find((n) => n.id === s.namespaceId);
    if (ns) counts.set(ns.name, (counts.get(ns.name) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return best ? { name: best[0], namespace: byName(best[0]) } : undefined;
}

const namespaceFields = (ns: CloudMapNamespace) => ({ namespaceName: ns.name, namespaceId: ns.id, namespaceArn: ns.arn, namespaceType: ns.type });

export function resolveServices(estate: Estate, config: MeshctlConfig): ResolvedService[] {
  const selected = estate.clusters.flatMap((cluster) => cluster.services
    .filter((service) => included(config, cluster.name, service.name))
    .map((service) => ({ cluster, service })));
  const nameCount = new Map<string, number>();
  for (const { service } of selected) nameCount.set(service.name, (nameCount.get(service.name) ?? 0) + 1);
  const fallback = defaultNamespace(estate, config);

  return selected.map(({ cluster, service }) => {
    // Virtual node names are per mesh: services of the same name in two clusters get the cluster prefix.
    const virtualNodeName = nameCount.get(service.name)! > 1 ? `${cluster.name}-${service.name}` : service.name;
    let cloudMap: CloudMapRegistration | undefined;
    const registry = service.serviceRegistries[0];
    const registered = registry && estate.cloudMap.services.find((s) => s.arn === registry.registryArn);
    const registeredNamespace = registered && estate.cloudMap.namespaces.find((n) => n.id === registered.namespaceId);
    if (registered && registeredNamespace) {
      cloudMap = { ...namespaceFields(registeredNamespace), serviceName: registered.name, registryArn: registered.arn };
    } else if (!registry && fallback) {
      cloudMap = { namespaceName: fallback.name, ...(fallback.namespace && namespaceFields(fallback.namespace)), serviceName: virtualNodeName };
    }
    return {
      cluster,
      service,
      taskDefinition: estate.taskDefinitions[service.taskDefinitionArn]!,
      launch: launchKind(service, cluster),
      overrides: serviceOverrides(config, cluster.name, service.name),
      virtualNodeName,
      cloudMap,
      virtualServiceName: cloudMap ? `${cloudMap.serviceName}.${cloudMap.namespaceName}` : undefined,
    };
  });
}
