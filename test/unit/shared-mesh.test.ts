// App Mesh resources made, changed or deleted from another account in a
// shared mesh name the mesh's owner (meshOwner), or App Mesh looks for the
// mesh in the caller's own account and answers NotFound. Every plan (apply,
// rollback, finalize) is placed in accounts by placeInAccounts.
import { describe, expect, it } from 'vitest';
import type { Estate } from '../../src/core/estate.js';
import { mergeEstates } from '../../src/core/merge-estates.js';
import type { AwsCaller, AwsInput } from '../../src/aws/caller.js';
import { readMeshSpecs } from '../../src/aws/read-mesh-specs.js';
import { planFinalize } from '../../src/core/cutover/finalize.js';
import { placeInAccounts } from '../../src/core/plan/accounts.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

const OWNER = '111111111111';
const CALLER = '222222222222';

function accountEstate(account: string, cluster: string): Estate {
  const td = taskDefinition({ family: `${cluster}-app`, taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/${cluster}-app:1` });
  const svc = service(td, { arn: `arn:aws:ecs:us-east-1:${account}:service/${cluster}/app`, clusterName: cluster, name: 'app', serviceRegistries: [] });
  return estate({ services: [[svc, td]], cluster: { name: cluster, arn: `arn:aws:ecs:us-east-1:${account}:cluster/${cluster}` } });
}

function sharedMeshEstate(): Estate {
  const merged = mergeEstates([{ name: 'owner', estate: accountEstate(OWNER, 'pricing') }, { name: 'caller', estate: accountEstate(CALLER, 'storefront') }]);
  merged.appMesh.meshes.push({ name: 'shared', arn: `arn:aws:appmesh:us-east-1:${OWNER}:mesh/shared`, version: 1, virtualNodes: [], virtualServices: [], virtualRouters: [] });
  return merged;
}

const KINDS = ['VirtualNode', 'VirtualService', 'VirtualRouter', 'Route'];
const VERBS = ['Create', 'Update', 'Delete'];

function plan(steps: PlanStep[]): Plan {
  return {
    formatVersion: 1, tool: 'meshctl', target: 'appmesh', region: 'us-east-1', account: CALLER, createdAt: 'now', mesh: 'shared', fingerprint: 'sha256:x',
    observed: { services: {}, meshResources: {}, cloudMap: {} }, services: [], blocked: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 }, steps,
  };
}

const appMeshStep = (operation: string, ecsService: string): PlanStep => ({
  id: `${operation}:${ecsService}`, service: 'appmesh', operation, input: { meshName: 'shared' }, dependsOn: [], action: 'create', resource: '', ecsService,
});

describe('App Mesh steps in a mesh another account shares', () => {
  it('name the mesh owner on every create, update and delete of every resource kind the caller\'s services make there', () => {
    const operations = VERBS.flatMap((verb) => KINDS.map((kind) => `${verb}${kind}`));
    const placed = placeInAccounts(plan(operations.map((op) => appMeshStep(op, 'storefront/app'))), sharedMeshEstate(), CALLER);
    expect(placed.steps.map((s) => [s.operation, s.account, s.input.meshOwner])).toEqual(operations.map((op) => [op, CALLER, OWNER]));
  });

  it('name none in the owner\'s own account, and the mesh itself is never given one', () => {
    const steps = [...VERBS.flatMap((verb) => KINDS.map((kind) => appMeshStep(`${verb}${kind}`, 'pricing/app'))), { ...appMeshStep('UpdateMesh', 'pricing/app'), ecsService: undefined }];
    const placed = placeInAccounts(plan(steps as PlanStep[]), sharedMeshEstate(), CALLER);
    expect(placed.steps.every((s) => s.account === OWNER && s.input.meshOwner === undefined)).toBe(true);
  });
});

describe('finalize in a mesh another account shares', () => {
  it('deletes the blue service\'s virtual services and node in the service\'s own account, naming the mesh owner', () => {
    const estate = sharedMeshEstate();
    const blue = estate.clusters.find((c) => c.name === 'storefront')!.services[0]!;
    const green = { ...blue, name: 'app-sc', arn: blue.arn.replace('/app', '/app-sc') };
    const pair = { label: 'storefront/app', cluster: 'storefront', blue: 'app', green: 'app-sc', greenTargetGroup: 'tg-green', edges: [] };
    const plan = planFinalize({
      region: 'us-east-1', account: CALLER, createdAt: 'now', target: 'service-connect', journal: '.meshctl/journal-a.json', edgeActions: {}, notes: [],
      pairs: [{ pair, blue, green, mesh: { mesh: 'shared', node: 'app', virtualServices: ['app.shop.local', 'api.shop.local'] } }],
    });
    const placed = placeInAccounts(plan, estate, CALLER);
    const deletes = placed.steps.filter((s) => s.service === 'appmesh');
    expect(deletes.map((s) => [s.operation, s.account, s.input.meshOwner])).toEqual([
      ['DeleteVirtualService', CALLER, OWNER], ['DeleteVirtualService', CALLER, OWNER], ['DeleteVirtualNode', CALLER, OWNER],
    ]);
    // Everything else of blue's goes in its own account too.
    expect(new Set(placed.steps.map((s) => s.account))).toEqual(new Set([CALLER]));
  });
});

describe('reading a mesh another account shares', () => {
  const scripted = (calls: [string, AwsInput][]): AwsCaller => ({
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      calls.push([operation, input]);
      const field = operation.replace('Describe', '').replace(/^./, (c) => c.toLowerCase());
      return { [field]: { spec: {}, metadata: { version: 1 } } } as T;
    },
  });
  const names = { mesh: 'shared', virtualNodes: ['app'], virtualServices: ['app.shop.local'], virtualRouters: ['app'], routes: [{ router: 'app', route: 'main' }] };
  const ref = (name: string) => ({ name, arn: `arn:aws:appmesh:us-east-1:${OWNER}:mesh/shared/x/${name}`, version: 1 });
  const mesh = { name: 'shared', arn: `arn:aws:appmesh:us-east-1:${OWNER}:mesh/shared`, version: 1, virtualNodes: [ref('app')], virtualServices: [ref('app.shop.local')], virtualRouters: [ref('app')] };

  it('names the owner in every describe (finalize reads blue\'s node and its callers\' there), and no one in the reader\'s own mesh', async () => {
    const shared: [string, AwsInput][] = [];
    await readMeshSpecs(scripted(shared), { appMesh: { meshes: [{ ...mesh, sharedWith: [CALLER] }] } }, names);
    expect(shared.map(([operation]) => operation).sort()).toEqual(['DescribeMesh', 'DescribeRoute', 'DescribeVirtualNode', 'DescribeVirtualRouter', 'DescribeVirtualService']);
    expect(shared.every(([, input]) => input.meshOwner === OWNER)).toBe(true);
    const own: [string, AwsInput][] = [];
    await readMeshSpecs(scripted(own), { appMesh: { meshes: [mesh] } }, names);
    expect(own).toHaveLength(5);
    expect(own.some(([, input]) => 'meshOwner' in input)).toBe(false);
  });
});
