// App Mesh across accounts and VPCs, as AWS accepts it: every resource in a
// shared mesh names the mesh's owner (also a mesh the plan itself creates),
// a virtual node's Cloud Map service lives in the node's own account (in a
// shared namespace named by its ARN, without DnsConfig in an HTTP
// namespace), and a private namespace's hosted zone resolves in every VPC of
// the services, in one account too. Pure planners, no AWS.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../src/apply/executor.js';
import { JOURNAL_FORMAT_VERSION, JournalStore, type Journal } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import { parseConfig } from '../../src/config/config.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import type { Estate } from '../../src/core/estate.js';
import { mergeEstates } from '../../src/core/merge-estates.js';
import { placeInAccounts } from '../../src/core/plan/accounts.js';
import { planAppMeshAcrossAccounts } from '../../src/core/plan/cross-account.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { parsePlan } from '../../src/core/plan/plan-file.js';
import { planRollback } from '../../src/core/plan/rollback.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';
import { validateInput } from '../support/sdk-shapes.js';

const A = '111111111111';
const B = '222222222222';
const names = { [A]: 'provider', [B]: 'caller' };
const noSpecs = () => ({ virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} });

function accountEstate(account: string, clusterName: string, vpc = `vpc-${account}`, name = clusterName): Estate {
  const td = taskDefinition({ family: name, taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/${name}:1`, taskRoleArn: `arn:aws:iam::${account}:role/task` });
  const svc = service(td, {
    arn: `arn:aws:ecs:us-east-1:${account}:service/${clusterName}/${name}`, clusterName, name, serviceRegistries: [],
    awsvpcConfiguration: { subnets: [`subnet-${clusterName}`], securityGroups: [] },
  });
  const est = estate({ services: [[svc, td]], cluster: { name: clusterName, arn: `arn:aws:ecs:us-east-1:${account}:cluster/${clusterName}` } });
  est.cloudMap = { namespaces: [], services: [] };
  est.network = { subnets: { [`subnet-${clusterName}`]: { vpcId: vpc, cidr: '10.0.1.0/24' } }, vpcCidrs: {}, routeTables: [], peerings: [], transitGateways: [], securityGroups: {} };
  return est;
}

/** pricing in the provider's account A, storefront/checkout in the caller's account B (the run's own). */
function twoAccounts(namespace?: { name: string; type: string; id?: string }): Estate {
  const est = mergeEstates([{ name: 'provider', estate: accountEstate(A, 'pricing') }, { name: 'caller', estate: accountEstate(B, 'storefront', undefined, 'checkout') }]);
  est.accounts = names;
  if (namespace) {
    const id = namespace.id ?? 'ns-shop';
    est.cloudMap.namespaces.push({ id, arn: `arn:aws:servicediscovery:us-east-1:${A}:namespace/${id}`, name: namespace.name, type: namespace.type });
  }
  return est;
}

/** What `meshctl plan --target appmesh` computes over the accounts: plan, place, then share and associate. */
function planAcross(est: Estate, config: Record<string, unknown>, zones = {}): Plan {
  const plan = planAppMesh({ estate: est, config: parseConfig({ target: 'appmesh', ...config }, 'test'), specs: noSpecs(), createdAt: 'now', account: B });
  return planAppMeshAcrossAccounts(placeInAccounts(plan, est, B, names), est, zones);
}

const byId = (plan: Plan, id: string) => plan.steps.find((s) => s.id === id)!;

function expectValidInputs(plan: Plan): void {
  // apply sends AcceptResourceShareInvitation with the invitation it looks up (the plan names the share).
  for (const step of plan.steps.filter((s) => s.operation !== 'AcceptResourceShareInvitation')) {
    const refsFree = JSON.parse(JSON.stringify(step.input, (_k, v: unknown) => (v && typeof v === 'object' && '$ref' in v ? 'arn:aws:ref' : v))) as unknown;
    expect(validateInput(step.service, step.operation, refsFree), `${step.id}`).toEqual([]);
  }
}

describe('a mesh the plan creates, joined by another account', () => {
  const plan = planAcross(twoAccounts({ name: 'shop.internal', type: 'HTTP' }), { cloudMap: { namespace: 'shop.internal' } });

  it('is created in the run\'s own account, and every App Mesh step of the other account names it as meshOwner', () => {
    expect(byId(plan, 'mesh:meshctl')).toMatchObject({ account: B, operation: 'CreateMesh' });
    const pricing = plan.steps.filter((s) => s.service === 'appmesh' && s.ecsService === 'pricing/pricing');
    expect(pricing.map((s) => [s.operation, s.account, s.input.meshOwner])).toEqual([
      ['CreateVirtualNode', A, B], ['CreateVirtualService', A, B],
    ]);
    // The caller's own resources are in its own mesh: no owner to name.
    expect(plan.steps.filter((s) => s.service === 'appmesh' && s.account === B).every((s) => s.input.meshOwner === undefined)).toBe(true);
    // The mesh is shared with the provider once it exists, and the provider's resources wait for that.
    const share = plan.steps.find((s) => s.operation === 'CreateResourceShare' && s.id.includes(':appmesh:'))!;
    expect(share).toMatchObject({ account: B, dependsOn: ['mesh:meshctl'], input: { resourceArns: [`arn:aws:appmesh:us-east-1:${B}:mesh/meshctl`], principals: [A] } });
    expect(byId(plan, 'virtual-node:pricing').dependsOn).toContain(`ram-accept:arn:aws:appmesh:us-east-1:${B}:mesh/meshctl:${A}`);
    expectValidInputs(plan);
    // apply takes it: every step comes after the steps it depends on (the mesh before its share).
    expect(() => parsePlan(JSON.stringify(plan), 'plan.json')).not.toThrow();
  });

  it('gives Envoy the node\'s ARN in the mesh owner\'s account, whichever account runs the task', () => {
    const register = byId(plan, 'task-definition:pricing/pricing');
    const envoy = (register.input.containerDefinitions as { name: string; environment?: { name: string; value: string }[] }[]).find((c) => c.name === 'envoy')!;
    expect(envoy.environment).toContainEqual({ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:us-east-1:${B}:mesh/meshctl/virtualNode/pricing` });
  });

  it('names the owner on updates and deletes in that mesh too', () => {
    const est = twoAccounts();
    const steps: PlanStep[] = [
      { id: 'mesh', service: 'appmesh', operation: 'CreateMesh', input: { meshName: 'shared' }, dependsOn: [], action: 'create', resource: '' },
      { id: 'update', service: 'appmesh', operation: 'UpdateVirtualNode', input: { meshName: 'shared', virtualNodeName: 'pricing', spec: {} }, dependsOn: [], action: 'update', resource: '', ecsService: 'pricing/pricing' },
      { id: 'delete', service: 'appmesh', operation: 'DeleteVirtualService', input: { meshName: 'shared', virtualServiceName: 'p' }, dependsOn: [], action: 'delete', resource: '', ecsService: 'pricing/pricing' },
    ];
    const placed = placeInAccounts({ ...planAcross(est, {}), steps }, est, B, names);
    expect(placed.steps.map((s) => [s.id, s.account, s.input.meshOwner])).toEqual([['mesh', B, undefined], ['update', A, B], ['delete', A, B]]);
  });

  it('keeps the owner in the journal, so a rollback deletes what apply created in that mesh', async () => {
    const calls: Record<string, unknown>[] = [];
    const aws = { call: async (_s: string, _o: string, input: Record<string, unknown>) => { calls.push(input); return { virtualNode: {} }; } } as unknown as AwsCaller;
    const node = { ...byId(plan, 'virtual-node:pricing'), dependsOn: [] };
    const data: Journal = {
      formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'appmesh', mesh: 'meshctl',
      startedAt: 'now', updatedAt: '', services: {}, steps: {}, created: [],
    };
    const store = new JournalStore({ state: localState(await mkdtemp(join(tmpdir(), 'meshctl-owner-'))), name: 'journal.json' }, data);
    expect(await runSteps([node], { callerOf: () => aws, plan, store, outputs: new Map(), sourceTaskDefinitions: {}, concurrency: 1 })).toEqual([]);
    expect(store.journal.created).toEqual([expect.objectContaining({ kind: 'VirtualNode', account: A, identity: { meshName: 'meshctl', virtualNodeName: 'pricing', meshOwner: B } })]);
    const rollback = planRollback({
      region: 'us-east-1', account: B, createdAt: 'now', journal: { path: 'j.json', data: store.journal }, moves: [], greens: [], edgeActions: {},
      alreadyBack: ['pricing/pricing'], keepRevision: false, removeMeshResources: true, notes: [],
    });
    expect(rollback.steps).toEqual([expect.objectContaining({ operation: 'DeleteVirtualNode', account: A, input: { meshName: 'meshctl', virtualNodeName: 'pricing', meshOwner: B } })]);
    expect(validateInput('appmesh', 'DeleteVirtualNode', rollback.steps[0]!.input)).toEqual([]);
  });
});

describe('a virtual node\'s Cloud Map service', () => {
  it('is made in the node\'s own account, in the shared namespace named by its ARN, once the namespace is shared with it', () => {
    const plan = planAcross(twoAccounts({ name: 'shop.internal', type: 'HTTP' }), { cloudMap: { namespace: 'shop.internal' } });
    const checkout = byId(plan, 'cloudmap-service:shop.internal/checkout');
    expect(checkout).toMatchObject({ account: B, input: { Name: 'checkout', NamespaceId: `arn:aws:servicediscovery:us-east-1:${A}:namespace/ns-shop` } });
    expect(checkout.dependsOn).toContain(`ram-accept:arn:aws:servicediscovery:us-east-1:${A}:namespace/ns-shop:${B}`);
    // The provider's own service names its namespace by id, in its own account.
    expect(byId(plan, 'cloudmap-service:shop.internal/pricing')).toMatchObject({ account: A, input: { NamespaceId: 'ns-shop' } });
    // The node points at it by name: App Mesh looks it up in the node's account.
    expect(byId(plan, 'virtual-node:checkout').input.spec).toMatchObject({ serviceDiscovery: { awsCloudMap: { namespaceName: 'shop.internal', serviceName: 'checkout' } } });
  });

  it('has no DnsConfig in an HTTP namespace (Cloud Map refuses one), and the plan says the names do not resolve through DNS', () => {
    const plan = planAcross(twoAccounts({ name: 'shop.internal', type: 'HTTP' }), { cloudMap: { namespace: 'shop.internal' } });
    const registries = plan.steps.filter((s) => s.service === 'servicediscovery' && s.operation === 'CreateService');
    expect(registries).toHaveLength(2);
    for (const step of registries) expect(step.input).not.toHaveProperty('DnsConfig');
    expect(plan.warnings).toEqual([expect.stringMatching(/^Cloud Map namespace shop\.internal is an HTTP namespace: App Mesh names in it \(checkout\.shop\.internal, pricing\.shop\.internal\) do not resolve through DNS/)]);
    expectValidInputs(plan);
  });

  it('keeps its A records in a DNS namespace, and the plan has nothing to say', () => {
    const plan = planAcross(twoAccounts({ name: 'shop.private', type: 'DNS_PRIVATE' }), { cloudMap: { namespace: 'shop.private' } });
    expect(byId(plan, 'cloudmap-service:shop.private/checkout').input.DnsConfig).toEqual({ RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] });
    expect(plan.warnings).toBeUndefined();
  });

  it('waits for a namespace the plan creates: the run\'s own account makes it, other accounts\' services are told to apply that first', () => {
    const plan = planAcross(twoAccounts(), { cloudMap: { namespace: 'shop.new', vpc: 'vpc-1' } });
    expect(byId(plan, 'cloudmap-namespace:shop.new')).toMatchObject({ account: B, operation: 'CreatePrivateDnsNamespace' });
    expect(plan.blocked).toEqual([expect.objectContaining({ service: 'pricing', findings: [expect.objectContaining({
      rule: 'shared-namespace', message: expect.stringContaining(`Cloud Map namespace shop.new does not exist yet; this plan creates it in account ${B}`),
      hint: expect.stringContaining('--account caller'),
    })] })]);
  });

  it('never creates a namespace named by an ARN the run cannot see', () => {
    const foreign = 'arn:aws:servicediscovery:us-east-1:333333333333:namespace/ns-elsewhere';
    const plan = planAcross(twoAccounts(), { cloudMap: { namespace: foreign, vpc: 'vpc-1' } });
    expect(plan.steps.some((s) => s.service === 'servicediscovery')).toBe(false);
    expect(plan.blocked.map((b) => b.findings[0]!.rule)).toEqual(['shared-namespace', 'shared-namespace']);
    expect(plan.blocked[0]!.findings[0]!.message).toContain(`${foreign} of account 333333333333 is not shared with this account`);
  });
});

describe('a private namespace\'s hosted zone in one account whose services span VPCs', () => {
  it('is associated with every VPC of the services that does not resolve it yet, before those services move', () => {
    const est = mergeEstates([{ name: 'a', estate: accountEstate(B, 'orders', 'vpc-orders') }, { name: 'b', estate: accountEstate(B, 'payments', 'vpc-payments') }]);
    est.cloudMap.namespaces.push({ id: 'ns-1', arn: `arn:aws:servicediscovery:us-east-1:${B}:namespace/ns-1`, name: 'shop.local', type: 'DNS_PRIVATE', hostedZoneId: 'Z1' });
    const plan = planAppMesh({ estate: est, config: parseConfig({ target: 'appmesh', cloudMap: { namespace: 'shop.local' } }, 'test'), specs: noSpecs(), createdAt: 'now' });
    const placed = planAppMeshAcrossAccounts(placeInAccounts(plan, est, B), est, { Z1: { owner: B, vpcs: ['vpc-orders'] } });
    const zone = placed.steps.filter((s) => s.service === 'route53');
    expect(zone.map((s) => [s.account, s.operation, s.input])).toEqual([
      [B, 'AssociateVPCWithHostedZone', { HostedZoneId: 'Z1', VPC: { VPCRegion: 'us-east-1', VPCId: 'vpc-payments' }, Comment: expect.any(String) }],
    ]);
    expect(byId(placed, 'ecs-service:payments/payments').dependsOn).toContain(zone[0]!.id);
    expect(placed.steps.some((s) => s.service === 'ram')).toBe(false);
    expectValidInputs(placed);
  });
});
