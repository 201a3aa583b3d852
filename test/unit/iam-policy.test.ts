// The requirements table knows every operation meshctl can send, and
// iam-policy covers every call, in the plan's partition.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIFT_OPERATIONS } from '../../src/core/cutover/shift-operations.js';
import { iamPolicy, partitionOf } from '../../src/core/iam-policy.js';
import { READ_ACTIONS, REQUIREMENTS } from '../../src/core/iam/requirements.js';
import { STATE_REQUIREMENTS } from '../../src/core/iam/rows/state.js';
import { ALLOWED_OPERATIONS } from '../../src/core/plan/allowed-operations.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';

const IAM_PREFIX: Record<string, string> = {
  ecs: 'ecs', ec2: 'ec2', servicediscovery: 'servicediscovery', appmesh: 'appmesh', elbv2: 'elasticloadbalancing', sts: 'sts', iam: 'iam',
  'application-autoscaling': 'application-autoscaling', cloudwatch: 'cloudwatch', route53: 'route53', ram: 'ram',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Every `aws.call('service', 'Operation'…)` the source sends by name. */
const sentBySource = () => new Set(sources('src').flatMap((text) => [...text.matchAll(/\.call(?:<[^>]+>)?\('([\w-]+)', '(\w+)'/g)].map(([, service, operation]) => `${service} ${operation}`)));

function plan(region: string, steps: Partial<PlanStep>[]): Plan {
  return {
    formatVersion: 1, tool: 'meshctl', target: 'service-connect', region, account: '123456789012', createdAt: 'now', mesh: '', fingerprint: 'sha256:x',
    observed: { services: {}, meshResources: {}, cloudMap: {} }, services: [], blocked: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 },
    steps: steps.map((s, i) => ({ id: `s${i}`, dependsOn: [], action: 'create', resource: '', input: {}, ...s }) as PlanStep),
  };
}

const actions = (doc: ReturnType<typeof iamPolicy>) => doc.Statement.flatMap((s) => s.Action);

describe('the IAM requirements table', () => {
  it('has a row for every operation a plan may hold, shift sends, and the source calls by name', () => {
    const operations = new Set([...Object.values(ALLOWED_OPERATIONS).flatMap((set) => [...set]), ...SHIFT_OPERATIONS, ...sentBySource()]);
    expect(operations.size).toBeGreaterThan(60);
    // The state's S3 calls have their rows apart (src/core/iam/rows/state.ts): granted on the state's bucket only.
    const missing = [...operations].filter((op) => !REQUIREMENTS[op] && !STATE_REQUIREMENTS[op]);
    expect(missing, 'operations without a row in src/core/iam/requirements.ts').toEqual([]);
  });

  it('names the IAM action of the operation\'s service, the AWS page behind it, and only rows it has for the calls around a step', () => {
    for (const [key, row] of Object.entries(REQUIREMENTS)) {
      const [service, operation] = key.split(' ') as [string, string];
      expect(row.action, key).toBe(`${IAM_PREFIX[service]}:${operation}`);
      expect(row.page, key).toMatch(/^Service Authorization Reference, "Actions, resources, and condition keys for /);
      for (const other of [...(row.alsoSends ?? []), ...(row.undoneBy ? [row.undoneBy] : [])]) expect(REQUIREMENTS[other], `${key} → ${other}`).toBeDefined();
      for (const passed of row.passesRoles ?? []) expect(passed.page, `${key} ${passed.path}`).toMatch(/Guide|Reference/);
    }
  });
});

describe('iam-policy', () => {
  it('allows every read on "*", the same in every policy', () => {
    const reads = [...sentBySource()].filter((op) => !STATE_REQUIREMENTS[op]).map((op) => REQUIREMENTS[op]!).filter((row) => row.access === 'read').map((row) => row.action);
    expect(reads.length).toBeGreaterThan(20);
    expect(READ_ACTIONS).toEqual(expect.arrayContaining(reads));
    const read = iamPolicy().Statement.find((s) => s.Sid === 'MeshctlReadEstate')!;
    expect([read.Action, read.Resource]).toEqual([READ_ACTIONS, '*']);
  });

  it('without a plan, allows every mutation any plan may need, roles and tags only for their use', () => {
    const doc = iamPolicy();
    const writes = Object.values(REQUIREMENTS).filter((row) => row.access === 'write' && row.action !== 'sts:AssumeRole');
    expect(actions(doc)).toEqual(expect.arrayContaining([...writes.map((row) => row.action), 'servicediscovery:PutResourcePolicy', 'appmesh:PutMeshPolicy', 'cloudwatch:PutMetricAlarm', 'route53:ChangeResourceRecordSets']));
    expect(actions(doc)).not.toContain('sts:AssumeRole');
    const passRole = doc.Statement.find((s) => s.Sid === 'MeshctlPassRoles')!;
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ecs.amazonaws.com'] } });
    expect(doc.Statement.find((s) => s.Sid === 'MeshctlServiceLinkedRoles')!.Condition).toEqual({
      StringEquals: { 'iam:AWSServiceName': ['appmesh.amazonaws.com', 'ecs.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com'] },
    });
    expect(doc.Statement.find((s) => s.Sid === 'MeshctlTagServicesOnCreate')!.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'CreateService' } });
  });

  it('uses the partition of the plan\'s region in every ARN', () => {
    expect([partitionOf('us-east-1'), partitionOf('cn-north-1'), partitionOf('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
    const doc = iamPolicy(plan('us-gov-west-1', [
      { service: 'ecs', operation: 'UpdateService', action: 'update', input: { cluster: 'c', service: 's' } },
      { service: 'ecs', operation: 'UpdateCluster', action: 'update', input: { cluster: 'c' } },
    ]));
    const arns = doc.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).filter((r) => r !== '*');
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(arn).toMatch(/^arn:aws-us-gov:/);
    expect(doc.Statement.find((s) => s.Sid === 'MeshctlClusterDefaults')!.Action).toEqual(['ecs:UpdateCluster']);
  });

  it('adds Route 53 and EC2 actions for a private DNS namespace, and the service-linked roles of a fresh account', () => {
    const doc = iamPolicy(plan('us-east-1', [
      { service: 'servicediscovery', operation: 'CreatePrivateDnsNamespace', input: { Name: 'shop.local', Vpc: 'vpc-1' } },
      { service: 'ecs', operation: 'CreateService', input: { cluster: 'c', serviceName: 's-sc' } },
      { service: 'appmesh', operation: 'CreateMesh', input: { meshName: 'm' } },
    ]));
    expect(actions(doc)).toEqual(expect.arrayContaining(['route53:GetHostedZone', 'route53:ListHostedZonesByName', 'ec2:DescribeRegions', 'route53:CreateHostedZone', 'ec2:DescribeVpcs']));
    const linked = doc.Statement.find((s) => s.Sid === 'MeshctlServiceLinkedRoles')!;
    expect(linked.Action).toEqual(['iam:CreateServiceLinkedRole']);
    expect(linked.Resource).toEqual([
      'arn:aws:iam::123456789012:role/aws-service-role/appmesh.amazonaws.com/AWSServiceRoleForAppMesh',
      'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
    ]);
  });

  it('grants no action on another action\'s resources, and gives every statement its own Sid', () => {
    const doc = iamPolicy(plan('us-east-1', [
      { service: 'servicediscovery', operation: 'CreateHttpNamespace', input: { Name: 'shop' } },
      { service: 'servicediscovery', operation: 'DeleteNamespace', action: 'delete', input: { Id: 'ns-old' } },
      { service: 'ecs', operation: 'RegisterTaskDefinition', input: { family: 'web' } },
    ]));
    const resourcesOf = (action: string) => doc.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);
    // Creating a namespace takes no resource; deleting one (the rollback of the create, whose id AWS gives, or a named one) is scoped to the account's namespaces.
    expect(resourcesOf('servicediscovery:CreateHttpNamespace')).toEqual(['*']);
    expect(resourcesOf('servicediscovery:DeleteNamespace')).toEqual(['arn:aws:servicediscovery:us-east-1:123456789012:namespace/*', 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-old']);
    expect(doc.Statement.find((s) => s.Action.includes('ecs:RegisterTaskDefinition'))!.Resource).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/web:*']);
    const sids = doc.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
  });
});
