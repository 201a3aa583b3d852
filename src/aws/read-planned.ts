// What apply reads again before it runs a plan: only what can have changed.
// The planned services (DescribeServices straight from their ARNs, 10 per
// call, no List calls), the App Mesh resources (listed, then described), Cloud Map entries and
// listener rules the plan observed. Task definitions are immutable (only
// their status changes, checked per service just before it moves, when the
// revisions holding masked secret values are read too), so none is read here.
import type { MeshSpecs } from '../core/appmesh/specs.js';
import type { Cluster, Estate } from '../core/estate.js';
import { meshNamesOf } from '../core/plan/drift.js';
import type { Plan } from '../core/plan/model.js';
import { chunks } from './batch.js';
import { mergeCloudMaps } from '../core/merge-estates.js';
import { accountOfArn, callerFor, type AccountSession } from './accounts.js';
import type { AwsCaller } from './caller.js';
import { emptyEstate, readPerAccount } from './read-accounts.js';
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

/**
 * Each read goes to the account that holds what it reads: services and rules
 * by their ARNs, the mesh by its owner, Cloud Map in every account of the
 * plan (a shared namespace is seen, by ARN, from the accounts it is shared with).
 */
export async function readPlannedState(accounts: AccountSession[], region: string, plan: Plan): Promise<PlannedState> {
  const meshStep = plan.steps.find((s) => s.service === 'appmesh');
  const meshAccount = meshStep ? String(meshStep.input.meshOwner ?? meshStep.account ?? '') || undefined : undefined;
  const aws = callerFor(accounts, accounts.length > 1 ? meshAccount ?? plan.account : undefined);
  // The mesh's listing (a few calls) says which of the observed resources exist, to describe only those.
  const meshSpecs = async (): Promise<MeshSpecs> => {
    if (Object.keys(plan.observed.meshResources).length === 0) return { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} };
    const appMesh = await readAppMesh(aws);
    return readMeshSpecs(aws, { appMesh }, meshNamesOf(plan));
  };
  const planAccounts = [...new Set([plan.account, ...Object.keys(plan.accounts ?? {})])].filter((a) => accounts.length === 1 || accounts.some((s) => s.id === a));
  const readCloudMaps = async (): Promise<Estate['cloudMap']> => {
    if (Object.keys(plan.observed.cloudMap).length === 0) return { namespaces: [], services: [] };
    if (accounts.length === 1) return readCloudMap(accounts[0]!.aws);
    const parts = await Promise.all(planAccounts.map((a) => readCloudMap(callerFor(accounts, a), a)));
    return mergeCloudMaps(parts);
  };
  const [clusters, cloudMap, specs, edgeActions] = await Promise.all([
    readPerAccount(accounts, Object.keys(plan.observed.services), accountOfArn, readServices, (parts) => parts.flat()),
    readCloudMaps(),
    meshSpecs(),
    plan.observed.edge ? readPerAccount(accounts, Object.keys(plan.observed.edge), accountOfArn, readEdgeActions, (p) => Object.assign({}, ...p)) : Promise.resolve({}),
  ]);
  return {
    estate: { ...emptyEstate(region), clusters, cloudMap },
    specs, edgeActions,
  };
}
