// rollback against moto (App Mesh target): back to the exact previous
// revision, waiting for its deployments; --keep-revision, --remove-mesh-resources,
// --dry-run, --out; without a journal; services deleted since; an interrupted
// rollback finished. The setting: test/support/appmesh-apply-testbed.ts.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { appMeshApplyTestbed, FAST, PLANNED } from '../support/appmesh-apply-testbed.js';
import { runCli, spawnCli } from '../support/cli.js';

const bed = appMeshApplyTestbed();
const { cli, startPlanned, startApplied, journal, serviceTaskDefinition } = bed;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;
let client: ecs.ECSClient;
beforeEach(() => {
  ({ proxy, env, cwd, client } = bed);
});

describe('services deleted under meshctl', () => {
  it('rollback reports a service of the journal that was deleted and rolls back the rest', async () => {
    await startApplied();
    await client.send(new ecs.DeleteServiceCommand({ cluster: 'shop-ec2', service: 'payments', force: true }));
    const result = await cli('rollback', '--yes', '--no-wait');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('shop-ec2/payments: the service no longer exists; nothing to roll back');
    expect(await serviceTaskDefinition('shop-ec2', 'orders')).toMatch(/orders:1$/);
    expect(await serviceTaskDefinition('shop-fargate', 'web')).toMatch(/web:1$/);
  });

  it('apply refuses a plan one of whose services was deleted since, as stale', async () => {
    const plan = await startPlanned();
    await client.send(new ecs.DeleteServiceCommand({ cluster: 'shop-ec2', service: 'payments', force: true }));
    const result = await cli('apply', plan, '--force', '--no-wait');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service shop-ec2/payments no longer exists');
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });
});

describe('rollback', () => {
  it('waits for the rollback deployments to complete before deregistering, and stops on one that fails', async () => {
    await startApplied();
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
    await startApplied();
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
    await startApplied();
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
    await startApplied();
    const result = await cli('rollback', '--yes', '--no-wait', '--service', 'legacy-reports');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('legacy-reports: not migrated by meshctl');
  });

  it('without a journal, goes to the ACTIVE revision before the current one, and refuses an INACTIVE target', async () => {
    await startApplied();
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
    await startApplied();
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
    await startApplied();
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
    await startApplied();
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
    await startApplied();
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
