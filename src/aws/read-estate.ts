// Reads the estate into plain data with as few calls as the APIs allow: every
// Describe batched to its maximum, every List paged at its maximum, each task
// definition and instance type fetched once, independent reads concurrent.
import type {
  AppMeshMesh, CapacityProviderItem, CloudMapNamespace, CloudMapService, Cluster, ContainerInstance,
  Deployment, Estate, InstanceType, RunningTask, Service, ServiceSettings, TaskDefinition,
} from '../core/estate.js';
import { chunks, paginate } from './batch.js';
import { AwsCallError, type AwsCaller } from './caller.js';
import { accountOfArn } from '../core/arn.js';
import { NotFoundError } from './errors.js';
import { readNetwork } from './read-network.js';
import { readUsage, type UsageRequest } from './read-usage.js';

// Raw API shapes are only read here, field by field, into the typed estate.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface EstateSelection {
  clusters?: string[];
  services?: string[];
  /** Read Cloud Map even when no service uses it (planning may register services in a namespace). */
  cloudMap?: boolean;
  /** The named clusters and services may have been deleted (apply's drift check, rollback of a journal): read what exists, leave the rest out. */
  allowMissing?: boolean;
  /** The account read, when known (several accounts in the run). */
  account?: string;
  /** The account App Mesh is read from when `account` is not given: a mesh another account shares with it is read naming its owner (meshOwner). */
  appMeshAccount?: string;
  /** Read the services' usage in CloudWatch over this window (precheck and planning; read-usage.ts). */
  usage?: UsageRequest;
}

const DESCRIBE_CLUSTERS_MAX = 100;
const DESCRIBE_SERVICES_MAX = 10;
const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
const DESCRIBE_TASKS_MAX = 100;
const DESCRIBE_INSTANCE_TYPES_MAX = 100;
const LIST_MAX = 100;
const RECENT_EVENTS = 5;

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

async function readClusters(aws: AwsCaller, names: string[] | undefined, allowMissing: boolean): Promise<Raw[]> {
  // Listing first (one call per 100 clusters) names the known clusters when a requested one is missing.
  const arns = await paginate(async (nextToken) => {
    const page = await aws.call<Raw>('ecs', 'ListClusters', { maxResults: LIST_MAX, ...(nextToken && { nextToken }) });
    return { items: page.clusterArns as string[] | undefined, next: page.nextToken };
  });
  const requested = names && names.length > 0 ? [...new Set(names)] : undefined;
  const missing = (requested ?? []).filter((n) => !arns.some((arn) => arn === n || nameOf(arn) === n));
  if (missing.length > 0 && !allowMissing) {
    const known = arns.map(nameOf).sort().join(', ') || 'none';
    throw new NotFoundError(`cluster ${missing.join(', ')} not found in this region (clusters: ${known}); check --cluster and --region`);
  }
  const wanted = arns.filter((arn) => !requested || requested.some((n) => arn === n || nameOf(arn) === n)).sort();
  if (wanted.length === 0) return [];
  const results = await Promise.all(chunks(wanted, DESCRIBE_CLUSTERS_MAX).map((batch) =>
    aws.call<Raw>('ecs', 'DescribeClusters', { clusters: batch })));
  return results.flatMap((r) => (r.clusters ?? []) as Raw[])
    .filter((c) => c.status !== 'INACTIVE')
    .sort((a, b) => String(a.clusterName).localeCompare(String(b.clusterName)));
}

async function readServices(aws: AwsCaller, cluster: Raw, only: Set<string> | undefined): Promise<Raw[]> {
  const arns = await paginate(async (nextToken) => {
    const page = await aws.call<Raw>('ecs', 'ListServices', { cluster: cluster.clusterArn, maxResults: LIST_MAX, ...(nextToken && { nextToken }) });
    return { items: page.serviceArns as string[] | undefined, next: page.nextToken };
  });
  const wanted = arns.filter((arn) => !only || only.has(nameOf(arn))).sort();
  const results = await Promise.all(chunks(wanted, DESCRIBE_SERVICES_MAX).map((batch) =>
    aws.call<Raw>('ecs', 'DescribeServices', { cluster: cluster.clusterArn, services: batch, include: ['TAGS'] })));
  return results.flatMap((r) => (r.services ?? []) as Raw[]).filter((s) => s.status !== 'INACTIVE');
}

async function readContainerInstances(aws: AwsCaller, cluster: Raw): Promise<Raw[]> {
  if (!cluster.registeredContainerInstancesCount) return [];
  const arns = await paginate(async (nextToken) => {
    const page = await aws.call<Raw>('ecs', 'ListContainerInstances', { cluster: cluster.clusterArn, maxResults: LIST_MAX, ...(nextToken && { nextToken }) });
    return { items: page.containerInstanceArns as string[] | undefined, next: page.nextToken };
  });
  const results = await Promise.all(chunks(arns.sort(), DESCRIBE_CONTAINER_INSTANCES_MAX).map((batch) =>
    aws.call<Raw>('ecs', 'DescribeContainerInstances', { cluster: cluster.clusterArn, containerInstances: batch })));
  return results.flatMap((r) => (r.containerInstances ?? []) as Raw[]);
}

/** Running tasks on container instances: what holds ENIs there today. */
async function readEc2Tasks(aws: AwsCaller, cluster: Raw): Promise<Raw[]> {
  if (!cluster.registeredContainerInstancesCount || !cluster.runningTasksCount) return [];
  // No launchType filter: tasks placed by EC2 capacity providers report none.
  const arns = await paginate(async (nextToken) => {
    const page = await aws.call<Raw>('ecs', 'ListTasks', { cluster: cluster.clusterArn, desiredStatus: 'RUNNING', maxResults: LIST_MAX, ...(nextToken && { nextToken }) });
    return { items: page.taskArns as string[] | undefined, next: page.nextToken };
  });
  const results = await Promise.all(chunks(arns.sort(), DESCRIBE_TASKS_MAX).map((batch) =>
    aws.call<Raw>('ecs', 'DescribeTasks', { cluster: cluster.clusterArn, tasks: batch })));
  return results.flatMap((r) => (r.tasks ?? []) as Raw[]).filter((t) => t.containerInstanceArn);
}

/**
 * Fetches each task definition once, however many services share it, and as
 * soon as a cluster's services name it: DescribeTaskDefinition has the
 * tightest quota of the reads, so it starts while other clusters are read.
 */
function taskDefinitionReader(aws: AwsCaller) {
  const pending = new Map<string, Promise<TaskDefinition>>();
  return {
    request(arns: string[]): void {
      for (const arn of [...new Set(arns)].sort()) {
        if (pending.has(arn)) continue;
        const promise = aws.call<Raw>('ecs', 'DescribeTaskDefinition', { taskDefinition: arn, include: ['TAGS'] })
          .then((out) => ({ ...out.taskDefinition, tags: out.tags ?? [] }) as TaskDefinition);
        // Awaited in all(); until then a failure must not surface as an unhandled rejection.
        promise.catch(() => undefined);
        pending.set(arn, promise);
      }
    },
    async all(): Promise<Record<string, TaskDefinition>> {
      const entries = await Promise.all([...pending.entries()].map(async ([arn, p]) => [arn, await p] as const));
      return Object.fromEntries(entries.sort((a, b) => a[0].localeCompare(b[0])));
    },
  };
}

async function readInstanceTypes(aws: AwsCaller, names: string[]): Promise<Record<string, InstanceType>> {
  const unique = [...new Set(names)].sort();
  const results = await Promise.all(chunks(unique, DESCRIBE_INSTANCE_TYPES_MAX).map((batch) =>
    aws.call<Raw>('ec2', 'DescribeInstanceTypes', { InstanceTypes: batch })));
  const types: Record<string, InstanceType> = {};
  for (const t of results.flatMap((r) => (r.InstanceTypes ?? []) as Raw[])) {
    types[t.InstanceType] = {
      name: t.InstanceType,
      maxNetworkInterfaces: t.NetworkInfo?.MaximumNetworkInterfaces ?? 0,
      vcpus: t.VCpuInfo?.DefaultVCpus ?? 0,
      memoryMiB: t.MemoryInfo?.SizeInMiB ?? 0,
    };
  }
  return types;
}

async function readTrunking(aws: AwsCaller): Promise<boolean> {
  const out = await aws.call<Raw>('ecs', 'ListAccountSettings', { name: 'awsvpcTrunking', effectiveSettings: true });
  return ((out.settings ?? []) as Raw[]).some((s) => s.name === 'awsvpcTrunking' && s.value === 'enabled');
}

/** `account`: the account reading; namespaces another account shared with it are listed by ARN (AWS requires it). */
export async function readCloudMap(aws: AwsCaller, account?: string): Promise<Estate['cloudMap']> {
  const rawNamespaces = await paginate(async (NextToken) => {
    const page = await aws.call<Raw>('servicediscovery', 'ListNamespaces', { MaxResults: LIST_MAX, ...(NextToken && { NextToken }) });
    return { items: page.Namespaces as Raw[] | undefined, next: page.NextToken };
  });
  const namespaces: CloudMapNamespace[] = rawNamespaces
    .map((n): CloudMapNamespace => {
      const owner = (n.ResourceOwner as string | undefined) ?? accountOfArn(String(n.Arn));
      const shared = account !== undefined && owner !== account;
      // Route 53 ids read the same with or without their /hostedzone/ prefix; the plan shows them bare.
      const zone = (n.Properties?.DnsProperties?.HostedZoneId as string | undefined)?.replace(/^\/hostedzone\//, '');
      return { id: n.Id, arn: n.Arn, name: n.Name, type: n.Type, ...(shared && { sharedWith: [account] }), ...(zone && { hostedZoneId: zone }) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  // ServiceSummary does not name its namespace, so list per namespace.
  const perNamespace = await Promise.all(namespaces.map(async (ns) => {
    const services = await paginate(async (NextToken) => {
      const page = await aws.call<Raw>('servicediscovery', 'ListServices', {
        MaxResults: LIST_MAX,
        // "Specify the namespace ARN for namespaces that are shared with your account" (Cloud Map API Reference, ServiceFilter).
        Filters: [{ Name: 'NAMESPACE_ID', Values: [ns.sharedWith ? ns.arn : ns.id], Condition: 'EQ' }],
        ...(NextToken && { NextToken }),
      });
      return { items: page.Services as Raw[] | undefined, next: page.NextToken };
    });
    return services.map((s): CloudMapService => ({ id: s.Id, arn: s.Arn, name: s.Name, namespaceId: ns.id }));
  }));
  return { namespaces, services: perNamespace.flat() };
}

/** `account`: the account reading; meshes another account shared with it are read with their meshOwner. */
export async function readAppMesh(aws: AwsCaller, account?: string): Promise<Estate['appMesh']> {
  const meshes = await paginate(async (nextToken) => {
    const page = await aws.call<Raw>('appmesh', 'ListMeshes', { limit: LIST_MAX, ...(nextToken && { nextToken }) });
    return { items: page.meshes as Raw[] | undefined, next: page.nextToken };
  });
  const list = (meshName: string, meshOwner: string | undefined, operation: string, field: string, nameField: string) => paginate(async (nextToken) => {
    const page = await aws.call<Raw>('appmesh', operation, { meshName, limit: LIST_MAX, ...(meshOwner && { meshOwner }), ...(nextToken && { nextToken }) });
    return { items: page[field] as Raw[] | undefined, next: page.nextToken };
  }).then((refs) => refs
    .map((r) => ({ name: r[nameField] as string, arn: r.arn as string, version: Number(r.version ?? 0) }))
    .sort((a, b) => a.name.localeCompare(b.name)));
  const result = await Promise.all(meshes.map(async (mesh): Promise<AppMeshMesh> => {
    const shared = account !== undefined && mesh.meshOwner !== undefined && mesh.meshOwner !== account;
    const owner = shared ? mesh.meshOwner as string : undefined;
    const [virtualNodes, virtualServices, virtualRouters] = await Promise.all([
      list(mesh.meshName, owner, 'ListVirtualNodes', 'virtualNodes', 'virtualNodeName'),
      list(mesh.meshName, owner, 'ListVirtualServices', 'virtualServices', 'virtualServiceName'),
      list(mesh.meshName, owner, 'ListVirtualRouters', 'virtualRouters', 'virtualRouterName'),
    ]);
    return {
      name: mesh.meshName, arn: mesh.arn, version: Number(mesh.version ?? 0), virtualNodes, virtualServices, virtualRouters,
      ...(shared && { sharedWith: [account] }),
    };
  }));
  return { meshes: result.sort((a, b) => a.name.localeCompare(b.name)) };
}

function toCapacityProviders(items: Raw[] | undefined): CapacityProviderItem[] {
  return (items ?? []).map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight, base: i.base }));
}

export function toService(raw: Raw, clusterName: string): Service {
  const deployments: Deployment[] = ((raw.deployments ?? []) as Raw[]).map((d) => ({
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    serviceConnectConfiguration: d.serviceConnectConfiguration,
    ...(d.createdAt && { createdAt: d.createdAt }),
  }));
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return {
    name: raw.serviceName,
    arn: raw.serviceArn,
    clusterName,
    status: raw.status,
    launchType: raw.launchType,
    capacityProviderStrategy: toCapacityProviders(raw.capacityProviderStrategy),
    platformVersion: raw.platformVersion,
    awsvpcConfiguration: raw.networkConfiguration?.awsvpcConfiguration,
    desiredCount: raw.desiredCount ?? 0,
    runningCount: raw.runningCount ?? 0,
    pendingCount: raw.pendingCount ?? 0,
    deploymentController: raw.deploymentController?.type ?? 'ECS',
    maximumPercent: raw.deploymentConfiguration?.maximumPercent ?? 200,
    minimumHealthyPercent: raw.deploymentConfiguration?.minimumHealthyPercent ?? 100,
    serviceRegistries: raw.serviceRegistries ?? [],
    loadBalancers: raw.loadBalancers ?? [],
    taskDefinitionArn: raw.taskDefinition,
    deployments,
    serviceConnect: primary?.serviceConnectConfiguration,
    events: ((raw.events ?? []) as Raw[]).slice(0, RECENT_EVENTS).map((e) => ({ createdAt: e.createdAt, message: e.message })),
    settings: toSettings(raw),
    ...(Array.isArray(raw.tags) && raw.tags.length > 0 && { tags: (raw.tags as Raw[]).map((t) => ({ key: String(t.key), value: String(t.value ?? '') })) }),
  };
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? list : undefined);

function toSettings(raw: Raw): ServiceSettings {
  const primary = ((raw.deployments ?? []) as Raw[]).find((d) => d.status === 'PRIMARY');
  const settings: ServiceSettings = {
    healthCheckGracePeriodSeconds: raw.healthCheckGracePeriodSeconds,
    placementConstraints: nonEmpty(raw.placementConstraints),
    placementStrategy: nonEmpty(raw.placementStrategy),
    tags: nonEmpty(((raw.tags ?? []) as Raw[]).filter((t) => !String(t.key).startsWith('aws:')).map((t) => ({ key: t.key, value: t.value ?? '' }))),
    propagateTags: raw.propagateTags,
    enableECSManagedTags: raw.enableECSManagedTags,
    enableExecuteCommand: raw.enableExecuteCommand,
    deploymentConfiguration: raw.deploymentConfiguration,
    availabilityZoneRebalancing: raw.availabilityZoneRebalancing,
    volumeConfigurations: nonEmpty(primary?.volumeConfigurations),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as ServiceSettings;
}

function resource(list: Raw[] | undefined, name: string): number {
  return Number((list ?? []).find((r) => r.name === name)?.integerValue ?? 0);
}

function toContainerInstance(raw: Raw): ContainerInstance {
  const attributes = (raw.attributes ?? []) as Raw[];
  return {
    arn: raw.containerInstanceArn,
    ec2InstanceId: raw.ec2InstanceId,
    instanceType: attributes.find((a) => a.name === 'ecs.instance-type')?.value,
    status: raw.status,
    agentVersion: raw.versionInfo?.agentVersion,
    registered: { cpu: resource(raw.registeredResources, 'CPU'), memory: resource(raw.registeredResources, 'MEMORY') },
    remaining: { cpu: resource(raw.remainingResources, 'CPU'), memory: resource(raw.remainingResources, 'MEMORY') },
    runningTasksCount: raw.runningTasksCount ?? 0,
    trunked: attributes.some((a) => a.name === 'ecs.awsvpc-trunk-id'),
  };
}

function toTask(raw: Raw): RunningTask {
  return {
    arn: raw.taskArn,
    taskDefinitionArn: raw.taskDefinitionArn,
    containerInstanceArn: raw.containerInstanceArn,
    launchType: raw.launchType,
    usesEni: ((raw.attachments ?? []) as Raw[]).some((a) => a.type === 'ElasticNetworkInterface'),
    ...(raw.group && { group: raw.group }),
  };
}

export async function readEstate(aws: AwsCaller, region: string, selection: EstateSelection = {}): Promise<Estate> {
  const only = selection.services && selection.services.length > 0 ? new Set(selection.services) : undefined;
  // Reads that depend on nothing start at once.
  const trunking = readTrunking(aws);
  const appMesh = readAppMesh(aws, selection.account ?? selection.appMeshAccount).catch((error: unknown): Estate['appMesh'] => {
    // App Mesh ended on 2026-09-30: AccessDenied or no answer must not stop reading ECS and Cloud Map.
    if (!(error instanceof AwsCallError)) throw error;
    return { meshes: [], unreadable: `${error.operation}: ${error.code}: ${error.message.split('\n')[0]!.slice(0, 200)}` };
  });
  // Awaited below; until then a failure must not surface as an unhandled rejection.
  trunking.catch(() => undefined);
  appMesh.catch(() => undefined);
  const rawClusters = await readClusters(aws, selection.clusters, selection.allowMissing ?? false);

  const taskDefinitionsReader = taskDefinitionReader(aws);
  const perCluster = await Promise.all(rawClusters.map(async (c) => {
    const [services, instances, tasks] = await Promise.all([
      readServices(aws, c, only).then((found) => {
        taskDefinitionsReader.request(found.map((s) => s.taskDefinition as string));
        return found;
      }),
      readContainerInstances(aws, c), readEc2Tasks(aws, c),
    ]);
    return { raw: c, services, instances, tasks };
  }));

  if (only) {
    const found = new Set(perCluster.flatMap((c) => c.services.map((s) => s.serviceName as string)));
    const missing = [...only].filter((s) => !found.has(s));
    if (missing.length > 0 && !selection.allowMissing) {
      throw new NotFoundError(`service ${missing.join(', ')} not found in cluster(s) ${rawClusters.map((c) => c.clusterName).join(', ')}; check --service (meshctl inspect lists the services)`);
    }
  }

  const clusters: Cluster[] = perCluster.map(({ raw, services, instances, tasks }) => ({
    name: raw.clusterName,
    arn: raw.clusterArn,
    status: raw.status,
    capacityProviders: raw.capacityProviders ?? [],
    defaultCapacityProviderStrategy: toCapacityProviders(raw.defaultCapacityProviderStrategy),
    serviceConnectDefaultsNamespace: raw.serviceConnectDefaults?.namespace,
    services: services.map((s) => toService(s, raw.clusterName)).sort((a, b) => a.name.localeCompare(b.name)),
    containerInstances: instances.map(toContainerInstance),
    tasks: tasks.map(toTask),
  }));

  const services = clusters.flatMap((c) => c.services);
  // Over several accounts the merged estate may span VPCs, and reachability needs the names services get in a namespace.
  const needsCloudMap = selection.cloudMap || selection.account !== undefined || services.some((s) => s.serviceRegistries.length > 0 || s.serviceConnect?.enabled)
    || clusters.some((c) => c.serviceConnectDefaultsNamespace);
  const instanceTypeNames = clusters.flatMap((c) => c.containerInstances.map((i) => i.instanceType).filter((t): t is string => !!t));

  const definitions = taskDefinitionsReader.all();
  // Usage is read against each service's current revision (read-usage.ts): once the definitions are in.
  const [taskDefinitions, instanceTypes, cloudMap, network, usage] = await Promise.all([
    definitions,
    instanceTypeNames.length > 0 ? readInstanceTypes(aws, instanceTypeNames) : Promise.resolve({}),
    needsCloudMap ? readCloudMap(aws, selection.account ?? accountOfArn(clusters[0]?.arn ?? '')) : Promise.resolve({ namespaces: [], services: [] }),
    readNetwork(aws, services, selection.account !== undefined),
    selection.usage ? definitions.then((tds) => readUsage(aws, services, tds, selection.usage!)) : Promise.resolve(undefined),
  ]);

  // Services spanning several VPCs are checked for reachability, which needs the names they will have in a namespace.
  const spansVpcs = network && new Set(Object.values(network.subnets).map((s) => s.vpcId)).size > 1;
  const namespaces = !needsCloudMap && spansVpcs ? await readCloudMap(aws, accountOfArn(clusters[0]?.arn ?? '')) : cloudMap;

  return {
    region,
    clusters,
    taskDefinitions,
    instanceTypes,
    awsvpcTrunking: await trunking,
    cloudMap: namespaces,
    appMesh: await appMesh,
    ...(network && { network }),
    ...(usage && { usage }),
  };
}
