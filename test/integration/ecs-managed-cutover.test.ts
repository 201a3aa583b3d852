// The cut-over that keeps the service, against moto with the proxy's
// stand-in for ECS's own deployments (test/support/ecs-deployments-standin.ts:
// moto runs none): promotions, on App Mesh behind its own listener rule,
// moves to Service Connect by an ECS canary under its own name; an alarm in
// ALARM during the canary makes ECS roll back and apply fail naming it;
// rollback in mid-deployment stops the deployment with rollback; precheck
// blocks what cannot move (a CODE_DEPLOY service, a missing role, a listener
// with only a default action).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli, type CliResult } from '../support/cli.js';
import { DEMO_CUTOVER_CONFIG, DEMO_REGION } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const client = <T>(C: new (c: object) => T) => new C({ endpoint: moto.url, region: DEMO_REGION, credentials });
const cli = (...args: string[]) => runCli(args, env, cwd);
const FAST = ['--poll-interval', '1s'];
/** A short canary: 10% for 2 minutes, then a 1-minute bake (simulated minutes on the stand-in's clock). */
const CANARY = ['--canary-percent', '10', '--canary-bake', '2m', '--bake-time', '1m'];

/** Runs the CLI (in this process: the clock is the proxy's) while the stand-in's clock moves a simulated minute every 300 ms (once `when` holds); `onTick` may act between ticks. */
async function withClock(args: string[], onTick: () => Promise<void> = async () => undefined, when: () => boolean = () => true): Promise<CliResult> {
  let done = false;
  const finished = runCli(args, env, cwd).finally(() => { done = true; });
  while (!done) {
    await new Promise((r) => setTimeout(r, 300));
    await onTick();
    if (when()) await proxy.deployments.advance(1);
  }
  return finished;
}

async function promotions() {
  const service = (await client(ecs.ECSClient).send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['promotions'] }))).services![0]!;
  const elb = client(elbv2.ElasticLoadBalancingV2Client);
  const groups = (await elb.send(new elbv2.DescribeTargetGroupsCommand({}))).TargetGroups!;
  const arnOf = (name: string) => groups.find((g) => g.TargetGroupName === name)?.TargetGroupArn;
  const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
  const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
  const rules = (await elb.send(new elbv2.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
  const rule = rules.find((r) => r.Conditions?.some((c) => c.Values?.includes('/promotions/*')))!;
  const name = (arn: string | undefined) => groups.find((g) => g.TargetGroupArn === arn)?.TargetGroupName;
  const weights = rule.Actions![0]!.ForwardConfig?.TargetGroups?.map((g) => [name(g.TargetGroupArn), g.Weight]) ?? [[name(rule.Actions![0]!.TargetGroupArn), 'forward']];
  return { service, weights, rule, alternate: arnOf('promotions-alt') };
}

const setAlarm = (state: 'ALARM' | 'OK') => client(cloudwatch.CloudWatchClient).send(new cloudwatch.SetAlarmStateCommand({ AlarmName: 'promotions-5xx', StateValue: state, StateReason: state === 'ALARM' ? '9 5xx in 1 minute' : 'back to normal' }));

beforeAll(async () => {
  moto = await startMoto();
});

beforeEach(async () => {
  await proxy?.stop();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-ecs-managed-'));
  await writeFile(join(cwd, 'meshctl.yaml'), DEMO_CUTOVER_CONFIG);
  // The rolling deployments apply waits for (advancedConfiguration first, rollback's restore after) complete, as on AWS.
  proxy.endRollouts('*', 'COMPLETED');
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('an ECS-managed cut-over', () => {
  it('moves promotions by canary under its own name and ends with production traffic on its Service Connect revision', async () => {
    const planned = await cli('plan', '--service', 'promotions', ...CANARY, '--out', 'plan.json', '--output', 'json');
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { services: { service: string; serviceConnect: { strategy: string; why: string } }[] };
    expect(plan.services[0]!.serviceConnect).toMatchObject({ strategy: 'ecs-canary', why: expect.stringContaining('keeps its name') });
    const before = await promotions();

    const traffic: number[] = [];
    const applied = await withClock(['apply', 'plan.json', ...FAST], async () => {
      const run = proxy.deployments.runs[0];
      if (run && traffic[traffic.length - 1] !== run.traffic) traffic.push(run.traffic);
    });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // ECS moved the rule 10%, then all of it, and the deployment succeeded.
    expect(traffic).toEqual(expect.arrayContaining([10, 100]));
    expect(traffic.indexOf(10)).toBeLessThan(traffic.indexOf(100));
    expect(applied.stdout).toContain('legacy-mesh/promotions: deployment completed');

    const after = await promotions();
    // Same service, no twin: the name dashboards and pipelines use still serves.
    expect(after.service.serviceArn).toBe(before.service.serviceArn);
    const names = (await client(ecs.ECSClient).send(new ecs.ListServicesCommand({ cluster: 'legacy-mesh' }))).serviceArns!.map((a) => a.split('/').pop());
    expect(names).not.toContain('promotions-sc');
    expect(after.service.taskDefinition).toMatch(/task-definition\/promotions:2$/);
    expect(after.service.deploymentConfiguration?.strategy).toBe('CANARY');
    expect(after.service.loadBalancers![0]!.advancedConfiguration).toMatchObject({ alternateTargetGroupArn: after.alternate, productionListenerRule: after.rule.RuleArn });
    // Production traffic is on the alternate group, where the Service Connect revision's tasks are.
    expect(after.weights).toEqual([['promotions', 0], ['promotions-alt', 100]]);
    // apply followed ECS's deployment, not a rolling one.
    expect(proxy.count((c) => c.operation === 'DescribeServiceDeployments')).toBeGreaterThan(0);

    const status = JSON.parse((await cli('status', '--output', 'json')).stdout) as { services: { deployment: { status: string; trafficOnNewRevision: number } }[] };
    expect(status.services[0]!.deployment).toMatchObject({ status: 'SUCCESSFUL', trafficOnNewRevision: 100 });
  });

  it('rolls back when the alarm fires during the canary, and apply exits 1 naming the alarm', async () => {
    expect((await cli('plan', '--service', 'promotions', ...CANARY, '--out', 'plan.json')).code).toBe(0);
    const applied = await withClock(['apply', 'plan.json', ...FAST], async () => {
      const run = proxy.deployments.runs[0];
      if (run?.traffic === 10 && run.status === 'IN_PROGRESS') await setAlarm('ALARM');
    });
    expect(applied.code, applied.stdout + applied.stderr).toBe(1);
    expect(applied.stdout).toMatch(/legacy-mesh\/promotions: deployment failed: alarm promotions-5xx went into ALARM; ECS rolled back to the previous revision/);
    const after = await promotions();
    // Production traffic is back on the App Mesh revision's group, and the service on that revision.
    expect(after.weights).toEqual([['promotions', 100], ['promotions-alt', 0]]);
    expect(after.service.taskDefinition).toMatch(/task-definition\/promotions:1$/);
    const status = await cli('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('alarm promotions-5xx went into ALARM');
  });

  it('rollback in mid-deployment stops the deployment with rollback, then restores the strategy, the rule and the groups', async () => {
    expect((await cli('plan', '--service', 'promotions', ...CANARY, '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json', '--no-wait', ...FAST);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    await proxy.deployments.advance(1);
    expect((await promotions()).weights).toEqual([['promotions', 90], ['promotions-alt', 10]]);

    // The deployment holds at 10% until rollback stops it (ECS takes the stop on its next move).
    const rolledBack = await withClock(['rollback', '--yes', ...FAST], undefined, () => proxy.count((c) => c.operation === 'StopServiceDeployment') > 0);
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    const stop = proxy.calls.find((c) => c.operation === 'StopServiceDeployment');
    expect(stop?.input).toEqual({ serviceDeploymentArn: proxy.deployments.runs[0]!.arn, stopType: 'ROLLBACK' });
    expect(proxy.deployments.runs[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    const after = await promotions();
    expect(after.service.taskDefinition).toMatch(/task-definition\/promotions:1$/);
    // The rule forwards to promotions alone again, the alternate group is gone, the strategy is rolling as before.
    expect(after.weights).toEqual([['promotions', 'forward']]);
    expect(after.alternate).toBeUndefined();
    expect(after.service.deploymentConfiguration?.strategy).toBe('ROLLING');
    expect(after.service.loadBalancers![0]!.advancedConfiguration).toBeUndefined();
  });
});

describe('precheck of ECS-managed cut-overs', () => {
  it('blocks a CODE_DEPLOY service and says how AWS moves it to ECS-managed blue/green', async () => {
    const result = await cli('precheck', '--service', 'checkout');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('deployment controller is CODE_DEPLOY');
    expect(result.stdout).toContain('Migrating from a CodeDeploy blue/green to an Amazon ECS blue/green service deployment');
  });

  it('blocks a configured role that does not exist, with the commands that make it', async () => {
    await writeFile(join(cwd, 'meshctl.yaml'), DEMO_CUTOVER_CONFIG.replace('ecsInfrastructureRoleForLoadBalancers', 'missingRole'));
    const result = await cli('precheck', '--service', 'promotions', '--output', 'json');
    expect(result.code).toBe(1);
    const finding = (JSON.parse(result.stdout) as { findings: { rule: string; severity: string; message: string; hint: string }[] }).findings.find((f) => f.rule === 'ecs-managed-cutover')!;
    expect(finding).toMatchObject({ severity: 'error', message: expect.stringContaining('role arn:aws:iam::123456789012:role/missingRole does not exist') });
    expect(finding.hint).toContain('aws iam create-role --role-name missingRole');
    expect(finding.hint).toContain('aws iam attach-role-policy --role-name missingRole --policy-arn arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers');
  });

  it('blocks a listener that forwards by its default action only: no rule to name, and how to add one', async () => {
    // pricing's path rule goes: its listener's default action is all that forwards to it.
    const elb = client(elbv2.ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
    const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    const rule = (await elb.send(new elbv2.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.find((r) => r.Conditions?.some((c) => c.Values?.includes('/prices/*')))!;
    await elb.send(new elbv2.DeleteRuleCommand({ RuleArn: rule.RuleArn }));
    const result = await cli('precheck', '--service', 'pricing', '--strategy', 'ecs-canary');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('forwards to target group pricing by its default action only: there is no listener rule to name');
    expect(result.stdout).toContain(`aws elbv2 create-rule --listener-arn ${listener.ListenerArn} --priority 50000`);
    // By default the service is not blocked: it gets the green twin, and precheck says why.
    const byDefault = await cli('precheck', '--service', 'pricing', '--output', 'json');
    const info = (JSON.parse(byDefault.stdout) as { findings: { rule: string; severity: string; message: string }[] }).findings.find((f) => f.rule === 'ecs-managed-cutover')!;
    expect(info).toMatchObject({ severity: 'info', message: expect.stringContaining('moves with a green twin') });
  });
});
