// What apply reads again before it runs a plan: only what can have changed.
// The planned services (DescribeServices straight from their ARNs, 10 per
// call, no List calls), the App Mesh resources (listed, then described), Cloud Map entries and
// listener rules the plan observed. Task definitions are immutable (only
// their status changes, checked per wave just before it moves, when the
// revisions holding masked secret values are read too), so none is read here.
import type { MeshSpecs } from '../core/appmesh/specs.js';
import type { Cluster, Estate } from '../core/estate.js';
import { meshNamesOf } from '../core/plan/drift.js';
import type { Plan } from '../core/plan/model.js';
import { chunks } from './batch.js';
import type { AwsCaller } from './caller.js';
import { readEdgeActions } from './read-edge.js';
import { readAppMesh, readCloudMap, toService } from './read-estate.js';
import { readMeshSpecs } from './read-mesh-specs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const DESCRIBE_SERVICES_MAX = 10;

export interface PlannedState {
  /** The planned services as they are now (deleted ones left out). */
  estate: Estate;
  specs: MeshSpecs;
  edgeActions: Record<string, unknown>;
}

/** Service ARNs end in service/<cluster>/<name>. */
const clusterOf = (arn: string) => arn.split('/').slice(-2)[0]!;

/** arn:…:service/<cluster>/<name> → arn:…:cluster/<cluster>: the same request a full estate read sends. */
const clusterArnOf = (serviceArn: string) => serviceArn.replace(/:service\/([^/]+)\/[^/]+$/, ':cluster/$1');

async function readServices(aws: AwsCaller, arns: string[]): Promise<Cluster[]> {
  const byCluster = new Map<string, string[]>();
  for (const arn of arns) byCluster.set(clusterOf(arn), [...(byCluster.get(clusterOf(arn)) ?? []), arn]);
  return Promise.all([...byCluster.entries()].sort().map(async ([name, services]) => {
    const pages = await Promise.all(chunks(services.sort(), DESCRIBE_SERVICES_MAX).map((batch) =>
      aws.call<Raw>('ecs', 'DescribeServices', { cluster: clusterArnOf(batch[0]!), services: batch, include: ['TAGS'] })));
    const found = pages.flatMap((p) => (p.services ?? []) as Raw[]).filter((s) => s.status !== 'INACTIVE');
    return {
      name, arn: '', status: 'ACTIVE', capacityProviders: [], defaultCapacityProviderStrategy: [],
      services: found.map((s) => toService(s, name)).sort((a, b) => a.name.localeCompare(b.name)), containerInstances: [], tasks: [],
    };
  }));
}

export async function readPlannedState(aws: AwsCaller, region: string, plan: Plan): Promise<PlannedState> {
  // The mesh's listing (a few calls) says which of the observed resources exist, to describe only those.
  const meshSpecs = async (): Promise<MeshSpecs> => {
    if (Object.keys(plan.observed.meshResources).length === 0) return { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} };
    const appMesh = await readAppMesh(aws);
    return readMeshSpecs(aws, { appMesh }, meshNamesOf(plan));
  };
  const [clusters, cloudMap, specs, edgeActions] = await Promise.all([
    readServices(aws, Object.keys(plan.observed.services)),
    Object.keys(plan.observed.cloudMap).length > 0 ? readCloudMap(aws) : Promise.resolve({ namespaces: [], services: [] }),
    meshSpecs(),
    plan.observed.edge ? readEdgeActions(aws, Object.keys(plan.observed.edge)) : Promise.resolve({}),
  ]);
  return {
    estate: { region, clusters, taskDefinitions: {}, instanceTypes: {}, awsvpcTrunking: false, cloudMap, appMesh: { meshes: [] } },
    specs, edgeActions,
  };
}
