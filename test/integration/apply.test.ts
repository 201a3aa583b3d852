// apply against moto (App Mesh target): what it changes and journals, what it
// refuses (stale plans, precheck errors, no terminal to confirm on) and how it
// reports AWS errors. The setting: test/support/appmesh-apply-testbed.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as ecs from '@aws-sdk/client-ecs';
import { ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { appMeshApplyTestbed, PLANNED } from '../support/appmesh-apply-testbed.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import type { Moto } from '../support/moto.js';

const bed = appMeshApplyTestbed();
const { cli, startPlanned, startApplied, savedPlan, journal, serviceTaskDefinition, revisions } = bed;
let moto: Moto;
let proxy: AwsProxy;
let cwd: string;
let client: ecs.ECSClient;
beforeEach(() => {
  ({ moto, proxy, cwd, client } = bed);
});

describe('apply', () => {
  it('moves every planned service to a new meshed revision, real secrets restored, and journals it', async () => {
    const before = Object.fromEntries(await Promise.all(PLANNED.map(async ([c, s]) => [s, await serviceTaskDefinition(c, s)])));
    const result = await cli('apply', await startPlanned(), '--force', '--no-wait');
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toMatch(/journal: \.meshctl\/journal-[0-9a-f]{16}\.json/);

    for (const [cluster, service] of PLANNED) {
      const now = await serviceTaskDefinition(cluster, service);
      expect(now).toBe(before[service]!.replace(/:1$/, ':2'));
      const td = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: now }))).taskDefinition!;
      expect(td.containerDefinitions!.map((c) => c.name)).toEqual([service, 'envoy', 'xray-daemon']);
      expect(td.proxyConfiguration?.type).toBe('APPMESH');
    }
    const orders = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: 'orders:2' }))).taskDefinition!;
    const environment = Object.fromEntries(orders.containerDefinitions![0]!.environment!.map((e) => [e.name, e.value]));
    expect(environment.DB_PASSWORD).toBe('hunter2-demo-only');
    expect(environment.DATABASE_URL).toContain(':s3cr3t-Passw0rd@');

    const j = await journal();
    expect(j.services['shop-ec2/orders']).toMatchObject({ previousTaskDefinition: before.orders, newTaskDefinition: before.orders!.replace(/:1$/, ':2'), state: 'updated' });
    expect(Object.values(j.steps).every((s) => s.status === 'done')).toBe(true);
    expect(JSON.stringify(j)).not.toMatch(/hunter2|s3cr3t/);
    expect(j.created.map((c) => c.kind).sort()).toEqual(['Mesh', 'VirtualNode', 'VirtualNode', 'VirtualNode', 'VirtualNode', 'VirtualService', 'VirtualService', 'VirtualService', 'VirtualService']);
  });

  it('plans no changes right after apply but the held ones, which --detailed-exitcode still reports', async () => {
    await startApplied();
    const again = await cli('plan', '--detailed-exitcode');
    // ledger, reviews and shipping are still their owners' to move: changes, held.
    expect(again.code, again.stdout).toBe(2);
    expect(again.stdout).toMatch(/Plan: 0 to create, 0 to update, 0 to delete, \d+ unchanged; 5 blocked; 3 held for infrastructure code \(\d+ operation\(s\) apply leaves to the owners\)\./);
    const moved = await cli('plan', '--detailed-exitcode', '--service', 'orders', '--service', 'web');
    expect(moved.code, moved.stdout).toBe(0);
  });

  it('creates a missing Cloud Map namespace, waits for it, and registers the services there', async () => {
    const ec2 = new EC2Client({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    // moto refuses a second private DNS namespace in a VPC whatever its name (ConflictingDomainExists), which AWS allows: use another VPC.
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    // A service without a Cloud Map registry goes to the new namespace.
    await client.send(new ecs.CreateServiceCommand({
      cluster: 'shop-fargate', serviceName: 'notifications', taskDefinition: 'web:1', desiredCount: 1, launchType: 'FARGATE',
      networkConfiguration: (await client.send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['web'] }))).services![0]!.networkConfiguration,
    }));
    await writeFile(join(cwd, 'meshctl.yaml'), `target: appmesh\ncloudMap:\n  namespace: mesh.internal\n  vpc: ${vpc}\ninclude:\n  services: [notifications]\n`);
    const result = await cli('apply', await savedPlan(), '--no-wait');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const sd = new ServiceDiscoveryClient({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const ns = (await sd.send(new ListNamespacesCommand({}))).Namespaces!.find((n) => n.Name === 'mesh.internal')!;
    expect(ns.Type).toBe('DNS_PRIVATE');
    const registered = (await client.send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['notifications'] }))).services![0]!;
    expect(registered.serviceRegistries).toHaveLength(1);
    expect((await journal()).created.some((c) => c.kind === 'Namespace' && c.identity.Id === ns.Id)).toBe(true);
  });

  it('refuses a stale plan, listing what changed, and sends nothing', async () => {
    const plan = await startPlanned();
    const web = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }))).taskDefinition!;
    const registered = await client.send(new ecs.RegisterTaskDefinitionCommand({
      family: 'web', containerDefinitions: web.containerDefinitions, networkMode: web.networkMode, cpu: web.cpu, memory: web.memory, requiresCompatibilities: web.requiresCompatibilities,
    }));
    await client.send(new ecs.UpdateServiceCommand({ cluster: 'shop-fargate', service: 'web', taskDefinition: registered.taskDefinition!.taskDefinitionArn }));
    proxy.calls.length = 0;
    const result = await cli('apply', plan, '--force', '--no-wait');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the plan is stale: the account changed since it was made');
    expect(result.stderr).toContain('service shop-fargate/web now runs web:2 (planned from web:1)');
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });

  it('--dry-run prints every operation and sends no mutating call (counted at the HTTP level)', async () => {
    const plan = await startPlanned();
    proxy.calls.length = 0;
    const result = await cli('apply', plan, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/17 operation\(s\) would be sent; none is/);
    expect(result.stdout).toContain('ecs RegisterTaskDefinition');
    expect(proxy.calls.length).toBeGreaterThan(0);
    expect(proxy.count((c) => c.mutating)).toBe(0);
    expect(await revisions('orders')).toHaveLength(1);
  });

  it('refuses planned services with precheck errors unless --force', async () => {
    const result = await cli('apply', await startPlanned(), '--no-wait');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/shop-ec2\/orders: eni-capacity, agent-version[\s\S]*pass --force/);
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });

  it('without a plan file, plans, shows the plan and needs --yes when there is no terminal to ask on', async () => {
    const refused = await cli('apply', '--force', '--no-wait');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('Plan: 13 to create, 4 to update');
    expect(refused.stderr).toContain('there is no terminal to ask on: pass --yes');
    expect(proxy.count((c) => c.mutating)).toBe(0);
    const applied = await cli('apply', '--force', '--no-wait', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:2$/);
  });

  it('names the missing IAM action on AccessDenied, and rides out throttling', async () => {
    proxy.failNext('RegisterTaskDefinition', 'ThrottlingException', 3);
    proxy.failNext('UpdateService', 'AccessDeniedException', 100);
    const result = await cli('apply', await savedPlan(), '--force', '--no-wait');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('× ecs-service:shop-ec2/orders: AWS denied ecs:UpdateService (AccessDeniedException): grant the IAM action ecs:UpdateService to the caller');
    expect(await revisions('orders')).toHaveLength(2);
  });

  it('reports a service that vanished mid-apply without stopping the others', async () => {
    proxy.failNext('UpdateService', 'ServiceNotFoundException', 1);
    const result = await cli('apply', await savedPlan(), '--force', '--no-wait', '--wave-size', '1');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('× ecs-service:shop-ec2/orders: AWS ecs:UpdateService failed (ServiceNotFoundException)');
    expect(result.stdout).not.toContain('not started');
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:2$/);
  });
});
