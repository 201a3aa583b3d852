// apply waiting for its deployments against moto (App Mesh target): completed,
// failed, rolled back by the circuit breaker, timed out; and meshctl status on
// what an apply left. moto's deployments never end: the proxy ends them
// (endRollouts). The setting: test/support/appmesh-apply-testbed.ts.
import * as ecs from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { appMeshApplyTestbed, FAST, PLANNED } from '../support/appmesh-apply-testbed.js';

const bed = appMeshApplyTestbed();
const { cli, startPlanned, startApplied, savedPlan, journal, serviceTaskDefinition } = bed;
let proxy: AwsProxy;
let client: ecs.ECSClient;
beforeEach(() => {
  ({ proxy, client } = bed);
});

describe('apply', () => {
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
    const result = await cli('apply', await startPlanned(), '--force', '--wait-timeout', '1s', ...FAST);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/× shop-ec2\/orders: deployment timeout: still IN_PROGRESS after \ds/);
  });
});

describe('meshctl status', () => {
  it('says where a --no-wait apply stands, per service, then that its rollouts completed', async () => {
    await startApplied();
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
