// meshctl plan on the demo fixtures: every output form, the plan file, exit
// codes, and every planned input valid for its AWS API.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import { runCli } from '../support/cli.js';
import { validateInput } from '../support/sdk-shapes.js';

const DEMO = ['--fixtures', 'fixtures/demo'];
// These tests cover the App Mesh target, which is no longer the default.
const APPMESH = [...DEMO, '--target', 'appmesh'];

/** Output references stand for ARNs only known at apply time. */
function withPlaceholders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPlaceholders);
  if (value && typeof value === 'object') {
    if ('$ref' in value) return 'arn:aws:placeholder';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholders(v)]));
  }
  return value;
}

describe('meshctl plan on the demo fixtures', () => {
  it('shows per service the task-definition diff, the resources and the service update, then a summary', async () => {
    const result = await runCli(['plan', ...APPMESH]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toContain('meshctl plan · target appmesh · mesh meshctl · fixtures fixtures/demo');
    expect(out).toMatch(/\+ mesh meshctl \[appmesh CreateMesh\]/);
    expect(out).toMatch(/~ shop-ec2\/orders \(orders:1\)/);
    expect(out).toMatch(/\+ virtual node meshctl\/orders \[appmesh CreateVirtualNode\]/);
    expect(out).toMatch(/\+ task definition orders \(new revision from orders:1\) \[ecs RegisterTaskDefinition\]\n\s+--- current\n\s+\+\+\+ planned/);
    expect(out).toMatch(/^\s+\+\s+"name": "envoy",$/m);
    expect(out).toMatch(/^\s+-\s+"cpu": "1536",\n\s+\+\s+"cpu": "2080",$/m);
    expect(out).toMatch(/~ ECS service shop-ec2\/orders \[ecs UpdateService\]/);
    expect(out).toContain('"taskDefinition": "<taskDefinition.taskDefinitionArn of task-definition:shop-ec2/orders>"');
    expect(out).toContain('backends: catalog.shop.local (inferred from web.CATALOG_URL), orders.shop.local (inferred from web.ORDERS_URL)');
    expect(out).toMatch(/blocked \(left out of the plan\)\n(.*\n)*\s+shop-ec2\/legacy-reports\n\s+× network-mode/);
    expect(out).toMatch(/Plan: 16 to create, 5 to update, 0 to delete, 0 unchanged; 5 blocked; 2 held for infrastructure code \(8 operation\(s\) apply leaves to the owners\)\./);
    expect(out).not.toMatch(/hunter2|s3cr3t|sk_live/);
  });

  it('prints the plan file as JSON with --output json, and saves the same with --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-plan-'));
    const file = join(dir, 'plan.json');
    const result = await runCli(['plan', ...APPMESH, '--output', 'json', '--out', file]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as Plan;
    const saved = JSON.parse(await readFile(file, 'utf8')) as Plan;
    expect({ ...saved, createdAt: '' }).toEqual({ ...plan, createdAt: '' });
    expect(plan).toMatchObject({ formatVersion: 1, tool: 'meshctl', target: 'appmesh', region: 'us-east-1', account: '123456789012', mesh: 'meshctl' });
    expect(plan.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The services it moves; the held ones (ledger, reviews) are left to their owners.
    expect(Object.keys(plan.observed.services)).toHaveLength(10);
    expect(plan.steps[0]).toEqual({
      id: 'mesh:meshctl', service: 'appmesh', operation: 'CreateMesh',
      input: { meshName: 'meshctl', spec: { egressFilter: { type: 'ALLOW_ALL' } }, clientToken: expect.stringMatching(/^[0-9a-f]{36}$/) },
      dependsOn: [], action: 'create', resource: 'mesh meshctl', account: '123456789012',
    });
    expect(plan.blocked.map((b) => `${b.service}:${b.findings[0]!.rule}`)).toEqual(['audit:network-mode', 'legacy-reports:network-mode', 'search:network-mode', 'checkout:deployment-controller', 'recommender:cpu-memory-headroom']);
  });

  it('plans inputs that are valid for their AWS APIs', async () => {
    const plan = JSON.parse((await runCli(['plan', ...APPMESH, '--output', 'json'])).stdout) as Plan;
    expect(plan.steps.length).toBeGreaterThan(0);
    for (const step of plan.steps) {
      expect(validateInput(step.service, step.operation, withPlaceholders(step.input)), step.id).toEqual([]);
    }
  });

  it('(the shape check itself catches bad inputs)', () => {
    expect(validateInput('appmesh', 'CreateVirtualNode', { meshName: 'm', spec: { listeners: [{ portMapping: { port: '80' } }], bogus: 1 } })).toEqual([
      'CreateVirtualNode.virtualNodeName: required by CreateVirtualNodeInput',
      'CreateVirtualNode.spec.bogus: not a member of VirtualNodeSpec',
      'CreateVirtualNode.spec.listeners[0].portMapping.protocol: required by PortMapping',
      'CreateVirtualNode.spec.listeners[0].portMapping.port: expected a number, got "80"',
    ]);
  });

  it('sets the EgressIgnoredPorts the precheck found', async () => {
    const plan = JSON.parse((await runCli(['plan', ...APPMESH, '--output', 'json'])).stdout) as Plan;
    const orders = plan.steps.find((s) => s.id === 'task-definition:shop-ec2/orders')!;
    const properties = (orders.input.proxyConfiguration as { properties: { name: string; value: string }[] }).properties;
    expect(properties).toContainEqual({ name: 'EgressIgnoredPorts', value: '5432,6379' });
  });

  it('--detailed-exitcode exits 2 when there are changes, 1 on an error', async () => {
    expect((await runCli(['plan', ...APPMESH, '--detailed-exitcode'])).code).toBe(2);
    const error = await runCli(['plan', ...APPMESH, '--cluster', 'nope', '--detailed-exitcode']);
    expect(error.code).toBe(1);
    expect(error.stderr).toContain('cluster nope not found');
  });

  it('--detailed-exitcode exits 0 when there is nothing to change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-cfg-'));
    await writeFile(join(dir, 'meshctl.yaml'), 'include:\n  services: [checkout]\n');
    const result = await runCli(['plan', ...APPMESH, '--config', join(dir, 'meshctl.yaml'), '--detailed-exitcode']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 0 unchanged; 1 blocked.');
  });

  it('--graph mermaid prints the topology', async () => {
    const result = await runCli(['plan', ...APPMESH, '--graph', 'mermaid']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('    vs_web_shop_local --> vn_web');
    expect(lines).toContain('  vn_web -.-> vs_orders_shop_local');
    expect(lines).toContain('  vn_orders -.-> vs_payments_shop_local');
    // Services left alone in another mesh are drawn in that mesh, not in the plan's.
    const plannedMesh = lines.slice(lines.indexOf('  subgraph mesh_meshctl["mesh meshctl"]'), lines.indexOf('  end') + 1);
    expect(plannedMesh.some((l) => l.includes('legacy-mesh/pricing'))).toBe(false);
    expect(lines).toContain('  subgraph mesh_shop_legacy["mesh shop-legacy"]');
    expect(lines.some((l) => l.includes('vn_pricing["pricing<br/>legacy-mesh/pricing"]'))).toBe(true);
    // Every backend is a node, declared with its name.
    for (const l of lines.filter((x) => x.includes('-.->'))) expect(lines.some((d) => d.includes(`${l.trim().split(' ').pop()}(["`))).toBe(true);
  });

  it('refuses an invalid config, naming the field, with exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-cfg-'));
    await writeFile(join(dir, 'meshctl.yaml'), 'services:\n  orders:\n    protocol: smtp\n');
    const result = await runCli(['plan', ...APPMESH, '--config', join(dir, 'meshctl.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/meshctl\.yaml: services\.orders\.protocol: /);
  });
});
