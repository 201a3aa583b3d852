// Every ARN meshctl writes is in the region's partition: plans made in China
// (cn-north-1) and GovCloud (us-gov-west-1) from estates read there carry
// arn:aws-cn: / arn:aws-us-gov: only, whatever they share, create or block.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import type { Estate } from '../../src/core/estate.js';
import { iamPolicy } from '../../src/core/iam-policy.js';
import { mergeEstates } from '../../src/core/merge-estates.js';
import { placeInAccounts } from '../../src/core/plan/accounts.js';
import { planAppMeshAcrossAccounts } from '../../src/core/plan/cross-account.js';
import type { Plan } from '../../src/core/plan/model.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

const A = '111111111111';
const B = '222222222222';
const noSpecs = () => ({ virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} });

/** The estate as AWS would report it in `region`: every ARN in its partition. */
function inRegion<T>(value: T, region: string, partition: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('arn:aws:', `arn:${partition}:`).replaceAll('us-east-1', region)) as T;
}

function accountEstate(account: string, clusterName: string): Estate {
  const td = taskDefinition({ family: clusterName, taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/${clusterName}:1`, taskRoleArn: `arn:aws:iam::${account}:role/task` });
  const svc = service(td, {
    arn: `arn:aws:ecs:us-east-1:${account}:service/${clusterName}/${clusterName}`, clusterName, name: clusterName, serviceRegistries: [],
    awsvpcConfiguration: { subnets: [`subnet-${clusterName}`], securityGroups: [] },
  });
  const est = estate({ services: [[svc, td]], cluster: { name: clusterName, arn: `arn:aws:ecs:us-east-1:${account}:cluster/${clusterName}` } });
  est.cloudMap = { namespaces: [], services: [] };
  est.network = { subnets: { [`subnet-${clusterName}`]: { vpcId: `vpc-${account}`, cidr: '10.0.1.0/24' } }, vpcCidrs: {}, routeTables: [], peerings: [], transitGateways: [], securityGroups: {} };
  return est;
}

/** Two accounts: pricing in the provider's (A), which owns the namespace, checkout in the caller's (B). */
function twoAccounts(region: string, partition: string, type = 'HTTP'): Estate {
  const est = mergeEstates([{ name: 'provider', estate: accountEstate(A, 'pricing') }, { name: 'caller', estate: accountEstate(B, 'checkout') }]);
  est.accounts = { [A]: 'provider', [B]: 'caller' };
  est.cloudMap.namespaces.push({ id: 'ns-shop', arn: `arn:aws:servicediscovery:us-east-1:${A}:namespace/ns-shop`, name: 'shop.internal', type });
  return inRegion(est, region, partition);
}

function plans(region: string, partition: string): Record<string, Plan> {
  const config = (extra: Record<string, unknown>) => parseConfig({ cloudMap: { namespace: 'shop.internal' }, ...extra }, 'test');
  const appMeshAcross = (() => {
    const est = twoAccounts(region, partition);
    const plan = planAppMesh({ estate: est, config: config({ target: 'appmesh' }), specs: noSpecs(), createdAt: 'now', account: B });
    return planAppMeshAcrossAccounts(placeInAccounts(plan, est, B, est.accounts), est, {});
  })();
  const serviceConnectAcross = (() => {
    const est = twoAccounts(region, partition);
    return placeInAccounts(planServiceConnect({ estate: est, config: config({}), specs: noSpecs(), createdAt: 'now', strategy: 'blue-green', removeMeshResources: false }), est, B, est.accounts);
  })();
  // A namespace of an account outside the run: blocked, with the RAM commands that share it.
  const serviceConnectBlocked = (() => {
    const est = inRegion(accountEstate(B, 'checkout'), region, partition);
    const foreign = `arn:${partition}:servicediscovery:${region}:333333333333:namespace/ns-elsewhere`;
    return planServiceConnect({ estate: est, config: config({ cloudMap: { namespace: foreign } }), specs: noSpecs(), createdAt: 'now', strategy: 'blue-green', removeMeshResources: false });
  })();
  const appMeshOneAccount = (() => {
    const est = inRegion(accountEstate(B, 'checkout'), region, partition);
    est.cloudMap.namespaces.push({ id: 'ns-1', arn: `arn:${partition}:servicediscovery:${region}:${B}:namespace/ns-1`, name: 'shop.internal', type: 'DNS_PRIVATE' });
    return planAppMesh({ estate: est, config: config({ target: 'appmesh' }), specs: noSpecs(), createdAt: 'now' });
  })();
  return { appMeshAcross, serviceConnectAcross, serviceConnectBlocked, appMeshOneAccount };
}

describe.each([['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov']])('plans in %s', (region, partition) => {
  const made = plans(region, partition);

  it('carry ARNs of their partition only: mesh, Envoy\'s node, shares and the Cloud Map permission, hints', () => {
    for (const [name, plan] of Object.entries(made)) {
      const text = JSON.stringify(plan);
      expect(text, name).not.toMatch(/arn:aws:/);
      expect(text, name).toContain(`arn:${partition}:`);
    }
    // What each plan must have written itself, in the partition.
    const shares = made.appMeshAcross.steps.filter((s) => s.operation === 'CreateResourceShare').map((s) => s.input.resourceArns);
    expect(shares).toContainEqual([`arn:${partition}:appmesh:${region}:${B}:mesh/meshctl`]);
    expect(made.serviceConnectAcross.steps.find((s) => s.operation === 'CreateResourceShare')!.input.permissionArns)
      .toEqual([`arn:${partition}:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission`]);
    expect(made.serviceConnectBlocked.blocked[0]!.findings[0]!.hint).toContain(`--permission-arns arn:${partition}:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission`);
    expect(JSON.stringify(made.appMeshOneAccount.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input))
      .toContain(`"APPMESH_RESOURCE_ARN","value":"arn:${partition}:appmesh:${region}:${B}:mesh/meshctl/virtualNode/checkout"`);
  });

  it('get IAM policies in their partition', () => {
    for (const plan of Object.values(made)) expect(JSON.stringify(iamPolicy(plan))).not.toMatch(/arn:aws:/);
  });
});

describe('the source', () => {
  it('writes no ARN of the aws partition by hand: every ARN meshctl makes takes the region\'s partition', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const found = files.filter((f) => readFileSync(join('src', f), 'utf8').includes('arn:aws:'));
    expect(found).toEqual([]);
  });
});
