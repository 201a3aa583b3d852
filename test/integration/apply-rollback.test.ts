// apply and rollback against moto, through the proxy that counts calls, holds
// calls for crash tests, ends rollouts (moto's deployments never end) and
// stands in for App Mesh where moto falls short (see test/support/aws-proxy.ts).
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as ecs from '@aws-sdk/client-ecs';
import { ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli, spawnCli } from '../support/cli.js';
import { DEMO_OWNERS, DEMO_REGION, seedDemoEstate } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;
let client: ecs.ECSClient;

const PLANNED = [['shop-ec2', 'orders'], ['shop-ec2', 'payments'], ['shop-fargate', 'catalog'], ['shop-fargate', 'web']] as const;
const FAST = ['--poll-interval', '1s'];

async function serviceTaskDefinition(cluster: string, service: string): Promise<string> {
  return (await client.send(new ecs.DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.taskDefinition!;
}

async function revisions(family: string): Promise<string[]> {
  return (await client.send(new ecs.ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns!;
}

async function cli(...args: string[]) {
  return runCli(args, env, cwd);
}

async function savedPlan(): Promise<string> {
  const result = await cli('plan', '--out', 'plan.json');
  expect(result.code, result.stderr).toBe(0);
  return 'plan.json';
}

/** The apply journal (a rollback writes its own journal, and its plan, beside it). */
async function journal(kind: 'apply' | 'rollback' = 'apply'): Promise<Journal> {
  const names = (await readdir(join(cwd, '.meshctl'))).filter((n) => /^journal-.*\.json$/.test(n));
  const journals = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(cwd, '.meshctl', n), 'utf8')) as Journal));
  return journals.find((j) => (j.undoes !== undefined) === (kind === 'rollback'))!;
}

beforeAll(async () => {
  moto = await startMoto();
  client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});

beforeEach(async () => {
  await proxy?.stop();
  await moto.reset();
  proxy = await startAwsProxy(moto.url);
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-apply-'));
  await seedDemoEstate(moto.url, proxy.url);
  // These tests cover the App Mesh target (no longer the default): every command here, apply without a plan file too, plans for it.
  // With the demo's owners: the services infrastructure code owns (ledger, reviews, shipping) are held, the rest move.
  await writeFile(join(cwd, 'meshctl.yaml'), `target: appmesh\n${DEMO_OWNERS}`);
  // Seeding sent its App Mesh calls through the proxy; tests count from here.
  proxy.calls.length = 0;
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('apply', () => {
  it('moves every planned service to a new meshed revision, real secrets restored, and journals it', async () => {
    const before = Object.fromEntries(await Promise.all(PLANNED.map(async ([c, s]) => [s, await serviceTaskDefinition(c, s)])));
    const result = await cli('apply', await savedPlan(), '--force', '--no-wait');
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
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
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
    const plan = await savedPlan();
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
    const plan = await savedPlan();
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
    const result = await cli('apply', await savedPlan(), '--no-wait');
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

  it('waits for deployments and reports a completed rollout', async () => {
    proxy.endRollouts('*', 'COMPLETED');
    const result = await cli('apply', await savedPlan(), '--force', ...FAST);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const [, service] of PLANNED) expect(result.stdout).toMatch(new RegExp(`✔ shop-[a-z0-9]+/${service}: deployment completed`));
    expect(Object.values((await journal()).services).every((s) => s.state === 'stable')).toBe(true);
    // A table of what moved, and the exact command to undo it.
    expect(result.stdout).toMatch(/^shop-ec2\/orders\s+orders:1 → orders:2\s+deployment completed\s+\d+(\.\d)?s$/m);
    expect(result.stdout).toMatch(/^Roll back with: meshctl rollback --journal \.meshctl\/journal-[0-9a-f]{16}\.json$/m);
  });

  it('gives the result as JSON with --output json: per service revision from → to and outcome, and the rollback command', async () => {
    proxy.endRollouts('*', 'COMPLETED');
    const result = await cli('apply', await savedPlan(), '--force', '--output', 'json', ...FAST);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { services: { service: string; from: string; to: string; outcome: string }[]; rollback: string };
    expect(out.services).toContainEqual({ service: 'shop-fargate/web', from: 'web:1', to: 'web:2', outcome: 'deployment completed', seconds: expect.any(Number) });
    expect(out.rollback).toMatch(/^meshctl rollback --journal \.meshctl\/journal-/);
  });

  it('reports a failed deployment with its events and starts no service after it', async () => {
    proxy.endRollouts('*', 'COMPLETED');
    proxy.endRollouts('payments', 'FAILED');
    const result = await cli('apply', await savedPlan(), '--force', '--wave-size', '1', ...FAST);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/× shop-ec2\/payments: deployment failed: ECS deployment circuit breaker: tasks failed to start\./);
    expect(result.stdout).toContain('deployment failed: tasks failed to start.');
    expect(result.stdout).toContain('not started (a failure stopped new starts, or a service they wait for did not complete): shop-fargate/catalog, shop-fargate/web');
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:1$/);
  });

  it('treats a circuit-breaker rollback as a failure, not as success', async () => {
    proxy.endRollouts('*', 'ROLLED_BACK');
    const result = await cli('apply', await savedPlan(), '--force', ...FAST);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/× shop-ec2\/orders: deployment failed: the service is back on orders:1 \(circuit-breaker rollback/);
  });

  it('gives up waiting at --wait-timeout', async () => {
    const result = await cli('apply', await savedPlan(), '--force', '--wait-timeout', '1s', ...FAST);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/× shop-ec2\/orders: deployment timeout: still IN_PROGRESS after \ds/);
  });
});

describe('apply after a crash', () => {
  const points = [
    { name: 'after AWS registered a task definition, before the journal knew', operation: 'RegisterTaskDefinition', when: 'after' as const },
    { name: 'before the first service update reached AWS', operation: 'UpdateService', when: 'before' as const },
    { name: 'after AWS created a virtual node', operation: 'PUT /v20190125/meshes/meshctl/virtualNodes', when: 'after' as const },
  ];
  for (const point of points) {
    it(`resumes from the journal with exactly one new revision per service: SIGKILL ${point.name}`, async () => {
      const plan = await savedPlan();
      const held = proxy.holdNext(point.operation, point.when);
      const run = spawnCli(['apply', plan, '--force', '--no-wait'], env, cwd);
      await held;
      run.child.kill('SIGKILL');
      await run.done;

      const resumed = await cli('apply', plan, '--force', '--no-wait');
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming from \.meshctl\/journal-/);
      // What AWS did before the kill is adopted, not done again.
      if (point.when === 'after') expect(resumed.stderr).toContain('(already done by an earlier run)');
      for (const [cluster, service] of PLANNED) {
        expect(await revisions(service), service).toHaveLength(2);
        expect(await serviceTaskDefinition(cluster, service)).toMatch(new RegExp(`${service}:2$`));
      }
    });
  }
});

describe('a rollback target deregistered after planning', () => {
  it('refuses to move that service, reporting why, and moves the others', async () => {
    const plan = await savedPlan();
    await client.send(new ecs.DeregisterTaskDefinitionCommand({ taskDefinition: 'orders:1' }));
    const result = await cli('apply', plan, '--force', '--no-wait');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('shop-ec2/orders: not moved: its current revision orders:1 is INACTIVE (deregistered after planning), so rollback could not bring it back');
    expect(await serviceTaskDefinition('shop-ec2', 'orders')).toMatch(/orders:1$/);
    expect(await revisions('orders')).toHaveLength(0);
    expect(await serviceTaskDefinition('shop-ec2', 'payments')).toMatch(/payments:2$/);
    expect((await journal()).services['shop-ec2/orders']).toMatchObject({ state: 'failed' });
  });
});

describe('the plan\'s account', () => {
  it('refuses a plan made for another account than the credentials act in, naming both, and sends nothing', async () => {
    const plan = await savedPlan();
    const sts = new STSClient({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/deployer', RoleSessionName: 'meshctl-test' }));
    const other = { ...env, AWS_ACCESS_KEY_ID: Credentials!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: Credentials!.SecretAccessKey!, AWS_SESSION_TOKEN: Credentials!.SessionToken! };
    proxy.calls.length = 0;
    const result = await runCli(['apply', plan, '--force', '--no-wait'], other, cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('was planned for account 123456789012, but these credentials act in account 111111111111');
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });
});

describe('one apply at a time', () => {
  it('refuses a second apply, and a rollback, of the journal while an apply holds it, naming the holder; the first goes on', async () => {
    const plan = await savedPlan();
    const held = proxy.holdNext('UpdateService', 'before');
    const first = spawnCli(['apply', plan, '--force', '--no-wait'], env, cwd);
    await held;
    const second = await cli('apply', plan, '--force', '--no-wait');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`meshctl apply \\(.*pid ${first.child.pid} on .*\\) holds the journal \\.meshctl/journal-`));
    const rollback = await cli('rollback', '--yes', '--no-wait');
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain('holds the journal');
    // Nothing was registered twice by the refused runs.
    expect(await revisions('orders')).toHaveLength(2);
    first.child.kill('SIGKILL');
    await first.done;
  });
});

describe('meshctl status', () => {
  it('says where a --no-wait apply stands, per service, then that its rollouts completed', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const rolling = await cli('status');
    expect(rolling.code, rolling.stderr).toBe(0);
    expect(rolling.stdout).toMatch(/^shop-fargate\/web\s+updated\s+2\/2 done\s+web:1 → web:2\s+0\/3\s+IN_PROGRESS$/m);
    proxy.endRollouts('*', 'COMPLETED');
    const done = JSON.parse((await cli('status', '--output', 'json')).stdout) as { services: { service: string }[] };
    expect(done.services.find((s) => s.service === 'shop-fargate/web')).toMatchObject({
      rollout: 'COMPLETED', revision: { from: 'web:1', to: 'web:2', running: 'web:2' }, steps: { done: 2, total: 2, failed: 0, interrupted: 0 }, desired: 3, running: expect.any(Number),
    });
  });

  it('exits 1 when a service failed', async () => {
    await client.send(new ecs.DeregisterTaskDefinitionCommand({ taskDefinition: 'orders:1' }));
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(1);
    const status = await cli('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/shop-ec2\/orders: not moved: its current revision orders:1 is INACTIVE/);
  });
});

describe('services deleted under meshctl', () => {
  it('rollback reports a service of the journal that was deleted and rolls back the rest', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    await client.send(new ecs.DeleteServiceCommand({ cluster: 'shop-ec2', service: 'payments', force: true }));
    const result = await cli('rollback', '--yes', '--no-wait');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('shop-ec2/payments: the service no longer exists; nothing to roll back');
    expect(await serviceTaskDefinition('shop-ec2', 'orders')).toMatch(/orders:1$/);
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:1$/);
  });

  it('apply refuses a plan one of whose services was deleted since, as stale', async () => {
    const plan = await savedPlan();
    await client.send(new ecs.DeleteServiceCommand({ cluster: 'shop-ec2', service: 'payments', force: true }));
    const result = await cli('apply', plan, '--force', '--no-wait');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service shop-ec2/payments no longer exists');
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });
});

describe('rollback', () => {
  it('waits for the rollback deployments to complete before deregistering, and stops on one that fails', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    proxy.endRollouts('payments', 'FAILED');
    const result = await cli('rollback', '--yes', ...FAST, '--wait-timeout', '30s');
    expect(result.code, result.stdout + result.stderr).toBe(1);
    // Waiting happened: DescribeServices was polled after the rollback updates.
    const lastUpdate = proxy.calls.map((c) => c.operation).lastIndexOf('UpdateService');
    expect(proxy.calls.slice(lastUpdate).some((c) => c.operation === 'DescribeServices')).toBe(true);
    // orders completed: its meshed revision is deregistered; payments failed: its revision is kept for a retry.
    expect((await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: 'orders:2' }))).taskDefinition!.status).toBe('INACTIVE');
    expect((await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: 'payments:2' }))).taskDefinition!.status).toBe('ACTIVE');
  });

  it('restores the exact previous revision and deregisters the one rolled back from; twice is safe', async () => {
    const before = Object.fromEntries(await Promise.all(PLANNED.map(async ([c, s]) => [s, await serviceTaskDefinition(c, s)])));
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const result = await cli('rollback', '--yes', '--no-wait');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const [cluster, service] of PLANNED) {
      expect(await serviceTaskDefinition(cluster, service)).toBe(before[service]);
      const bad = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: `${service}:2` }))).taskDefinition!;
      expect(bad.status).toBe('INACTIVE');
    }
    expect(Object.values((await journal()).services).every((s) => s.state === 'rolled-back')).toBe(true);

    const again = await cli('rollback', '--yes', '--no-wait');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('shop-ec2/orders: already on orders:1; nothing to do');
  });

  it('keeps the revision with --keep-revision and removes only what apply created with --remove-mesh-resources', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const result = await cli('rollback', '--yes', '--no-wait', '--keep-revision', '--remove-mesh-resources');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect((await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: 'orders:2' }))).taskDefinition!.status).toBe('ACTIVE');
    const sent = proxy.calls.filter((c) => c.mutating).map((c) => c.operation);
    expect(sent).not.toContain('DeregisterTaskDefinition');
    // Dependents first: virtual services, then nodes, then the mesh.
    const deleted = sent.filter((op) => op.startsWith('DELETE /v20190125/meshes/meshctl'))
      .map((op) => (op.includes('/virtualServices/') ? 'service' : op.includes('/virtualNodes/') ? 'node' : 'mesh'));
    expect(deleted).toEqual([...deleted].sort((a, b) => ['service', 'node', 'mesh'].indexOf(a) - ['service', 'node', 'mesh'].indexOf(b)));
    expect(new Set(deleted)).toEqual(new Set(['service', 'node', 'mesh']));
    expect(result.stdout).toContain('- App Mesh VirtualService meshctl/orders.shop.local');
    expect((await journal()).created).toEqual([]);
    expect(Object.values((await journal('rollback')).steps).every((s) => s.status === 'done')).toBe(true);
  });

  it('says a service that was never migrated has nothing to roll back', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const result = await cli('rollback', '--yes', '--no-wait', '--service', 'legacy-reports');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('legacy-reports: not migrated by meshctl');
  });

  it('without a journal, goes to the ACTIVE revision before the current one, and refuses an INACTIVE target', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const fresh = await mkdtemp(join(tmpdir(), 'meshctl-nojournal-'));
    const refused = await runCli(['rollback', '--cluster', 'shop-fargate', '--service', 'web', '--to-revision', '5', '--yes', '--no-wait'], env, fresh);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/web:5 does not exist|cannot roll back to web:5/);
    const result = await runCli(['rollback', '--cluster', 'shop-fargate', '--service', 'web', '--yes', '--no-wait'], env, fresh);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:1$/);
    const inactive = await runCli(['rollback', '--cluster', 'shop-fargate', '--service', 'web', '--to-revision', '2', '--yes', '--no-wait'], env, fresh);
    expect(inactive.code).toBe(2);
    expect(inactive.stderr).toContain('cannot roll back to web:2: it is INACTIVE');
  });

  it('--dry-run sends no mutating call', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    proxy.calls.length = 0;
    const result = await cli('rollback', '--dry-run', '--remove-mesh-resources');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[ecs UpdateService]');
    expect(result.stdout).toMatch(/Rollback: 4 to update, \d+ to delete\./);
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });
});

describe('rollback is a plan, run by apply\'s executor and journal', () => {
  const status = async (revision: string) => (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: revision }))).taskDefinition!.status;

  it('finishes an interrupted rollback when run again: SIGKILL after the first revision was deregistered', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    proxy.calls.length = 0;
    const held = proxy.holdNext('DeregisterTaskDefinition', 'after');
    const run = spawnCli(['rollback', '--yes', '--no-wait'], env, cwd);
    await held;
    run.child.kill('SIGKILL');
    await run.done;
    expect((await journal()).pendingRollback).toMatch(/^\.meshctl\/rollback-[0-9a-f]{16}\.json$/);
    // status reports on the interrupted rollback, the journal written last.
    const stalled = JSON.parse((await cli('status', '--output', 'json')).stdout) as { kind: string; undoes: string };
    expect(stalled).toMatchObject({ kind: 'rollback', undoes: expect.stringMatching(/^\.meshctl\/journal-[0-9a-f]{16}\.json$/) });

    const again = await cli('rollback', '--yes', '--no-wait');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).toContain('finishing the interrupted rollback planned in .meshctl/rollback-');
    expect(again.stderr).toMatch(/resuming from \.meshctl\/journal-/);
    for (const [cluster, service] of PLANNED) {
      expect(await serviceTaskDefinition(cluster, service)).toMatch(new RegExp(`${service}:1$`));
      expect(await status(`${service}:2`), service).toBe('INACTIVE');
    }
    // Each service was updated once, over both runs.
    expect(proxy.count((c) => c.operation === 'UpdateService')).toBe(PLANNED.length);
    const applied = await journal();
    expect(applied.pendingRollback).toBeUndefined();
    expect(Object.values(applied.services).every((s) => s.state === 'rolled-back')).toBe(true);
    // The next rollback plans afresh and finds nothing left to do.
    const third = await cli('rollback', '--yes', '--no-wait');
    expect(third.stdout).toContain('Nothing to roll back.');
  });

  it('saves the rollback plan with --out, changing nothing, and apply runs that file', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    proxy.calls.length = 0;
    const saved = await cli('rollback', '--out', 'rollback.json', '--service', 'orders', '--service', 'payments');
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toContain('rollback plan saved to rollback.json; run meshctl apply rollback.json to execute it');
    expect(saved.stdout).toMatch(/shop-ec2\/orders\s+orders:2 → orders:1\s+UpdateService, DeregisterTaskDefinition/);
    expect(proxy.count((c) => c.mutating)).toBe(0);

    const applied = await cli('apply', 'rollback.json', '--no-wait', '--output', 'json');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const result = JSON.parse(applied.stdout) as { services: { service: string; from: string; to: string }[]; leftInPlace: string[] };
    expect(result.services.map((s) => [s.service, s.from, s.to]).sort()).toEqual([['shop-ec2/orders', 'orders:2', 'orders:1'], ['shop-ec2/payments', 'payments:2', 'payments:1']]);
    expect(result.leftInPlace).toContain('App Mesh Mesh meshctl (services of the journal still on it)');
    expect(await serviceTaskDefinition('shop-ec2', 'orders')).toMatch(/orders:1$/);
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:2$/);
    const states = Object.fromEntries(Object.entries((await journal()).services).map(([label, s]) => [label, s.state]));
    expect(states).toMatchObject({ 'shop-ec2/orders': 'rolled-back', 'shop-ec2/payments': 'rolled-back', 'shop-fargate/web': 'updated' });
  });

  it('says what it leaves behind without --remove-mesh-resources', async () => {
    expect((await cli('apply', await savedPlan(), '--force', '--no-wait')).code).toBe(0);
    const result = await cli('rollback', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('left in place (apply created them; --remove-mesh-resources deletes them once no service of the journal uses them):');
    expect(result.stdout).toContain('  - App Mesh Mesh meshctl');
    expect(result.stdout).toContain('  - App Mesh VirtualNode meshctl/orders');

    const json = await cli('rollback', '--dry-run', '--output', 'json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { dryRun: boolean; services: unknown[]; rollback: { leftInPlace: string[] } };
    expect(out.dryRun).toBe(true);
    expect(out.services).toContainEqual({ service: 'shop-ec2/orders', from: 'orders:2', to: 'orders:1', wouldDo: ['ecs UpdateService', 'ecs DeregisterTaskDefinition'] });
    expect(out.rollback.leftInPlace).toContain('App Mesh Mesh meshctl');
  });
});
