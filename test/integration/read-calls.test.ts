// Counts the AWS calls a precheck makes on a 200-service estate, at the HTTP
// level, against the lower bound the API batch limits allow. These counts
// must not grow: a redundant call is a bug.
//
// Test-support note: moto's ListServices ignores maxResults and returns every
// service in one page, where AWS returns at most 100. The test checks that
// meshctl asks for 100 per page and counts the pages moto actually serves.
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { CreatePrivateDnsNamespaceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: AwsProxy;

const CLUSTERS = { big: 120, small: 80 };
const FAMILIES = 7;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  const config = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.9.1.0/24' }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'g', Description: 'g', VpcId: vpc }))).GroupId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  await new ServiceDiscoveryClient(config).send(new CreatePrivateDnsNamespaceCommand({ Name: 'calls.local', Vpc: vpc }));
  const families: string[] = [];
  for (let i = 0; i < FAMILIES; i += 1) {
    const out = await ecs.send(new RegisterTaskDefinitionCommand({
      family: `svc${i}`, networkMode: 'awsvpc', cpu: '256', memory: '512', requiresCompatibilities: ['FARGATE'], taskRoleArn: 'arn:aws:iam::123456789012:role/app-task',
      containerDefinitions: [{ name: 'app', image: 'app:1', portMappings: [{ containerPort: 8080 }] }],
    }));
    families.push(out.taskDefinition!.taskDefinitionArn!);
  }
  for (const [cluster, count] of Object.entries(CLUSTERS)) {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await Promise.all(Array.from({ length: count }, (_, i) => ecs.send(new CreateServiceCommand({
      cluster, serviceName: `s${String(i).padStart(3, '0')}`, taskDefinition: families[i % FAMILIES], desiredCount: 1, launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } },
    }))));
  }
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('AWS calls for precheck over 200 services', () => {
  it('equal the lower bound the batch limits allow', async () => {
    proxy.calls.length = 0;
    const started = performance.now();
    const result = await runCli(['precheck', '--format', 'json'], isolatedEnv(motoEnv(proxy.url)));
    const wallMs = Math.round(performance.now() - started);
    expect(JSON.parse(result.stdout).summary.services).toBe(200);

    const counts: Record<string, number> = {};
    for (const c of proxy.calls) counts[`${c.service} ${c.operation}`] = (counts[`${c.service} ${c.operation}`] ?? 0) + 1;
    const lowerBound = {
      'ecs ListClusters': 1,
      'ecs DescribeClusters': 1,
      // AWS: ceil(120/100) + ceil(80/100) = 3 pages; moto serves one page per cluster.
      'ecs ListServices': 2,
      'ecs DescribeServices': Math.ceil(120 / 10) + Math.ceil(80 / 10),
      'ecs DescribeTaskDefinition': FAMILIES,
      'ecs ListAccountSettings': 1,
      'appmesh GET /v20190125/meshes': 1,
      // The awsvpc services' subnets, in one call: one VPC, so nothing more for the cross-VPC check.
      'ec2 DescribeSubnets': 1,
      // The services' memory and CPU peaks: 400 queries, one call of up to 500.
      'cloudwatch GetMetricData': 1,
    };
    expect(counts).toEqual(lowerBound);
    expect(proxy.calls.every((c) => !c.mutating)).toBe(true);
    const inputs = (operation: string) => proxy.calls.filter((c) => c.operation === operation).map((c) => c.input!);
    expect(inputs('ListServices').every((i) => i.maxResults === 100)).toBe(true);
    expect(inputs('ListClusters').every((i) => i.maxResults === 100)).toBe(true);
    expect(inputs('DescribeServices').map((i) => (i.services as string[]).length).sort((a, b) => a - b))
      .toEqual(Array.from({ length: 20 }, () => 10));
    // The figure the foundation issue asks for; printed for the record, not asserted.
    console.log(`precheck over 200 services: ${proxy.calls.length} AWS calls in ${wallMs} ms`, counts);
  });

  it('stay at the bound for plan, and apply --dry-run reads only what can change (these counts must not grow)', async () => {
    const env = isolatedEnv(motoEnv(proxy.url));
    const cwd = await mkdtemp(join(tmpdir(), 'meshctl-calls-'));
    await writeFile(join(cwd, 'meshctl.yaml'), 'cloudMap:\n  namespace: calls.local\n');
    const expected = {
      'ecs ListClusters': 1, 'ecs DescribeClusters': 1, 'ecs ListServices': 2, 'ecs DescribeServices': 20,
      'ecs DescribeTaskDefinition': FAMILIES, 'ecs ListAccountSettings': 1, 'appmesh GET /v20190125/meshes': 1, 'ec2 DescribeSubnets': 1, 'cloudwatch GetMetricData': 1,
      // Planning reads the namespaces (one page) and each namespace's services (one page).
      'servicediscovery ListNamespaces': 1, 'servicediscovery ListServices': 1,
    };
    // The App Mesh plan: the target with the most reads per service.
    for (const args of [['plan', '--target', 'appmesh', '--out', 'plan.json'], ['apply', 'plan.json', '--dry-run']]) {
      proxy.calls.length = 0;
      const result = await runCli(args, env, cwd);
      expect(result.code, result.stderr).toBe(0);
      const counts: Record<string, number> = {};
      for (const c of proxy.calls) counts[`${c.service} ${c.operation}`] = (counts[`${c.service} ${c.operation}`] ?? 0) + 1;
      // apply reads only what can change: the planned services from their ARNs (no List calls), the mesh
      // listing and Cloud Map the plan observed, and asks STS for the account, once; a dry run also reads
      // the revisions the services run now, once each, as apply does before each service starts (to name the services it would refuse).
      const beforeApply = {
        'ecs DescribeServices': 20, 'ecs DescribeTaskDefinition': FAMILIES, 'appmesh GET /v20190125/meshes': 1,
        'servicediscovery ListNamespaces': 1, 'servicediscovery ListServices': 1, 'sts GetCallerIdentity': 1,
      };
      expect(counts, args[0]).toEqual(args[0] === 'apply' ? beforeApply : expected);
      if (args[0] === 'plan') expect(JSON.parse(await readFile(join(cwd, 'plan.json'), 'utf8')).steps.length).toBe(200 * 5 + 1);
    }
  });
});

describe('a throttling storm', () => {
  it('ends in success: throttled calls are retried with backoff', async () => {
    const storm = await startAwsProxy(moto.url, { buckets: { DescribeServices: { burst: 2, perSecond: 10 }, DescribeTaskDefinition: { burst: 1, perSecond: 10 } } });
    try {
      const result = await runCli(['precheck', '--format', 'json'], isolatedEnv(motoEnv(storm.url)));
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout).summary.services).toBe(200);
      expect(storm.throttled.length).toBeGreaterThan(5);
    } finally {
      await storm.stop();
    }
  });
});
