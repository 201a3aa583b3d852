// --target service-connect on the demo fixtures: the App Mesh estate moves
// blue-green by default or in place, plain services in place; every planned
// input valid for its API; apply --dry-run sends nothing.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import { runCli } from '../support/cli.js';
import { validateInput } from '../support/sdk-shapes.js';

const DEMO = ['--fixtures', 'fixtures/demo', '--target', 'service-connect'];
const placeholders = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(placeholders);
  if (value && typeof value === 'object') return '$ref' in value ? 'arn:aws:placeholder' : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v)]));
  return value;
};

describe('plan --target service-connect on the demo', () => {
  it('is the default target: rollout order, parity report and carried-over timeouts in text and JSON', async () => {
    const text = await runCli(['plan', '--fixtures', 'fixtures/demo']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('meshctl plan · target service-connect');
    expect(text.stdout).toContain('rollout: step 3, after shop-ec2/orders, shop-fargate/catalog completed (servers before clients)');
    expect(text.stdout).toContain('Service Connect: namespace shop.local, blue-green (green service pricing-sc); aliases prices.shop.local:8080, pricing.shop.local:8080');
    expect(text.stdout).toMatch(/parity: App Mesh behaviour Service Connect does not keep\n\s+- outlier detection on port 8080/);
    const plan = JSON.parse((await runCli(['plan', '--fixtures', 'fixtures/demo', '--output', 'json'])).stdout) as Plan;
    expect(plan.target).toBe('service-connect');
    const web = plan.services.find((s) => s.service === 'web')!;
    expect(web.rollout).toEqual({ position: 3, after: ['shop-ec2/orders', 'shop-fargate/catalog'] });
    expect(plan.steps.find((s) => s.id === 'ecs-service:shop-fargate/web')!.dependsOn).toEqual(expect.arrayContaining(['ecs-service:shop-ec2/orders', 'ecs-service:shop-fargate/catalog']));
    const green = plan.steps.find((s) => s.id === 'ecs-green-service:legacy-mesh/pricing')!.input.serviceConnectConfiguration as { services: { timeout?: unknown }[] };
    expect(green.services.map((e) => e.timeout)).toEqual([{ idleTimeoutSeconds: 300, perRequestTimeoutSeconds: 15 }, { idleTimeoutSeconds: 300, perRequestTimeoutSeconds: 15 }]);
  });

  it('plans App Mesh services from ECS and Cloud Map alone when App Mesh answers AccessDenied, saying so once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-no-appmesh-'));
    await cp('fixtures/demo', dir, { recursive: true });
    await writeFile(join(dir, 'appmesh.json'), JSON.stringify({ formatVersion: 1, service: 'appmesh', calls: [
      { operation: 'ListMeshes', input: { limit: 100 }, error: { code: 'AccessDeniedException', message: 'User is not authorized to perform appmesh:ListMeshes' } },
    ] }));
    const result = await runCli(['plan', '--fixtures', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.includes('could not be read'))).toEqual([expect.stringContaining('App Mesh could not be read (ListMeshes: AccessDeniedException')]);
    expect(result.stdout).toContain('+ ECS service legacy-mesh/pricing-sc (green, beside pricing)');
    expect(result.stdout).toContain('aliases pricing.shop.local:8080');
    const appmesh = await runCli(['plan', '--fixtures', dir, '--target', 'appmesh']);
    expect(appmesh.code).toBe(2);
    expect(appmesh.stderr).toContain('cannot read App Mesh (ListMeshes: AccessDeniedException');

    // Listing works but describing is refused: the same, from DescribeVirtualNode.
    const recorded = JSON.parse(await readFile('fixtures/demo/appmesh.json', 'utf8')) as { calls: Record<string, unknown>[] };
    for (const call of recorded.calls.filter((c) => c.operation === 'DescribeVirtualNode')) {
      delete call.output;
      call.error = { code: 'AccessDeniedException', message: 'not authorized' };
    }
    await writeFile(join(dir, 'appmesh.json'), JSON.stringify(recorded));
    const partial = await runCli(['plan', '--fixtures', dir]);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain('App Mesh could not be read (DescribeVirtualNode: AccessDeniedException');
  });

  it('--target appmesh still plans App Mesh, saying in one line that it reached end of support', async () => {
    const result = await runCli(['plan', '--fixtures', 'fixtures/demo', '--target', 'appmesh']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.includes('end of support'))).toEqual([expect.stringContaining('App Mesh reached end of support on 2026-09-30')]);
  });

  it('shows the task-definition diff, the Service Connect configuration as a diff, and the cut-over notes', async () => {
    const result = await runCli(['plan', ...DEMO]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('meshctl plan · target service-connect · namespace shop.local');
    expect(result.stdout).toMatch(/~ ECS service shop-fargate\/web \[ecs UpdateService\][\s\S]*?serviceConnectConfiguration:\n\s+--- current\n\s+\+\+\+ planned/);
    expect(result.stdout).toMatch(/\+ ECS service legacy-mesh\/pricing-sc \(green, beside pricing\) \[ecs CreateService\]/);
    expect(result.stdout).toContain('Service Connect: namespace shop.local, blue-green (green service inventory-sc); aliases inventory.shop.local:8080');
    expect(result.stdout).toContain('! App Mesh dependency group 1: legacy-mesh/inventory, legacy-mesh/pricing');
    expect(result.stdout).toMatch(/^\s+-\s+"name": "envoy",$/m);
    expect(result.stdout).not.toMatch(/hunter2|s3cr3t|pricing-pw/);
    // The weighted-rule diff names the green target group apply will create.
    expect(result.stdout).toMatch(/^\s+\+\s+"TargetGroupArn": "<TargetGroups\.0\.TargetGroupArn of elbv2-target-group:legacy-mesh\/pricing:pricing>",$/m);
  });

  it('plans inputs valid for their AWS APIs, the green services included', async () => {
    const plan = JSON.parse((await runCli(['plan', ...DEMO, '--output', 'json'])).stdout) as Plan;
    expect(plan.target).toBe('service-connect');
    expect(new Set(plan.steps.map((s) => `${s.service} ${s.operation}`))).toEqual(new Set([
      'ecs RegisterTaskDefinition', 'ecs UpdateService', 'ecs CreateService', 'elbv2 CreateTargetGroup', 'elbv2 ModifyTargetGroupAttributes', 'application-autoscaling RegisterScalableTarget', 'application-autoscaling PutScalingPolicy', 'elbv2 ModifyRule', 'elbv2 ModifyListener',
      'application-autoscaling PutScheduledAction', 'cloudwatch PutMetricAlarm',
    ]));
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, placeholders(step.input)), step.id).toEqual([]);
  });

  it('gives a blue service behind a load balancer a green target group and weighted forwards (blue 100, green 0)', async () => {
    const plan = JSON.parse((await runCli(['plan', ...DEMO, '--output', 'json'])).stdout) as Plan;
    const tg = plan.steps.find((s) => s.operation === 'CreateTargetGroup')!;
    expect(tg.input).toMatchObject({ Name: 'pricing-sc', Protocol: 'HTTP', Port: 8080, TargetType: 'ip', HealthCheckPath: '/health' });
    const green = plan.steps.find((s) => s.id === 'ecs-green-service:legacy-mesh/pricing')!;
    expect(green.input.loadBalancers).toEqual([{ targetGroupArn: { $ref: tg.id, path: 'TargetGroups.0.TargetGroupArn' }, containerName: 'pricing', containerPort: 8080 }]);
    const rule = plan.steps.find((s) => s.operation === 'ModifyRule')!;
    // ECS takes only a target group a load balancer forwards to: green joins the rule (at 0) before the green service is made.
    expect(rule.dependsOn).toEqual([tg.id]);
    expect(green.dependsOn).toContain(rule.id);
    const forward = (rule.input.Actions as { ForwardConfig: { TargetGroups: { Weight: number }[] } }[])[0]!.ForwardConfig.TargetGroups;
    expect(forward.map((g) => g.Weight)).toEqual([100, 0]);
    expect(rule.before).toEqual([{ Type: 'forward', TargetGroupArn: expect.stringContaining(':targetgroup/pricing/') }]);
  });

  it('copies the demo pricing\'s scaling to pricing-sc on green\'s metrics: the request-count label of the green target group, the step alarm on green acting on green\'s policy', async () => {
    const plan = JSON.parse((await runCli(['plan', ...DEMO, '--output', 'json'])).stdout) as Plan;
    const tg = plan.steps.find((s) => s.operation === 'CreateTargetGroup')!;
    const requests = plan.steps.find((s) => s.id === 'scaling-policy:legacy-mesh/pricing:pricing-requests')!;
    expect(requests.input.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: { $ref: tg.id, path: 'TargetGroups.0.TargetGroupArn', arnResource: true, prefix: expect.stringMatching(/^app\/shop-internal\/\w+\/$/) } },
    });
    const alarm = plan.steps.find((s) => s.operation === 'PutMetricAlarm')!;
    expect(alarm.input).toMatchObject({
      AlarmName: 'pricing-cpu-high-sc', Dimensions: [{ Name: 'ClusterName', Value: 'legacy-mesh' }, { Name: 'ServiceName', Value: 'pricing-sc' }],
      AlarmActions: [{ $ref: 'scaling-policy:legacy-mesh/pricing:pricing-step-out', path: 'PolicyARN' }, 'arn:aws:sns:us-east-1:123456789012:pricing-oncall'], Tags: [{ Key: 'team', Value: 'pricing' }],
    });
    expect(plan.steps.find((s) => s.operation === 'PutScheduledAction')!.input).toMatchObject({ ResourceId: 'service/legacy-mesh/pricing-sc', ScheduledActionName: 'pricing-nightly' });
    const text = (await runCli(['plan', ...DEMO])).stdout;
    expect(text).toContain('scaling copied to pricing-sc: min 2, max 6, 3 policies, 1 scheduled action(s), 1 step-scaling alarm(s) as <name>-sc');
    expect(text).toMatch(/"ResourceLabel": "<app\/shop-internal\/\w+\/resource part of TargetGroups\.0\.TargetGroupArn of elbv2-target-group:legacy-mesh\/pricing:pricing>"/);
  });

  it('--strategy in-place updates the App Mesh services themselves, and --remove-mesh-resources deletes their mesh resources after', async () => {
    const plan = JSON.parse((await runCli(['plan', ...DEMO, '--strategy', 'in-place', '--remove-mesh-resources', '--output', 'json'])).stdout) as Plan;
    const ids = plan.steps.map((s) => s.id);
    expect(ids).toContain('ecs-service:legacy-mesh/pricing');
    expect(ids.slice(-7)).toEqual(['delete-virtual-service:inventory.shop.local', 'delete-virtual-node:inventory', 'delete-virtual-service:prices.shop.local', 'delete-virtual-service:pricing.shop.local', 'delete-virtual-node:pricing', 'delete-virtual-service:promotions.shop.local', 'delete-virtual-node:promotions']);
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, placeholders(step.input)), step.id).toEqual([]);
    const inventory = plan.services.find((s) => s.service === 'inventory')!;
    expect(inventory.notes!.join(' ')).toContain('in-place switch');
  });

  it('--graph mermaid draws the namespace with its aliases', async () => {
    const result = await runCli(['plan', ...DEMO, '--graph', 'mermaid']);
    expect(result.stdout).toContain('subgraph ns_shop_local["namespace shop.local"]');
    expect(result.stdout).toContain('svc_legacy_mesh_inventory_sc -.-> svc_legacy_mesh_pricing_sc');
  });

  it('apply --dry-run of the saved plan lists the operations and sends none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-sc-'));
    expect((await runCli(['plan', ...DEMO, '--out', join(dir, 'plan.json')])).code).toBe(0);
    const result = await runCli(['apply', join(dir, 'plan.json'), '--fixtures', 'fixtures/demo', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\d+ operation\(s\) would be sent; none is\./);
    expect(result.stdout).toContain('ecs CreateService (ECS service legacy-mesh/pricing-sc (green, beside pricing))');
  });

  it('iam-policy scopes the green services and the weighted rules of the plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-sc-'));
    await runCli(['plan', ...DEMO, '--out', join(dir, 'plan.json')]);
    const policy = JSON.parse((await runCli(['iam-policy', join(dir, 'plan.json')])).stdout) as { Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] };
    const sid = (id: string) => policy.Statement.find((st) => st.Sid === id)!;
    expect(sid('MeshctlGreenServices').Resource).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:service/legacy-mesh/inventory-sc', 'arn:aws:ecs:us-east-1:123456789012:service/legacy-mesh/pricing-sc',
      // Without the demo's meshctl.yaml (no infrastructure role), promotions gets a twin too.
      'arn:aws:ecs:us-east-1:123456789012:service/legacy-mesh/promotions-sc',
    ]);
    expect(sid('MeshctlListenerRules').Action).toEqual(['elasticloadbalancing:ModifyRule']);
    expect(sid('MeshctlListeners').Action).toEqual(['elasticloadbalancing:ModifyListener']);
  });

  it('refuses --strategy for the App Mesh target', async () => {
    const result = await runCli(['plan', '--fixtures', 'fixtures/demo', '--target', 'appmesh', '--strategy', 'in-place']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--strategy, --remove-mesh-resources and the ECS deployment flags are for --target service-connect');
  });
});
