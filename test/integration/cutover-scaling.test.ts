// The cut-over of the demo's autoscaled pricing against moto: apply gives
// pricing-sc pricing's scaling on green's own metrics (the request-count label
// of the green target group, the step alarm on green acting on green's
// policy, predictive scaling through the proxy's stand-in, the scheduled
// action); rollback removes what the copy made; finalize puts pricing-sc in
// pricing's Cloud Map registry before pricing goes (or refuses, naming the
// services that resolve pricing's name), and removes pricing's scalable
// target and step alarm.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aas from '@aws-sdk/client-application-auto-scaling';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_REGION, DEMO_NAMESPACE } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const cli = (...args: string[]) => runCli(args, env, cwd);
// Application Auto Scaling through the proxy: predictive policies live in its stand-in.
const scaling = () => new aas.ApplicationAutoScalingClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
const alarms = () => new cloudwatch.CloudWatchClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
const elb = () => new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
const services = () => new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
const target = (service: string) => ({ ServiceNamespace: 'ecs' as const, ResourceId: `service/legacy-mesh/${service}`, ScalableDimension: 'ecs:service:DesiredCount' as const });
// moto ignores DescribeScalingPolicies' ResourceId filter: keep the resource's own.
const policiesOf = async (service: string) => ((await scaling().send(new aas.DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: target(service).ResourceId }))).ScalingPolicies ?? [])
  .filter((p) => p.ResourceId === target(service).ResourceId);
const alarm = async (name: string) => (await alarms().send(new cloudwatch.DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
const lbPart = async () => (await elb().send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!.LoadBalancerArn!.split(':loadbalancer/')[1]!;
const tgPart = async (name: string) => (await elb().send(new elbv2.DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups![0]!.TargetGroupArn!.split(':').pop()!;

async function apply(): Promise<void> {
  expect((await cli('plan', '--service', 'pricing', '--out', 'plan.json')).code).toBe(0);
  const applied = await cli('apply', 'plan.json', '--force', '--no-wait');
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
}

/** A fresh demo (and a fresh working directory: no journal). */
async function seed(): Promise<void> {
  await proxy?.stop();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-cutover-scaling-'));
  // pricing also forecasts its request count (predictive scaling, which moto refuses: the proxy's stand-in keeps it).
  await scaling().send(new aas.PutScalingPolicyCommand({
    ...target('pricing'), PolicyName: 'pricing-forecast', PolicyType: 'PredictiveScaling',
    PredictiveScalingPolicyConfiguration: { Mode: 'ForecastOnly', MetricSpecifications: [{ TargetValue: 1000, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ALBRequestCount', ResourceLabel: `${await lbPart()}/${await tgPart('pricing')}` } }] },
  }));
  proxy.endRollouts('*', 'COMPLETED');
}

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('the scaling of an autoscaled blue-green service', () => {
  it('apply copies it on green\'s own metrics; rollback removes what the copy made', async () => {
    await seed();
    await apply();
    const greenLabel = `${await lbPart()}/${await tgPart('pricing-sc')}`;
    expect((await scaling().send(new aas.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [target('pricing-sc').ResourceId] }))).ScalableTargets)
      .toEqual([expect.objectContaining({ MinCapacity: 2, MaxCapacity: 6 })]);
    const policies = Object.fromEntries((await policiesOf('pricing-sc')).map((p) => [p.PolicyName, p]));
    expect(Object.keys(policies).sort()).toEqual(['pricing-cpu', 'pricing-forecast', 'pricing-requests', 'pricing-step-out']);
    // The request count of the green target group, not blue's.
    expect(policies['pricing-requests']!.TargetTrackingScalingPolicyConfiguration!.PredefinedMetricSpecification).toEqual({ PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: greenLabel });
    expect(policies['pricing-forecast']!.PredictiveScalingPolicyConfiguration!.MetricSpecifications![0]!.PredefinedMetricPairSpecification!.ResourceLabel).toBe(greenLabel);
    // The step alarm watches green and acts on green's policy; the team's page and tag stay.
    const copy = (await alarm('pricing-cpu-high-sc'))!;
    expect(copy.Dimensions).toEqual([{ Name: 'ClusterName', Value: 'legacy-mesh' }, { Name: 'ServiceName', Value: 'pricing-sc' }]);
    expect(copy.AlarmActions).toEqual([policies['pricing-step-out']!.PolicyARN, `arn:aws:sns:${DEMO_REGION}:123456789012:pricing-oncall`]);
    expect((await alarms().send(new cloudwatch.ListTagsForResourceCommand({ ResourceARN: copy.AlarmArn }))).Tags).toEqual([{ Key: 'team', Value: 'pricing' }]);
    expect(copy).toMatchObject({ Threshold: 75, EvaluationPeriods: 3, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const scheduled = (await scaling().send(new aas.DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: target('pricing-sc').ResourceId }))).ScheduledActions;
    expect(scheduled).toEqual([expect.objectContaining({ ScheduledActionName: 'pricing-nightly', Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 } })]);
    // Blue's own are untouched.
    expect((await alarm('pricing-cpu-high'))!.Dimensions).toEqual([{ Name: 'ClusterName', Value: 'legacy-mesh' }, { Name: 'ServiceName', Value: 'pricing' }]);

    const rolledBack = await cli('rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('- CloudWatch alarm pricing-cpu-high-sc [cloudwatch DeleteAlarms]');
    expect(await alarm('pricing-cpu-high-sc')).toBeUndefined();
    expect((await scaling().send(new aas.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [target('pricing-sc').ResourceId] }))).ScalableTargets).toEqual([]);
    expect(await alarm('pricing-cpu-high')).toBeDefined();
  });

  it('finalize puts green in blue\'s Cloud Map registry before blue goes, or refuses naming who resolves blue\'s name; and removes blue\'s scaling and step alarm', async () => {
    await seed();
    await apply();
    const greenTg = (await elb().send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!.TargetGroupArn!;
    // moto's ECS registers no task: stand in for green's, healthy.
    await elb().send(new elbv2.RegisterTargetsCommand({ TargetGroupArn: greenTg, Targets: [{ Id: '10.20.1.50', Port: 8080 }] }));
    expect((await cli('shift', '--to', '100', '--yes')).code).toBe(0);
    // inventory moved off App Mesh (here: it is gone), so only DNS callers are left to think of.
    await services().send(new ecs.DeleteServiceCommand({ cluster: 'legacy-mesh', service: 'inventory', force: true }));
    const blueRegistries = (await services().send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['pricing'] }))).services![0]!.serviceRegistries;
    expect(blueRegistries).toHaveLength(1);

    // A caller resolving pricing's DNS name, and a green that cannot join pricing's registry: finalize refuses, naming it.
    const web = (await services().send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['web'] }))).services![0]!;
    const quotes = (await services().send(new ecs.RegisterTaskDefinitionCommand({
      family: 'quotes', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'quotes', image: 'quotes:1', essential: true, environment: [{ name: 'PRICING_URL', value: `http://pricing.${DEMO_NAMESPACE}:8080` }] }],
    }))).taskDefinition!.taskDefinitionArn!;
    await services().send(new ecs.CreateServiceCommand({ cluster: 'shop-fargate', serviceName: 'quotes', taskDefinition: quotes, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: web.networkConfiguration }));
    await services().send(new ecs.UpdateServiceCommand({ cluster: 'legacy-mesh', service: 'pricing-sc', serviceRegistries: (await services().send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['web'] }))).services![0]!.serviceRegistries }));
    proxy.calls.length = 0;
    const refused = await cli('finalize', '--yes', '--bake', '0s');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`not finalizing legacy-mesh/pricing: pricing is registered in Cloud Map as pricing.${DEMO_NAMESPACE}, which shop-fargate/quotes (quotes.PRICING_URL) resolve, and pricing-sc is registered in another Cloud Map registry, and ECS takes one per service`);
    expect(proxy.count((c) => c.mutating && c.service !== 'sts')).toBe(0);

    await services().send(new ecs.UpdateServiceCommand({ cluster: 'legacy-mesh', service: 'pricing-sc', serviceRegistries: [] }));
    const blueStep = (await policiesOf('pricing')).find((p) => p.PolicyName === 'pricing-step-out')!.PolicyARN!;
    proxy.calls.length = 0;
    const done = await cli('finalize', '--yes', '--bake', '0s', '--poll-interval', '1s');
    expect(done.code, done.stdout + done.stderr).toBe(0);
    // Green joined blue's registry first, and its deployment was awaited; then blue went.
    const sent = proxy.calls.filter((c) => c.mutating && c.service !== 'sts').map((c) => `${c.operation}${c.input?.service ? ` ${String(c.input.service)}` : ''}`);
    expect(sent[0]).toBe('UpdateService pricing-sc');
    expect(sent.indexOf('DeleteService pricing')).toBeGreaterThan(sent.indexOf('DeregisterScalableTarget'));
    expect(done.stdout).toMatch(/legacy-mesh\/pricing-sc .* deployment completed/);
    expect((await services().send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['pricing-sc'] }))).services![0]!.serviceRegistries).toEqual(blueRegistries);
    // Blue's scaling and its step alarm are gone; green's copies stay.
    expect((await scaling().send(new aas.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [target('pricing').ResourceId] }))).ScalableTargets).toEqual([]);
    expect(await alarm('pricing-cpu-high')).toBeUndefined();
    expect((await alarms().send(new cloudwatch.DescribeAlarmsCommand({ ActionPrefix: blueStep }))).MetricAlarms).toEqual([]);
    expect(await alarm('pricing-cpu-high-sc')).toBeDefined();
    expect((await scaling().send(new aas.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [target('pricing-sc').ResourceId] }))).ScalableTargets).toHaveLength(1);
  });
});
