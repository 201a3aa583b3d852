// Service Connect against moto: plain services in place, the App Mesh estate
// blue-green (green services created) or in place with its mesh resources
// removed, and rollback of both.
//
// Test-support note: moto accepts serviceConnectConfiguration on CreateService
// and UpdateService but drops it, and ignores Cloud Map's NAMESPACE_ID filter;
// the proxy stands in for both (test/support/service-connect-standin.ts), so a
// re-plan reads back what apply sent. moto never ends a deployment: the proxy's
// deployment stand-in ends rollouts when a test says so (endRollouts).
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as appmesh from '@aws-sdk/client-app-mesh';
import * as aas from '@aws-sdk/client-application-auto-scaling';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli, spawnCli } from '../support/cli.js';
import { DEMO_REGION, LEGACY_MESH } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;
let client: ecs.ECSClient;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const cli = (...args: string[]) => runCli(args, env, cwd);

async function describe1(cluster: string, service: string) {
  return (await client.send(new ecs.DescribeServicesCommand({ cluster, services: [service] }))).services?.find((s) => s.status === 'ACTIVE');
}

beforeAll(async () => {
  moto = await startMoto();
  client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
});

beforeEach(async () => {
  await proxy?.stop();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-sc-'));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('apply --target service-connect', () => {
  it('creates green services beside the App Mesh ones and moves plain services in place; rollback undoes both', async () => {
    expect((await cli('plan', '--target', 'service-connect', '--out', 'plan.json')).code).toBe(0);
    // Clients wait for their servers' deployments even with --no-wait: let every rollout complete.
    proxy.endRollouts('*', 'COMPLETED');
    const applied = await cli('apply', 'plan.json', '--force', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    for (const name of ['pricing', 'inventory']) {
      const green = await describe1('legacy-mesh', `${name}-sc`);
      expect(green, name).toBeDefined();
      const td = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: green!.taskDefinition }))).taskDefinition!;
      expect(td.containerDefinitions!.map((c) => c.name)).toEqual([name]);
      expect(td.containerDefinitions![0]!.portMappings![0]).toMatchObject({ name: `${name}-8080`, appProtocol: 'http' });
      expect(td.proxyConfiguration).toBeUndefined();
      // The blue service is untouched: still on App Mesh.
      expect((await describe1('legacy-mesh', name))!.taskDefinition).toMatch(new RegExp(`${name}:1$`));
    }
    expect((await describe1('shop-fargate', 'web'))!.taskDefinition).toMatch(/web:2$/);
    // legacy-reports (EC2, bridge) had no task-level memory, which Service Connect requires: its containers' 1024 MiB plus the agent's 64.
    const reports = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: (await describe1('shop-ec2', 'legacy-reports'))!.taskDefinition }))).taskDefinition!;
    expect(reports.memory).toBe('1088');

    const [file] = await readdir(join(cwd, '.meshctl'));
    const journal = JSON.parse(await readFile(join(cwd, '.meshctl', file!), 'utf8')) as Journal;
    // pricing serves inventory: apply waited for its green deployment (stable) before starting inventory's, --no-wait or not.
    expect(journal.services['legacy-mesh/pricing']).toMatchObject({ greenService: 'pricing-sc', state: 'stable' });
    expect(journal.created.filter((c) => c.kind === 'EcsService').map((c) => c.identity.service).sort()).toEqual(['inventory-sc', 'pricing-sc', 'promotions-sc']);

    // pricing is behind the ALB: its rule and listener now forward by weight, blue 100 and green 0.
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const greenTg = (await elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!;
    expect(greenTg).toMatchObject({ Port: 8080, TargetType: 'ip', HealthCheckPath: '/health', ProtocolVersion: 'HTTP2' });
    const greenAttributes = (await elb.send(new elbv2.DescribeTargetGroupAttributesCommand({ TargetGroupArn: greenTg.TargetGroupArn }))).Attributes!;
    expect(Object.fromEntries(greenAttributes.map((a) => [a.Key, a.Value]))).toMatchObject({ 'deregistration_delay.timeout_seconds': '30', 'slow_start.duration_seconds': '60' });
    const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
    const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    const weights = (actions: elbv2.Action[] | undefined) => actions?.[0]?.ForwardConfig?.TargetGroups?.map((g) => [g.TargetGroupArn === greenTg.TargetGroupArn ? 'green' : 'blue', g.Weight]);
    expect(weights(listener.DefaultActions)).toEqual([['blue', 100], ['green', 0]]);
    const rules = (await elb.send(new elbv2.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault);
    expect(weights(rules[0]!.Actions)).toEqual([['blue', 100], ['green', 0]]);
    expect((await describe1('legacy-mesh', 'pricing-sc'))!.loadBalancers).toEqual([{ targetGroupArn: greenTg.TargetGroupArn, containerName: 'pricing', containerPort: 8080 }]);
    // The green twin is a faithful copy: grace period, exec, circuit breaker, tags and their propagation. (moto drops the
    // first three on CreateService: read through the proxy, whose stand-in keeps them; placement, which Fargate refuses,
    // is covered by the unit test "gives a green twin every other setting".)
    const viaProxy = new ecs.ECSClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
    const twin = (await viaProxy.send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['pricing-sc'], include: ['TAGS'] }))).services![0]!;
    expect(twin).toMatchObject({ healthCheckGracePeriodSeconds: 90, enableExecuteCommand: true, propagateTags: 'SERVICE', tags: [{ key: 'team', value: 'pricing' }] });
    expect(twin.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });

    // The green twin scales as the blue one does: same bounds, same policy.
    const autoscaling = new aas.ApplicationAutoScalingClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const greenScaling = { ServiceNamespace: 'ecs' as const, ResourceIds: ['service/legacy-mesh/pricing-sc'] };
    expect((await autoscaling.send(new aas.DescribeScalableTargetsCommand(greenScaling))).ScalableTargets).toEqual([expect.objectContaining({ MinCapacity: 2, MaxCapacity: 6 })]);
    // (moto ignores DescribeScalingPolicies' ResourceId filter: keep the green service's own.)
    const policies = (await autoscaling.send(new aas.DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/legacy-mesh/pricing-sc' }))).ScalingPolicies!
      .filter((p) => p.ResourceId === 'service/legacy-mesh/pricing-sc');
    expect(policies.map((p) => [p.PolicyName, p.TargetTrackingScalingPolicyConfiguration?.TargetValue]).sort()).toEqual([['pricing-cpu', 60], ['pricing-requests', 500], ['pricing-step-out', undefined]]);

    const greenRevisions = await Promise.all(['pricing-sc', 'inventory-sc'].map(async (name) => (await describe1('legacy-mesh', name))!.taskDefinition!));
    const rolledBack = await cli('rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('- ECS service legacy-mesh/pricing-sc [ecs DeleteService]');
    expect(rolledBack.stdout).toMatch(/- target group arn:aws:elasticloadbalancing:.*pricing-sc.* \[elbv2 DeleteTargetGroup\]/);
    await expect(elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).rejects.toThrow(/not found|TargetGroupNotFound|One or more target groups not found/i);
    // The green revisions apply registered are deregistered with their services.
    for (const revision of greenRevisions) {
      expect((await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: revision }))).taskDefinition!.status, revision).toBe('INACTIVE');
    }
    const restored = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    expect(restored.DefaultActions![0]!.TargetGroupArn ?? restored.DefaultActions![0]!.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn).not.toBe(greenTg.TargetGroupArn);
    expect(weights(restored.DefaultActions)?.some(([side]) => side === 'green') ?? false).toBe(false);
    expect(await describe1('legacy-mesh', 'pricing-sc')).toBeUndefined();
    expect((await autoscaling.send(new aas.DescribeScalableTargetsCommand(greenScaling))).ScalableTargets).toEqual([]);
    expect((await describe1('shop-fargate', 'web'))!.taskDefinition).toMatch(/web:1$/);
  });

  it('refuses the plan when a listener rule it re-weights changed since', async () => {
    expect((await cli('plan', '--target', 'service-connect', '--out', 'plan.json')).code).toBe(0);
    const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const lb = (await elb.send(new elbv2.DescribeLoadBalancersCommand({ Names: ['shop-internal'] }))).LoadBalancers![0]!;
    const listener = (await elb.send(new elbv2.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    const rule = (await elb.send(new elbv2.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.find((r) => !r.IsDefault)!;
    await elb.send(new elbv2.ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }] }));
    const result = await cli('apply', 'plan.json', '--force', '--no-wait');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/load-balancer rule .* changed its actions since the plan/);
    expect(proxy.count((c) => c.mutating)).toBe(0);
  });

  it('in place with --remove-mesh-resources switches the group and then deletes its App Mesh resources', async () => {
    expect((await cli('plan', '--target', 'service-connect', '--strategy', 'in-place', '--remove-mesh-resources', '--service', 'pricing', '--service', 'inventory', '--out', 'plan.json')).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    const applied = await cli('apply', 'plan.json', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await describe1('legacy-mesh', 'pricing'))!.taskDefinition).toMatch(/pricing:2$/);
    const mesh = new appmesh.AppMeshClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
    const nodes = await mesh.send(new appmesh.ListVirtualNodesCommand({ meshName: LEGACY_MESH }));
    // promotions, not planned here, keeps its own.
    expect(nodes.virtualNodes!.map((n) => n.virtualNodeName)).toEqual(['promotions']);
    const services = await mesh.send(new appmesh.ListVirtualServicesCommand({ meshName: LEGACY_MESH }));
    expect(services.virtualServices!.map((v) => v.virtualServiceName)).toEqual(['promotions.shop.local']);
  });
});

describe('Service Connect apply after a crash', () => {
  for (const point of [
    { name: 'after AWS created a green service, before the journal knew', operation: 'CreateService', when: 'after' as const },
    { name: 'after AWS registered a task definition', operation: 'RegisterTaskDefinition', when: 'after' as const },
  ]) {
    it(`resumes with one green service and one new revision each: SIGKILL ${point.name}`, async () => {
      expect((await cli('plan', '--out', 'plan.json')).code).toBe(0);
      proxy.endRollouts('*', 'COMPLETED');
      const held = proxy.holdNext(point.operation, point.when);
      const run = spawnCli(['apply', 'plan.json', '--force', '--no-wait', '--poll-interval', '1s'], env, cwd);
      await held;
      run.child.kill('SIGKILL');
      await run.done;

      const resumed = await cli('apply', 'plan.json', '--force', '--no-wait', '--poll-interval', '1s');
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('(already done by an earlier run)');
      for (const name of ['pricing', 'inventory']) {
        const greens = (await client.send(new ecs.ListServicesCommand({ cluster: 'legacy-mesh' }))).serviceArns!.filter((a) => a.endsWith(`/${name}-sc`));
        expect(greens, name).toHaveLength(1);
      }
      // What the killed run created is in the journal, so rollback can remove it.
      const [file] = (await readdir(join(cwd, '.meshctl'))).filter((f) => f.endsWith('.json'));
      const journal = JSON.parse(await readFile(join(cwd, '.meshctl', file!), 'utf8')) as Journal;
      expect(journal.created.filter((c) => c.kind === 'EcsService').map((c) => c.identity.service).sort()).toEqual(['inventory-sc', 'pricing-sc', 'promotions-sc']);
      for (const family of ['pricing', 'inventory', 'web', 'orders']) {
        const revisions = (await client.send(new ecs.ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns!;
        expect(revisions, family).toHaveLength(2);
      }
    });
  }
});

describe('Service Connect rollout and re-plan', () => {
  const updates = () => proxy.calls.filter((c) => c.operation === 'UpdateService').map((c) => c.input!.service);

  it('starts a client only after its server\'s deployment completed: orders waits for payments', async () => {
    expect((await cli('plan', '--service', 'orders', '--service', 'payments', '--out', 'plan.json')).code).toBe(0);
    const plan = JSON.parse(await readFile(join(cwd, 'plan.json'), 'utf8')) as { steps: { id: string; dependsOn: string[] }[] };
    expect(plan.steps.find((s) => s.id === 'ecs-service:shop-ec2/orders')!.dependsOn).toContain('ecs-service:shop-ec2/payments');

    // payments' rollout never completes: orders is never touched, even with --no-wait.
    const stuck = await cli('apply', 'plan.json', '--force', '--no-wait', '--wait-timeout', '3s', '--poll-interval', '1s');
    expect(stuck.code).not.toBe(0);
    expect(updates()).toEqual(['payments']);
  });

  it('plans from ECS and Cloud Map alone when App Mesh answers AccessDenied, and says so once', async () => {
    proxy.failNext('GET /v20190125/meshes', 'AccessDeniedException', 5);
    const result = await cli('plan', '--output', 'json');
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { warnings?: string[]; steps: { id: string }[] };
    expect(plan.warnings).toEqual([expect.stringContaining('App Mesh could not be read (ListMeshes: AccessDeniedException')]);
    expect(plan.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['ecs-green-service:legacy-mesh/pricing', 'ecs-green-service:legacy-mesh/inventory']));
  });

  it('moves orders once payments completed, and a re-plan of what moved is a no-op that keeps the live configuration', async () => {
    proxy.endRollouts('*', 'COMPLETED');
    expect((await cli('plan', '--service', 'orders', '--service', 'payments', '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json', '--force', '--no-wait', '--poll-interval', '1s');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(updates()).toEqual(['payments', 'orders']);
    const paymentsUpdate = proxy.calls.findIndex((c) => c.operation === 'UpdateService' && c.input!.service === 'payments');
    const ordersUpdate = proxy.calls.findIndex((c) => c.operation === 'UpdateService' && c.input!.service === 'orders');
    const waited = proxy.calls.slice(paymentsUpdate, ordersUpdate).some((c) => c.operation === 'DescribeServices' && (c.input!.services as string[]).includes('payments'));
    expect(waited).toBe(true);

    // The stand-in reports back what apply sent: the next plan merges into it and finds nothing to do.
    const viaProxy = new ecs.ECSClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
    const described = await viaProxy.send(new ecs.DescribeServicesCommand({ cluster: 'shop-ec2', services: ['orders'] }));
    const live = described.services![0]!.deployments!.find((d) => d.status === 'PRIMARY')!.serviceConnectConfiguration;
    expect(live).toMatchObject({ enabled: true, namespace: 'shop.local', services: [{ portName: 'orders-8080', clientAliases: [{ dnsName: 'orders.shop.local', port: 8080 }] }] });
    const again = await cli('plan', '--service', 'orders', '--service', 'payments', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  });
});
