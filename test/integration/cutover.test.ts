// The blue-green cut-over against moto: after a Service Connect apply puts
// pricing's green twin beside it at weight 0, shift moves the traffic in
// steps, steps back on an alarm, resumes after a crash, and rollback after a
// partial shift restores blue alone.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as appmesh from '@aws-sdk/client-app-mesh';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ecs from '@aws-sdk/client-ecs';
import * as route53 from '@aws-sdk/client-route-53';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli, spawnCli } from '../support/cli.js';
import { DEMO_REGION, LEGACY_MESH } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded, type Seed } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const cli = (...args: string[]) => runCli(args, env, cwd);
const FAST = ['--poll-interval', '1s'];

/** Green's weight in each ModifyRule / ModifyListener shift sent, in order. */
function greenWeightsSent(greenTg: string): number[] {
  return proxy.calls.filter((c) => c.service === 'elbv2' && (c.operation === 'ModifyRule' || c.operation === 'ModifyListener') && c.input).flatMap((c) => {
    const input = c.input as Record<string, string>;
    const key = Object.keys(input).find((k) => /TargetGroups\.member\.\d+\.TargetGroupArn$/.test(k) && input[k] === greenTg);
    return key ? [Number(input[key.replace(/TargetGroupArn$/, 'Weight')])] : [];
  });
}

async function edge() {
  const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
  const greenTg = (await elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!.TargetGroupArn!;
  const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
  const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
  const rule = (await elb.send(new elbv2.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.find((r) => !r.IsDefault)!;
  const weights = (actions: elbv2.Action[] | undefined) => actions?.[0]?.ForwardConfig?.TargetGroups?.map((g) => [g.TargetGroupArn === greenTg ? 'green' : 'blue', g.Weight]);
  return { greenTg, listener: weights(listener.DefaultActions), rule: weights(rule.Actions), actions: { listener: listener.DefaultActions, rule: rule.Actions } };
}

const alarms = () => new cloudwatch.CloudWatchClient({ endpoint: moto.url, region: DEMO_REGION, credentials });

beforeAll(async () => {
  moto = await startMoto();
});

/**
 * The demo with pricing's 5xx alarm, and pricing moved blue-green by apply
 * (its green twin beside it at weight 0); moto's ECS registers no task in a
 * target group, so green's task stands registered, healthy (moto reports
 * registered IPs healthy). Its result: the directory apply left.
 */
const PRICING_APPLIED: Seed<string> = {
  name: 'cutover-pricing-applied',
  from: DEMO,
  async run(motoUrl, seeding) {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-cutover-'));
    const run = (...args: string[]) => runCli(args, isolatedEnv(motoEnv(seeding.url)), dir);
    await new cloudwatch.CloudWatchClient({ endpoint: motoUrl, region: DEMO_REGION, credentials }).send(new cloudwatch.PutMetricAlarmCommand({
      AlarmName: 'pricing-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum',
      Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold',
    }));
    expect((await run('plan', '--service', 'pricing', '--out', 'plan.json')).code).toBe(0);
    seeding.endRollouts('*', 'COMPLETED');
    const applied = await run('apply', 'plan.json', '--force', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: motoUrl, region: DEMO_REGION, credentials });
    const greenTg = (await elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new elbv2.RegisterTargetsCommand({ TargetGroupArn: greenTg, Targets: [{ Id: '10.20.1.50', Port: 8080 }] }));
    return dir;
  },
};

beforeEach(async () => {
  await proxy?.stop();
  let applied: string;
  ({ proxy, seeded: applied } = await seeded(moto, PRICING_APPLIED));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-cutover-'));
  await cp(applied, cwd, { recursive: true });
  proxy.endRollouts('*', 'COMPLETED');
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('meshctl shift', () => {
  it('moves green 10 → 50 → 100 on the rule and the listener, waiting between steps', async () => {
    const started = Date.now();
    const result = await cli('shift', '--steps', '10,50,100', '--every', '1s', '--alarm', 'pricing-5xx', ...FAST);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(2000);
    const now = await edge();
    expect(now.rule).toEqual([['blue', 0], ['green', 100]]);
    expect(now.listener).toEqual([['blue', 0], ['green', 100]]);
    // Each step on both edges, in order.
    expect(greenWeightsSent(now.greenTg)).toEqual([10, 10, 50, 50, 100, 100]);
    // Nothing but the edge changed.
    expect(proxy.calls.filter((c) => c.mutating && c.service !== 'sts').map((c) => c.operation).sort()).toEqual(Array(3).fill(['ModifyListener', 'ModifyRule']).flat().sort());
    expect(result.stdout).toContain('green carries 100% of the traffic');
  });

  it('steps back to the last good weight when an alarm fires during a step, says why, and exits 1', async () => {
    const run = cli('shift', '--steps', '10,50,100', '--every', '30s', '--alarm', 'pricing-5xx', ...FAST);
    const { greenTg } = await edge();
    // Once green is at 10%, the alarm fires.
    while (!greenWeightsSent(greenTg).includes(10)) await new Promise((r) => setTimeout(r, 100));
    await alarms().send(new cloudwatch.SetAlarmStateCommand({ AlarmName: 'pricing-5xx', StateValue: 'ALARM', StateReason: '7 5xx in 1 minute' }));
    const result = await run;
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('stopped at 10%: alarm pricing-5xx is in ALARM (7 5xx in 1 minute); green back at 0%');
    expect((await edge()).rule).toEqual([['blue', 100], ['green', 0]]);
    // status says where the traffic stands, and why the shift stopped.
    const status = JSON.parse((await cli('status', '--output', 'json')).stdout) as { shift: { weight: number; state: string; reason: string } };
    expect(status.shift).toMatchObject({ weight: 0, state: 'stepped-back', reason: 'alarm pricing-5xx is in ALARM (7 5xx in 1 minute)' });
    expect((await cli('status')).stdout).toContain('traffic: green at 0% since');
    // An alarm already firing stops a shift before it moves anything.
    proxy.calls.length = 0;
    const refused = await cli('shift', '--to', '50', '--alarm', 'pricing-5xx');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('stopped at 50%: alarm pricing-5xx is in ALARM');
    expect(greenWeightsSent(greenTg)).toEqual([]);
  });

  it('resumes an interrupted shift from the weight it reached', async () => {
    const { greenTg } = await edge();
    const run = spawnCli(['shift', '--steps', '10,50,100', '--every', '20s', ...FAST], env, cwd);
    // Killed while green holds 10% on both edges.
    while (greenWeightsSent(greenTg).filter((w) => w === 10).length < 2) await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGKILL');
    await run.done;
    proxy.calls.length = 0;
    const resumed = await cli('shift', '--steps', '10,50,100', '--every', '1s', ...FAST);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming the shift at 10%');
    expect(greenWeightsSent(greenTg)).toEqual([50, 50, 100, 100]);
  });

  it('shift --to 0 sends everything back to blue at once; rollback after a partial shift restores blue alone and removes green', async () => {
    expect((await cli('shift', '--to', '50')).code).toBe(0);
    expect((await edge()).rule).toEqual([['blue', 50], ['green', 50]]);
    expect((await cli('shift', '--to', '0')).code).toBe(0);
    expect((await edge()).rule).toEqual([['blue', 100], ['green', 0]]);

    expect((await cli('shift', '--to', '50')).code).toBe(0);
    const rolledBack = await cli('rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    const after = await edge().catch(() => undefined);
    // The green target group is gone, and both edges forward to blue alone, as before apply.
    expect(after).toBeUndefined();
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
    const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    const forwards = (a: elbv2.Action) => a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn).join(',');
    expect(listener.DefaultActions!.map(forwards)).toEqual([expect.stringMatching(/:targetgroup\/pricing\//)]);
  });

  it('refuses bad input before sending anything', async () => {
    expect((await cli('shift', '--steps', '50,10')).stderr).toContain('the steps must rise');
    expect((await cli('shift', '--to', '120')).stderr).toContain('give whole percentages from 0 to 100');
    expect((await cli('shift', '--to', '10', '--alarm', 'no-such-alarm')).stderr).toContain('CloudWatch has no alarm no-such-alarm');
    expect((await cli('shift')).stderr).toContain('give either --to PERCENT');
    expect(proxy.count((c) => c.mutating && c.service !== 'sts')).toBe(0);
  });
});

describe('meshctl finalize', () => {
  const services = () => new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
  const active = async (name: string) => (await services().send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: [name] }))).services?.find((s) => s.status === 'ACTIVE');

  it('refuses before green carries 100% for the bake time, or while an App Mesh client still calls blue; then removes blue and leaves green serving', async () => {
    const early = await cli('finalize', '--yes', '--bake', '0s');
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/pricing-sc carries 0% on .*, not 100%: finish the shift first/);
    expect((await cli('shift', '--to', '100', '--yes')).code).toBe(0);
    // Saying --to 100 again does not restart the bake clock.
    const journalFile = JSON.parse((await cli('status', '--output', 'json')).stdout).journal as string;
    const since = (JSON.parse(await readFile(join(cwd, journalFile), 'utf8')) as { shift: { since: string } }).shift.since;
    expect((await cli('shift', '--to', '100', '--yes')).code).toBe(0);
    expect((JSON.parse(await readFile(join(cwd, journalFile), 'utf8')) as { shift: { since: string } }).shift.since).toBe(since);
    const baking = await cli('finalize', '--yes', '--bake', '1h');
    expect(baking.code).toBe(2);
    expect(baking.stderr).toContain('less than the bake time');
    // inventory is still on App Mesh and calls pricing through it.
    const inUse = await cli('finalize', '--yes', '--bake', '0s');
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toContain('legacy-mesh/inventory still calls pricing.shop.local');
    expect(proxy.count((c) => c.mutating && c.service !== 'sts' && c.operation !== 'ModifyRule' && c.operation !== 'ModifyListener')).toBe(0);

    // Once inventory has moved (here: its blue service is gone), pricing's blue side goes.
    await services().send(new ecs.DeleteServiceCommand({ cluster: 'legacy-mesh', service: 'inventory', force: true }));
    const blueRevision = (await active('pricing'))!.taskDefinition!;
    const done = await cli('finalize', '--yes', '--bake', '0s');
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(await active('pricing')).toBeUndefined();
    expect(await active('pricing-sc')).toBeDefined();
    const now = await edge();
    expect(now.rule).toEqual([['green', 100]]);
    expect(now.listener).toEqual([['green', 100]]);
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    await expect(elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing'] }))).rejects.toThrow();
    expect((await services().send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: blueRevision }))).taskDefinition!.status).toBe('INACTIVE');
    const mesh = new appmesh.AppMeshClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
    const nodes = (await mesh.send(new appmesh.ListVirtualNodesCommand({ meshName: LEGACY_MESH }))).virtualNodes!.map((n) => n.virtualNodeName);
    expect(nodes).not.toContain('pricing');

    // Green is the service now: rollback leaves it alone and says why.
    const rolledBack = await cli('rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('legacy-mesh/pricing: finalized (its green twin pricing-sc is the service now); nothing to roll back');
    expect(await active('pricing-sc')).toBeDefined();
  });
});

describe('meshctl shift on a Route 53 weighted pair', () => {
  it('moves the records\' weights in steps, each record kept as it is but for its weight, and --to 0 puts blue back', async () => {
    const dns = new route53.Route53Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const zone = (await dns.send(new route53.CreateHostedZoneCommand({ Name: 'shop.example.com', CallerReference: `ref-${Date.now()}` }))).HostedZone!.Id!.split('/').pop()!;
    const record = (id: string, ip: string, weight: number) => ({ Name: 'api.shop.example.com', Type: 'A' as const, SetIdentifier: id, Weight: weight, TTL: 60, ResourceRecords: [{ Value: ip }] });
    await dns.send(new route53.ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [
      { Action: 'CREATE', ResourceRecordSet: record('blue', '10.0.0.1', 100) }, { Action: 'CREATE', ResourceRecordSet: record('green', '10.0.0.2', 0) },
    ] } }));
    const weights = async () => Object.fromEntries(((await dns.send(new route53.ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? [])
      .filter((r) => r.SetIdentifier).map((r) => [r.SetIdentifier, [r.Weight, r.ResourceRecords?.[0]?.Value, r.TTL]]));
    const target = ['--route53-zone', zone, '--route53-name', 'api.shop.example.com'];

    const result = await cli('shift', ...target, '--steps', '50,100', '--every', '1s', ...FAST);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await weights()).toEqual({ blue: [0, '10.0.0.1', 60], green: [100, '10.0.0.2', 60] });
    // The load-balancer pair of the journal is left alone.
    expect((await edge()).rule).toEqual([['blue', 100], ['green', 0]]);
    expect((await cli('shift', ...target, '--to', '0')).code).toBe(0);
    expect(await weights()).toEqual({ blue: [100, '10.0.0.1', 60], green: [0, '10.0.0.2', 60] });
    const wrong = await cli('shift', ...target, '--green-set-id', 'canary', '--to', '10');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no weighted records with set identifiers blue and canary (weighted set identifiers there: blue, green)');
  });
});
