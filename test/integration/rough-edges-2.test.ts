// What a new user ran into that needs an account, against moto: a saved plan
// applied again after it was rolled back, a dry run of a plan whose rollback
// target was deregistered since, the cut-over's status before any shift,
// shift --to 100 unconfirmed, finalize watching an alarm CloudWatch does not
// know.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { runOnTerminal } from '../support/on-terminal.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const cli = (...args: string[]) => runCli(args, env, cwd);
const FAST = ['--poll-interval', '1s'];

async function taskDefinitionOf(cluster: string, service: string): Promise<string | undefined> {
  const client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
  return (await client.send(new ecs.DescribeServicesCommand({ cluster, services: [service] }))).services?.find((s) => s.status === 'ACTIVE')?.taskDefinition;
}

beforeAll(async () => {
  moto = await startMoto();
});

beforeEach(async () => {
  await proxy?.stop();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-rough-'));
  proxy.endRollouts('*', 'COMPLETED');
  proxy.calls.length = 0;
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('a saved plan applied again after it was rolled back', () => {
  it('is refused, naming the rollback journal and asking for a new plan; status says the services were rolled back', async () => {
    expect((await cli('plan', '--service', 'web', '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const rolledBack = await cli('rollback', '--yes', ...FAST);
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    const rollbackJournal = /journal: (\.meshctl\/journal-[0-9a-f]{16}\.json)/.exec(rolledBack.stdout)![1]!;

    proxy.calls.length = 0;
    const again = await cli('apply', 'plan.json', ...FAST, '--wait-timeout', '5s');
    expect(again.code, again.stdout + again.stderr).toBe(2);
    expect(again.stderr).toContain(`this plan was rolled back: shop-fargate/web went back to the revisions they ran before (see the rollback journal ${rollbackJournal})`);
    expect(again.stderr).toContain('make a new plan (meshctl plan --out plan.json) and apply that');
    expect(proxy.count((c) => c.mutating)).toBe(0);
    expect(await taskDefinitionOf('shop-fargate', 'web')).toMatch(/web:1$/);

    const status = await cli('status');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^shop-fargate\/web\s+rolled-back\s/m);
    expect(status.stdout).not.toContain('failed');
    expect(status.stdout).toMatch(/rolled back to web:1 \(from web:2\)/);
    const json = JSON.parse((await cli('status', '--output', 'json')).stdout) as { rolledBackBy: string; services: unknown[] };
    expect(json.rolledBackBy).toBe(rollbackJournal);
    expect(json.services).toEqual([expect.objectContaining({
      service: 'shop-fargate/web', state: 'rolled-back', steps: { done: 2, total: 2, failed: 0, interrupted: 0 },
      revision: { from: 'web:1', to: 'web:2', running: 'web:1' }, desired: 3, running: expect.any(Number),
    })]);
  });
});

describe('apply --dry-run of a plan whose rollback target was deregistered after planning', () => {
  it('names the service the real apply would refuse, and why', async () => {
    expect((await cli('plan', '--service', 'web', '--out', 'plan.json')).code).toBe(0);
    const client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
    await client.send(new ecs.DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    proxy.calls.length = 0;
    const reason = 'not moved: its current revision web:1 is INACTIVE (deregistered after planning), so rollback could not bring it back';
    const text = await cli('apply', 'plan.json', '--dry-run');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`× apply would refuse shop-fargate/web: ${reason}`);
    const json = JSON.parse((await cli('apply', 'plan.json', '--dry-run', '--output', 'json')).stdout) as { refused: { service: string; reason: string }[] };
    expect(json.refused).toEqual([{ service: 'shop-fargate/web', reason: expect.stringContaining(reason) }]);
    expect(proxy.count((c) => c.mutating)).toBe(0);
    // The real apply refuses it, as the dry run said.
    expect((await cli('apply', 'plan.json', '--no-wait')).stdout).toContain(`shop-fargate/web: ${reason}`);
  });
});

describe('a blue-green cut-over', () => {
  it('status says no traffic moved before any shift; shift --to 100 asks for confirmation; finalize --alarm refuses an alarm CloudWatch does not know, in dry runs too, and keeps blue', async () => {
    expect((await cli('plan', '--service', 'pricing', '--out', 'plan.json')).code).toBe(0);
    expect((await cli('apply', 'plan.json', '--force', '--no-wait')).code).toBe(0);
    // Before any shift, status says no traffic has moved yet.
    expect((await cli('status')).stdout).toContain('traffic: none moved yet: blue carries all of it (meshctl shift moves it to green)');
    expect(JSON.parse((await cli('status', '--output', 'json')).stdout).shift).toEqual({ weight: 0, state: 'not started' });
    // All the traffic at once is confirmed: without a terminal, only with --yes.
    proxy.calls.length = 0;
    const unconfirmed = await cli('shift', '--to', '100');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('shift --to 100 sends all the traffic to green at once and asks for confirmation, and there is no terminal to ask on: pass --yes');
    expect(proxy.count((c) => c.mutating)).toBe(0);
    // On a terminal it asks; Ctrl-C at the question is a no, and nothing moves.
    const asked = await runOnTerminal(['shift', '--to', '100'], { env, cwd, interruptAt: 'Only "yes" proceeds' });
    expect(asked.output).toContain('Send all the traffic of legacy-mesh/pricing to green (at 0% now)? Only "yes" proceeds:');
    expect(asked.output).toContain('Nothing shifted.');
    expect(asked.code).toBe(1);
    expect(proxy.count((c) => c.mutating)).toBe(0);
    // moto's ECS registers no task: green's target, as its task would be, so shift finds green healthy.
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const greenTg = (await elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new elbv2.RegisterTargetsCommand({ TargetGroupArn: greenTg, Targets: [{ Id: '10.20.1.50', Port: 8080 }] }));
    const shifted = await cli('shift', '--to', '100', '--yes');
    expect(shifted.code, shifted.stdout + shifted.stderr).toBe(0);
    // Nothing else holds finalize back: inventory, which calls pricing through App Mesh, is gone.
    const client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
    await client.send(new ecs.DeleteServiceCommand({ cluster: 'legacy-mesh', service: 'inventory', force: true }));
    proxy.calls.length = 0;
    for (const dry of [['--dry-run'], ['--yes']]) {
      const result = await cli('finalize', '--alarm', 'pricing-5xx-typo', '--bake', '0s', ...dry);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toBe(`meshctl: error: CloudWatch has no alarm pricing-5xx-typo in ${DEMO_REGION}: check --alarm\n`);
    }
    expect(proxy.count((c) => c.mutating)).toBe(0);
    expect(await taskDefinitionOf('legacy-mesh', 'pricing')).toBeDefined();
  });
});
