// A blue service registered in Cloud Map (serviceRegistries) is what DNS
// callers resolve: deleting it empties the name. Before blue goes, green joins
// the same registry: UpdateService can add, change or remove a service's
// registries, starting a new deployment whose tasks register (Amazon ECS API
// Reference, UpdateService serviceRegistries; ECS takes one registry per
// service). When green cannot join, the callers that resolve blue's name are
// found so finalize can name them. Pure.
import { inferBackends } from '../appmesh/backends.js';
import type { Estate, Service, TaskDefinition } from '../estate.js';
import { stableStringify } from '../../util/stable-json.js';

export type ServiceRegistries = Service['serviceRegistries'];

export type RegistryHandover =
  | { kind: 'none' }
  /** Green already is in blue's registries. */
  | { kind: 'joined' }
  | { kind: 'join'; registries: ServiceRegistries }
  | { kind: 'cannot'; reason: string };

/** What finalize does about blue's Cloud Map registries. */
export function registryHandover(blue: Service, green: Service, greenTaskDefinition: TaskDefinition | undefined): RegistryHandover {
  if (blue.serviceRegistries.length === 0) return { kind: 'none' };
  if (stableStringify(green.serviceRegistries) === stableStringify(blue.serviceRegistries)) return { kind: 'joined' };
  if (green.serviceRegistries.length > 0) {
    return { kind: 'cannot', reason: `${green.name} is registered in another Cloud Map registry, and ECS takes one per service` };
  }
  const containers = new Set((greenTaskDefinition?.containerDefinitions ?? []).map((c) => c.name));
  const missing = blue.serviceRegistries.map((r) => r.containerName).filter((name): name is string => !!name && !containers.has(name));
  if (missing.length > 0) return { kind: 'cannot', reason: `${green.name}'s task definition has no container ${missing.join(', ')}, which blue's registry names` };
  if (green.deploymentController !== 'ECS') return { kind: 'cannot', reason: `${green.name} uses the ${green.deploymentController} deployment controller, whose registries UpdateService cannot change` };
  return { kind: 'join', registries: blue.serviceRegistries };
}

/** The DNS names blue's registries answer (<service>.<namespace>), or their ARNs when Cloud Map was not read. */
export function registryNames(estate: Estate, registries: ServiceRegistries): string[] {
  return registries.map((r) => {
    const service = estate.cloudMap.services.find((s) => s.arn === r.registryArn);
    const namespace = estate.cloudMap.namespaces.find((n) => n.id === service?.namespaceId);
    return service && namespace ? `${service.name}.${namespace.name}` : r.registryArn;
  });
}

/** Services (other than blue and green) whose environment names one of these DNS names: "cluster/service (container.VARIABLE)". */
export function dnsCallers(estate: Estate, names: string[], exclude: Service[]): string[] {
  const known = new Set(names.map((n) => n.toLowerCase()));
  return estate.clusters.flatMap((c) => c.services)
    .filter((s) => !exclude.some((e) => e.arn === s.arn))
    .flatMap((s) => {
      const td = estate.taskDefinitions[s.taskDefinitionArn];
      const found = td ? inferBackends(td, known, '') : [];
      return found.length > 0 ? [`${s.clusterName}/${s.name} (${found.map((b) => b.from).join(', ')})`] : [];
    })
    .sort();
}
