// Who serves the names a narrowed selection calls and none of it serves
// (src/core/outside-servers.ts). ECS gives each task it registers in Cloud
// Map the attributes ECS_CLUSTER_NAME and ECS_SERVICE_NAME (Amazon ECS
// Developer Guide, "Use service discovery to connect Amazon ECS services with
// DNS names"), so one ListInstances per name, for one instance, names the ECS
// service; DescribeServices (10 per call, per cluster) says whether it is on
// Service Connect already. The reads grow with the names called, not with
// the estate.
import type { CloudMapService, OutsideServer } from '../core/estate.js';
import { chunks } from './batch.js';
import { AwsCallError, type AwsCaller } from './caller.js';
import { toService } from './read-estate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const DESCRIBE_SERVICES_MAX = 10;
const gone = (error: unknown) => error instanceof AwsCallError && /NotFound/.test(error.code);

export interface CalledName {
  name: string;
  registry: CloudMapService;
  clients: string[];
}

/** The ECS service registering each Cloud Map service, from one of its instances; none when no task is registered. */
async function registeringServices(aws: AwsCaller, called: CalledName[]): Promise<Map<string, { cluster: string; service: string }>> {
  const found = await Promise.all([...new Set(called.map((c) => c.registry.id))].sort().map(async (id) => {
    const out = await aws.call<Raw>('servicediscovery', 'ListInstances', { ServiceId: id, MaxResults: 1 }).catch((error: unknown) => {
      if (gone(error)) return {} as Raw;
      throw error;
    });
    const attributes = ((out.Instances ?? []) as Raw[])[0]?.Attributes as Record<string, string> | undefined;
    const cluster = attributes?.ECS_CLUSTER_NAME;
    const service = attributes?.ECS_SERVICE_NAME;
    return cluster && service ? [[id, { cluster, service }] as const] : [];
  }));
  return new Map(found.flat());
}

/** Which of these ECS services run on Service Connect, by cluster/service; a service or cluster that is gone is left out. */
async function onServiceConnect(aws: AwsCaller, services: { cluster: string; service: string }[]): Promise<Map<string, boolean>> {
  const byCluster = new Map<string, string[]>();
  for (const s of services) byCluster.set(s.cluster, [...new Set([...(byCluster.get(s.cluster) ?? []), s.service])].sort());
  const answers = await Promise.all([...byCluster].sort().flatMap(([cluster, names]) => chunks(names, DESCRIBE_SERVICES_MAX).map(async (batch) => {
    const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster, services: batch }).catch((error: unknown) => {
      if (gone(error)) return {} as Raw;
      throw error;
    });
    return ((out.services ?? []) as Raw[]).filter((raw) => raw.status !== 'INACTIVE')
      .map((raw) => [`${cluster}/${raw.serviceName}`, toService(raw, cluster).serviceConnect?.enabled === true] as const);
  })));
  return new Map(answers.flat());
}

export async function readOutsideServers(aws: AwsCaller, called: CalledName[]): Promise<OutsideServer[]> {
  const registering = await registeringServices(aws, called);
  const connected = await onServiceConnect(aws, [...registering.values()]);
  return called.map(({ name, registry, clients }) => {
    const server = registering.get(registry.id);
    const known = server && connected.has(`${server.cluster}/${server.service}`);
    return { name, clients, ...(known && server), onServiceConnect: known ? connected.get(`${server.cluster}/${server.service}`)! : false };
  });
}
