// apply, rollback and iam-policy without an account: dry runs on the demo
// fixtures, and every kind of bad input refused with exit 2.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, ROOT, runCli } from '../support/cli.js';

const DEMO = ['--fixtures', join(ROOT, 'fixtures/demo')];
// These tests cover the App Mesh target, which is no longer the default.
const APPMESH = [...DEMO, '--target', 'appmesh'];

async function demoPlan(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-e2e-'));
  const file = join(dir, 'plan.json');
  expect((await runCli(['plan', ...APPMESH, '--out', file], isolatedEnv(), dir)).code).toBe(0);
  return { dir, file };
}

describe('apply on the demo fixtures', () => {
  it('--dry-run prints every operation with its input, in order, and writes no journal', async () => {
    const { dir, file } = await demoPlan();
    const result = await runCli(['apply', file, ...DEMO, '--dry-run'], isolatedEnv(), dir);
    expect(result.code, result.stderr).toBe(0);
    // ledger and reviews are held for CloudFormation and Copilot; shipping's Terraform owner is named only in fixtures/demo/meshctl.yaml.
    expect(result.stdout).toContain('21 operation(s) would be sent; none is.');
    expect(result.stdout).toMatch(/^1\. appmesh CreateMesh \(mesh meshctl\)$/m);
    expect(result.stdout).toMatch(/ecs UpdateService \(ECS service shop-ec2\/orders\)\n\s+after: task-definition:shop-ec2\/orders, virtual-service:orders.shop.local/);
    expect(result.stdout).toContain('"taskDefinition": "<taskDefinition.taskDefinitionArn of task-definition:shop-ec2/orders>"');
    expect(result.stdout).not.toMatch(/hunter2|s3cr3t/);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['plan.json']);
  });

  it('--dry-run without a plan file plans and prints the operations', async () => {
    // No plan file and no --target: a Service Connect plan, the default target.
    const result = await runCli(['apply', ...DEMO, '--dry-run']);
    expect(result.code).toBe(0);
    // …the green twins' scaling included: pricing's three policies, its scheduled action and its step-scaling alarm.
    expect(result.stdout).toContain('37 operation(s) would be sent');
  });
});

describe('apply and rollback refuse bad input with exit 2', () => {
  it('a plan file that is not JSON, or not a plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-e2e-'));
    await writeFile(join(dir, 'bad.json'), '{"steps": [');
    let result = await runCli(['apply', join(dir, 'bad.json'), ...DEMO, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.json is not valid JSON');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    result = await runCli(['apply', join(dir, 'other.json'), ...DEMO, '--dry-run']);
    expect(result.stderr).toContain('other.json is not a meshctl plan');
    result = await runCli(['apply', join(dir, 'missing.json'), ...DEMO, '--dry-run']);
    expect(result.stderr).toContain('cannot read plan');
  });

  it('a plan edited after it was made, or holding an operation meshctl never plans, even in a dry run', async () => {
    const { file, dir } = await demoPlan();
    const plan = JSON.parse(await readFile(file, 'utf8')) as { fingerprint: string; steps: { operation: string; input: Record<string, unknown> }[] };
    const shown = await runCli(['apply', file, ...DEMO, '--dry-run']);
    expect(shown.stdout).toContain(`plan fingerprint ${plan.fingerprint}`);

    const edited = structuredClone(plan);
    (edited.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input.containerDefinitions as { image: string }[])[0]!.image = 'evil:1';
    await writeFile(join(dir, 'edited.json'), JSON.stringify(edited));
    let result = await runCli(['apply', join(dir, 'edited.json'), ...DEMO, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the plan was edited after it was made');

    const added = structuredClone(plan);
    added.steps.push({ id: 'x', service: 'ecs', operation: 'DeleteService', input: { cluster: 'shop-ec2', service: 'orders' }, dependsOn: [] } as never);
    await writeFile(join(dir, 'added.json'), JSON.stringify(added));
    result = await runCli(['apply', join(dir, 'added.json'), ...DEMO, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('meshctl never plans ecs DeleteService (step x) for target appmesh');
  });

  it('a real apply against fixtures', async () => {
    const { file } = await demoPlan();
    const result = await runCli(['apply', file, ...DEMO, '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--fixtures replays a recording and can change nothing: add --dry-run');
  });

  it('bad numbers and durations', async () => {
    const { file } = await demoPlan();
    expect((await runCli(['apply', file, ...DEMO, '--dry-run', '--concurrency', '0'])).stderr).toContain('--concurrency 0 is not a positive whole number');
    expect((await runCli(['apply', file, ...DEMO, '--dry-run', '--wait-timeout', 'soon'])).stderr).toContain('--wait-timeout soon is not a duration');
    expect((await runCli(['rollback', ...DEMO, '--service', 'web', '--to-revision', 'x', '--dry-run'])).stderr).toContain('--to-revision x is not a revision number');
  });

  it('rollback with no journal and no service named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-e2e-'));
    const result = await runCli(['rollback', ...DEMO, '--dry-run'], isolatedEnv(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no journal under .meshctl/ to roll back from');
  });

  it('rollback of a service that is not on a mesh is a no-op', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-e2e-'));
    const result = await runCli(['rollback', ...DEMO, '--cluster', 'shop-fargate', '--service', 'web', '--dry-run'], isolatedEnv(), dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shop-fargate/web: not on a mesh (runs web:1); nothing to roll back');
  });
});

describe('meshctl iam-policy', () => {
  it('scopes every mutation of a plan to its resources', async () => {
    const { file } = await demoPlan();
    const result = await runCli(['iam-policy', file]);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout) as { Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] };
    const sid = (id: string) => policy.Statement.find((s) => s.Sid === id)!;
    expect(sid('MeshctlReadEstate').Action).toContain('ecs:DescribeServices');
    expect(sid('MeshctlUpdateServices').Resource).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:service/shop-ec2/orders', 'arn:aws:ecs:us-east-1:123456789012:service/shop-ec2/payments',
      'arn:aws:ecs:us-east-1:123456789012:service/shop-fargate/catalog', 'arn:aws:ecs:us-east-1:123456789012:service/shop-fargate/shipping',
      'arn:aws:ecs:us-east-1:123456789012:service/shop-fargate/web',
    ]);
    expect(sid('MeshctlPassTaskRoles').Resource).toEqual([
      'arn:aws:iam::123456789012:role/catalog-task', 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', 'arn:aws:iam::123456789012:role/shipping-task',
      'arn:aws:iam::123456789012:role/web-task',
    ]);
    expect(sid('MeshctlVirtualNodes').Resource).toContain('arn:aws:appmesh:us-east-1:123456789012:mesh/meshctl/virtualNode/orders');
    expect(sid('MeshctlVirtualNodes').Action).toEqual(['appmesh:CreateVirtualNode', 'appmesh:DeleteVirtualNode']);
  });

  it('without a plan, covers every action meshctl may use', async () => {
    const policy = JSON.parse((await runCli(['iam-policy'])).stdout) as { Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    for (const action of ['ecs:UpdateService', 'ecs:DeregisterTaskDefinition', 'iam:PassRole', 'appmesh:CreateMesh', 'servicediscovery:CreateService']) expect(actions).toContain(action);
  });
});

describe('apply --dry-run says what apply would refuse', () => {
  it('names the services carrying precheck errors, in text and in JSON', async () => {
    const { file } = await demoPlan();
    const text = await runCli(['apply', file, ...DEMO, '--dry-run']);
    expect(text.stdout).toContain('without --force, apply refuses 2 service(s) carrying precheck errors: shop-ec2/orders (eni-capacity, agent-version), shop-ec2/payments (eni-capacity, agent-version)');
    expect((await runCli(['apply', file, ...DEMO, '--dry-run', '--force'])).stdout).not.toContain('without --force');
    const json = JSON.parse((await runCli(['apply', file, ...DEMO, '--dry-run', '--output', 'json'])).stdout) as { dryRun: boolean; fingerprint: string; steps: { id: string; operation: string }[]; refusedWithoutForce: { service: string; rules: string[] }[] };
    expect(json.dryRun).toBe(true);
    expect(json.steps).toHaveLength(21);
    expect(json.refusedWithoutForce.map((r) => r.service)).toEqual(['shop-ec2/orders', 'shop-ec2/payments']);
  });
});

describe('status', () => {
  it('needs a journal, and says how to name one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-status-'));
    const result = await runCli(['status', ...DEMO], isolatedEnv(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no journal under .meshctl/: status reports on an apply or rollback run from this directory, or pass --journal FILE');
  });
});

describe('apply without a plan file, and help', () => {
  it('plans only what the selection flags name, as plan does, and refuses them beside a plan file', async () => {
    const result = await runCli(['apply', ...DEMO, '--service', 'web', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('2 operation(s) would be sent');
    expect(result.stdout).toMatch(/ecs UpdateService \(ECS service shop-fargate\/web\)/);
    const { file } = await demoPlan();
    const refused = await runCli(['apply', file, ...DEMO, '--service', 'web', '--dry-run']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is already planned (what it holds for infrastructure code is part of it): apply it as it is, or plan again with them');
  });

  it('every command\'s --help shows the global options and an example', async () => {
    for (const command of ['inspect', 'precheck', 'plan', 'apply', 'rollback', 'status', 'iam-policy', 'record']) {
      const help = (await runCli([command, '--help'])).stdout;
      expect(help, command).toContain('Global Options:');
      expect(help, command).toContain('--endpoint-url <url>');
      expect(help, command).toMatch(new RegExp(`Examples?:\\n  \\$ meshctl ${command}`));
    }
  });
});
