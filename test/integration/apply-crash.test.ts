// apply against moto (App Mesh target) when things go wrong around it: the
// CLI SIGKILLed mid-apply and run again, a rollback target deregistered after
// planning, credentials of another account, a second apply while one holds
// the journal. The setting: test/support/appmesh-apply-testbed.ts.
import * as ecs from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { appMeshApplyTestbed, PLANNED } from '../support/appmesh-apply-testbed.js';
import { runCli, spawnCli } from '../support/cli.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import type { Moto } from '../support/moto.js';

const bed = appMeshApplyTestbed();
const { cli, startPlanned, journal, serviceTaskDefinition, revisions } = bed;
let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;
let client: ecs.ECSClient;
beforeEach(() => {
  ({ moto, proxy, env, cwd, client } = bed);
});

describe('apply after a crash', () => {
  const points = [
    { name: 'after AWS registered a task definition, before the journal knew', operation: 'RegisterTaskDefinition', when: 'after' as const },
    { name: 'before the first service update reached AWS', operation: 'UpdateService', when: 'before' as const },
    { name: 'after AWS created a virtual node', operation: 'PUT /v20190125/meshes/meshctl/virtualNodes', when: 'after' as const },
  ];
  for (const point of points) {
    it(`resumes from the journal with exactly one new revision per service: SIGKILL ${point.name}`, async () => {
      const plan = await startPlanned();
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
    const plan = await startPlanned();
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
    const plan = await startPlanned();
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
    const plan = await startPlanned();
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
