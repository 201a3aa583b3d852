// iam-policy covers every call meshctl makes, in the plan's partition.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iamPolicy, partitionOf } from '../../src/core/iam-policy.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';

const IAM_PREFIX: Record<string, string> = {
  ecs: 'ecs', ec2: 'ec2', servicediscovery: 'servicediscovery', appmesh: 'appmesh', elbv2: 'elasticloadbalancing', sts: 'sts',
  'application-autoscaling': 'application-autoscaling', cloudwatch: 'cloudwatch', route53: 'route53', ram: 'ram',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

function plan(region: string, steps: Partial<PlanStep>[]): Plan {
  return {
    formatVersion: 1, tool: 'meshctl', target: 'service-connect', region, account: '123456789012', createdAt: 'now', mesh: '', fingerprint: 'sha256:x',
    observed: { services: {}, meshResources: {}, cloudMap: {} }, services: [], blocked: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 },
    steps: steps.map((s, i) => ({ id: `s${i}`, dependsOn: [], action: 'create', resource: '', input: {}, ...s }) as PlanStep),
  };
}

const actions = (doc: ReturnType<typeof iamPolicy>) => doc.Statement.flatMap((s) => s.Action);

describe('iam-policy', () => {
  it('allows every read call in the source', () => {
    const reads = new Set(sources('src').flatMap((text) => [...text.matchAll(/aws\.call(?:<\w+>)?\('([\w-]+)', '((?:Describe|List|Get)\w+)'/g)]
      .map(([, service, operation]) => `${IAM_PREFIX[service!]}:${operation}`)));
    expect(reads.size).toBeGreaterThan(20);
    const allowed = actions(iamPolicy());
    for (const read of reads) expect(allowed, read).toContain(read);
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

  it('adds Route 53 and EC2 reads for a private DNS namespace, and the service-linked roles of a fresh account', () => {
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

  it('without a plan, covers cluster defaults, private DNS namespaces and service-linked roles', () => {
    const all = actions(iamPolicy());
    expect(all).toEqual(expect.arrayContaining(['ecs:UpdateCluster', 'servicediscovery:CreatePrivateDnsNamespace', 'route53:GetHostedZone', 'route53:ListHostedZonesByName', 'ec2:DescribeRegions', 'iam:CreateServiceLinkedRole']));
  });
});
