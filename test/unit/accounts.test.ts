// The pure parts of runs over several accounts: merging estates, placing
// steps in accounts, sharing through RAM, App Mesh across accounts, and the
// accounts a run opens.
import { describe, expect, it } from 'vitest';
import { openAccounts } from '../../src/aws/accounts.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import { AwsCallError } from '../../src/aws/caller.js';
import { parseConfig } from '../../src/config/config.js';
import type { Estate } from '../../src/core/estate.js';
import { accountPolicies } from '../../src/core/iam-policy.js';
import { AmbiguousClusterError, mergeEstates } from '../../src/core/merge-estates.js';
import { placeInAccounts } from '../../src/core/plan/accounts.js';
import { planAppMeshAcrossAccounts } from '../../src/core/plan/cross-account.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { planSharing } from '../../src/core/sharing.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

const A = '111111111111';
const B = '222222222222';
const namespaceArn = `arn:aws:servicediscovery:us-east-1:${A}:namespace/ns-a`;

function accountEstate(account: string, clusterName: string): Estate {
  const td = taskDefinition({ family: `${clusterName}-app`, taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/${clusterName}-app:1` });
  const svc = service(td, { arn: `arn:aws:ecs:us-east-1:${account}:service/${clusterName}/app`, clusterName, name: 'app', serviceRegistries: [], awsvpcConfiguration: { subnets: [`subnet-${account}`], securityGroups: [] } });
  const est = estate({ services: [[svc, td]], cluster: { name: clusterName, arn: `arn:aws:ecs:us-east-1:${account}:cluster/${clusterName}` } });
  est.cloudMap = { namespaces: [], services: [] };
  est.network = { subnets: { [`subnet-${account}`]: { vpcId: `vpc-${account}`, cidr: '10.0.1.0/24' } }, vpcCidrs: {}, routeTables: [], peerings: [{ id: 'pcx-1', vpcs: ['vpc-a', 'vpc-b'] }], transitGateways: [], securityGroups: {} };
  return est;
}

function plan(steps: Partial<PlanStep>[], services: Plan['services'] = []): Plan {
  return {
    formatVersion: 1, tool: 'meshctl', target: 'appmesh', region: 'us-east-1', account: B, createdAt: 'now', mesh: 'shared', fingerprint: 'sha256:x',
    observed: { services: {}, meshResources: {}, cloudMap: { 'namespace/shop.private': 'ns-a' } }, services, blocked: [],
    summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 },
    steps: steps.map((s, i) => ({ id: `s${i}`, dependsOn: [], action: 'create', resource: '', input: {}, service: 'ecs', operation: 'UpdateService', ...s }) as PlanStep),
  };
}

describe('merging the estates of several accounts', () => {
  it('keeps each account\'s clusters, dedupes what both see, and remembers who a namespace is shared with', () => {
    const a = accountEstate(A, 'pricing');
    const b = accountEstate(B, 'storefront');
    a.cloudMap.namespaces.push({ id: 'ns-a', arn: namespaceArn, name: 'shop', type: 'HTTP' });
    b.cloudMap.namespaces.push({ id: 'ns-a', arn: namespaceArn, name: 'shop', type: 'HTTP', sharedWith: [B] });
    const merged = mergeEstates([{ name: 'provider', estate: a }, { name: 'caller', estate: b }]);
    expect(merged.clusters.map((c) => c.name)).toEqual(['pricing', 'storefront']);
    expect(merged.cloudMap.namespaces).toEqual([{ id: 'ns-a', arn: namespaceArn, name: 'shop', type: 'HTTP', sharedWith: [B] }]);
    // A peering shows in both accounts: once.
    expect(merged.network!.peerings).toEqual([{ id: 'pcx-1', vpcs: ['vpc-a', 'vpc-b'] }]);
    expect(Object.keys(merged.network!.subnets).sort()).toEqual([`subnet-${A}`, `subnet-${B}`]);
  });

  it('refuses two accounts holding a cluster of one name, saying how to tell them apart', () => {
    expect(() => mergeEstates([{ name: 'provider', estate: accountEstate(A, 'prod') }, { name: 'caller', estate: accountEstate(B, 'prod') }]))
      .toThrow(AmbiguousClusterError);
    expect(() => mergeEstates([{ name: 'provider', estate: accountEstate(A, 'prod') }, { name: 'caller', estate: accountEstate(B, 'prod') }]))
      .toThrow(/cluster prod exists in accounts provider and caller.*accounts.<name>.clusters/);
  });
});

describe('placing steps in accounts', () => {
  it('runs a service\'s steps in its cluster\'s account, its Cloud Map service too (a virtual node\'s own account), and names a shared mesh\'s owner', () => {
    const merged = mergeEstates([{ name: 'provider', estate: accountEstate(A, 'pricing') }, { name: 'caller', estate: accountEstate(B, 'storefront') }]);
    merged.cloudMap.namespaces.push({ id: 'ns-a', arn: namespaceArn, name: 'shop', type: 'DNS_PRIVATE' });
    merged.appMesh.meshes.push({ name: 'shared', arn: `arn:aws:appmesh:us-east-1:${A}:mesh/shared`, version: 1, virtualNodes: [], virtualServices: [], virtualRouters: [] });
    const placed = placeInAccounts(plan([
      { id: 'update', ecsService: 'storefront/app' },
      { id: 'registry', service: 'servicediscovery', operation: 'CreateService', ecsService: 'storefront/app', input: { NamespaceId: 'ns-a' } },
      { id: 'node', service: 'appmesh', operation: 'CreateVirtualNode', ecsService: 'storefront/app', input: { meshName: 'shared' } },
      { id: 'provider-node', service: 'appmesh', operation: 'CreateVirtualNode', ecsService: 'pricing/app', input: { meshName: 'shared' } },
      { id: 'defaults', operation: 'UpdateCluster', input: { cluster: 'pricing' } },
      { id: 'namespace', service: 'servicediscovery', operation: 'CreateHttpNamespace', input: { Name: 'new' } },
    ]), merged, B, { [A]: 'provider', [B]: 'caller' });
    const at = Object.fromEntries(placed.steps.map((s) => [s.id, s.account]));
    expect(at).toEqual({ update: B, registry: B, node: B, 'provider-node': A, defaults: A, namespace: B });
    expect(placed.steps.find((s) => s.id === 'node')!.input.meshOwner).toBe(A);
    expect(placed.steps.find((s) => s.id === 'provider-node')!.input.meshOwner).toBeUndefined();
    expect(placed.accounts).toEqual({ [A]: 'provider', [B]: 'caller' });
    // Placing changes what apply runs: the fingerprint covers it.
    expect(placed.fingerprint).not.toBe('sha256:x');
  });
});

describe('sharing through RAM', () => {
  it('creates a share in the owner\'s account with the Cloud Map permission, and an acceptance per consumer', () => {
    const { steps, usableAfter } = planSharing([{ kind: 'namespace', arn: namespaceArn, name: 'shop', owner: A, consumers: [B] }], (id) => `t-${id.length}`);
    expect(steps.map((s) => [s.account, s.operation])).toEqual([[A, 'CreateResourceShare'], [B, 'AcceptResourceShareInvitation']]);
    expect(steps[0]!.input).toMatchObject({ resourceArns: [namespaceArn], principals: [B], permissionArns: ['arn:aws:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission'] });
    expect(steps[1]!.input.resourceShareArn).toEqual({ $ref: steps[0]!.id, path: 'resourceShare.resourceShareArn' });
    expect(usableAfter.get(`${namespaceArn} ${B}`)).toBe(steps[1]!.id);
  });

  it('adds the consumers to the share that already holds the resource, and a mesh needs no managed permission', () => {
    const share = 'arn:aws:ram:us-east-1:111111111111:resource-share/s1';
    const { steps } = planSharing([{ kind: 'mesh', arn: `arn:aws:appmesh:us-east-1:${A}:mesh/shared`, name: 'shared', owner: A, consumers: [B], share }], () => 't');
    expect(steps[0]).toMatchObject({ operation: 'AssociateResourceShare', account: A, input: { resourceShareArn: share, principals: [B] } });
    expect(steps[1]!.input).toEqual({ resourceShareArn: share });
  });
});

describe('App Mesh across accounts', () => {
  const merged = () => {
    const est = mergeEstates([{ name: 'provider', estate: accountEstate(A, 'pricing') }, { name: 'caller', estate: accountEstate(B, 'storefront') }]);
    est.accounts = { [A]: 'provider', [B]: 'caller' };
    est.cloudMap.namespaces.push({ id: 'ns-a', arn: namespaceArn, name: 'shop.private', type: 'DNS_PRIVATE', hostedZoneId: 'Z1' });
    est.appMesh.meshes.push({ name: 'shared', arn: `arn:aws:appmesh:us-east-1:${A}:mesh/shared`, version: 1, virtualNodes: [], virtualServices: [], virtualRouters: [] });
    return est;
  };
  const services: Plan['services'] = [
    { cluster: 'storefront', service: 'app', account: B, status: 'change', taskDefinition: 'x:1', backends: [], findings: [] },
    { cluster: 'pricing', service: 'app', account: A, status: 'change', taskDefinition: 'y:1', backends: [], findings: [] },
  ];
  const steps: Partial<PlanStep>[] = [
    { id: 'node', service: 'appmesh', operation: 'CreateVirtualNode', account: B, input: { meshName: 'shared', meshOwner: A } },
    { id: 'update', account: B, ecsService: 'storefront/app', operation: 'UpdateService' },
  ];

  it('shares mesh and namespace, and authorizes, associates and cleans up the caller\'s VPC on the owner\'s zone', () => {
    const out = planAppMeshAcrossAccounts(plan(steps, services), merged(), { Z1: { owner: A, vpcs: [`vpc-${A}`] } });
    const zone = out.steps.filter((s) => s.service === 'route53');
    expect(zone.map((s) => [s.account, s.operation, (s.input.VPC as { VPCId: string }).VPCId])).toEqual([
      [A, 'CreateVPCAssociationAuthorization', `vpc-${B}`], [B, 'AssociateVPCWithHostedZone', `vpc-${B}`], [A, 'DeleteVPCAssociationAuthorization', `vpc-${B}`],
    ]);
    expect(zone[1]!.dependsOn).toEqual([zone[0]!.id]);
    expect(zone[2]!.dependsOn).toEqual([zone[1]!.id]);
    expect(out.steps.filter((s) => s.service === 'ram').map((s) => [s.account, s.operation, s.id.includes(':appmesh:') ? 'mesh' : 'namespace'])).toEqual([
      [A, 'CreateResourceShare', 'mesh'], [B, 'AcceptResourceShareInvitation', 'mesh'], [A, 'CreateResourceShare', 'namespace'], [B, 'AcceptResourceShareInvitation', 'namespace'],
    ]);
    const node = out.steps.find((s) => s.id === 'node')!;
    expect(node.dependsOn).toEqual([expect.stringMatching(/^ram-accept:arn:aws:appmesh:/)]);
    const update = out.steps.find((s) => s.id === 'update')!;
    expect(update.dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ram-accept:arn:aws:appmesh:/), expect.stringMatching(/^ram-accept:arn:aws:servicediscovery:/), zone[1]!.id]));
  });

  it('within one account a VPC is only associated, and one already associated or shared is left alone', () => {
    const est = merged();
    est.appMesh.meshes[0]!.sharedWith = [B];
    est.cloudMap.namespaces[0]!.sharedWith = [B];
    const sameAccountZone = planAppMeshAcrossAccounts(plan(steps, services), est, { Z1: { owner: B, vpcs: [`vpc-${A}`] } });
    expect(sameAccountZone.steps.filter((s) => s.service === 'route53' || s.service === 'ram').map((s) => [s.account, s.operation])).toEqual([[B, 'AssociateVPCWithHostedZone']]);
    const nothing = planAppMeshAcrossAccounts(plan(steps, services), est, { Z1: { owner: A, vpcs: [`vpc-${A}`, `vpc-${B}`] } });
    expect(nothing.steps.map((s) => s.id)).toEqual(['node', 'update']);
  });
});

describe('the accounts of a run', () => {
  const caller = (account: string, fail = false): AwsCaller => ({
    call: async <T>() => {
      if (fail) throw new AwsCallError('sts', 'GetCallerIdentity', 'AccessDenied', 'User is not authorized to perform: sts:AssumeRole');
      return { Account: account } as T;
    },
  });

  it('puts the caller\'s own account first (named "caller" unless meshctl.yaml names it) and reads every id', async () => {
    const config = parseConfig({ accounts: { provider: { roleArn: `arn:aws:iam::${A}:role/meshctl` } } }, 'f').accounts;
    const accounts = await openAccounts(config, undefined, async (name) => caller(name === 'provider' ? A : B));
    expect(accounts.map((a) => [a.name, a.id, a.home])).toEqual([['caller', B, true], ['provider', A, false]]);
  });

  it('names the role and the AWS error when a role cannot be assumed', async () => {
    const config = parseConfig({ accounts: { provider: { roleArn: `arn:aws:iam::${A}:role/meshctl` } } }, 'f').accounts;
    await expect(openAccounts(config, undefined, async (name) => caller(B, name === 'provider'))).rejects
      .toThrow(`account provider: cannot assume role arn:aws:iam::${A}:role/meshctl: AccessDenied: User is not authorized to perform: sts:AssumeRole`);
  });

  it('refuses two names for one account', async () => {
    const config = parseConfig({ accounts: { a: { profile: 'a' }, b: { profile: 'b' } } }, 'f').accounts;
    await expect(openAccounts(config, undefined, async () => caller(A))).rejects.toThrow(/are the same account \(111111111111\)/);
  });

  it('validates accounts in meshctl.yaml', () => {
    expect(() => parseConfig({ accounts: { a: { roleArn: 'role/x' } } }, 'f')).toThrow('f: accounts.a.roleArn: expected an IAM role ARN');
    expect(() => parseConfig({ accounts: { a: { profile: 'p', externalId: 'xx' } } }, 'f')).toThrow('externalId and sessionName go with roleArn');
  });
});

describe('IAM policies per account', () => {
  it('scopes each account\'s policy to its own steps, lets the caller assume the roles, and gives each role its trust policy', () => {
    const p = plan([
      { account: A, operation: 'UpdateService', input: { cluster: 'pricing', service: 'app' } },
      { account: B, operation: 'UpdateService', input: { cluster: 'storefront', service: 'app' } },
    ]);
    const [mine, theirs] = accountPolicies([{ name: 'caller', id: B }, { name: 'provider', roleArn: `arn:aws:iam::${A}:role/meshctl`, externalId: 'x-1' }], B, p);
    const resources = (doc: typeof mine) => doc!.policy.Statement.find((s) => s.Sid === 'MeshctlUpdateServices')!.Resource;
    expect(resources(mine)).toEqual([`arn:aws:ecs:us-east-1:${B}:service/storefront/app`]);
    expect(resources(theirs)).toEqual([`arn:aws:ecs:us-east-1:${A}:service/pricing/app`]);
    expect(mine!.policy.Statement.find((s) => s.Sid === 'MeshctlAssumeAccountRoles')!.Resource).toEqual([`arn:aws:iam::${A}:role/meshctl`]);
    expect(mine!.trustPolicy).toBeUndefined();
    expect(theirs!.trustPolicy!.Statement).toEqual([expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${B}:root` }, Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } } })]);
  });
});

