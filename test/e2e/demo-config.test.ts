// The demo with its meshctl.yaml (fixtures/demo/meshctl.yaml, written by
// npm run record-demo): the namespace named by its ARN, and inventory's
// port made TCP although its App Mesh listener had a per-request timeout.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import { runCli } from '../support/cli.js';
import { validateInput } from '../support/sdk-shapes.js';

const WITH_CONFIG = ['--fixtures', 'fixtures/demo', '--config', 'fixtures/demo/meshctl.yaml'];
const placeholders = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && '$ref' in v ? 'arn:aws:placeholder' : v))) as unknown;
type Entry = { discoveryName: string; clientAliases?: { dnsName: string }[]; timeout?: Record<string, number> };
const entries = (plan: Plan, id: string) => (plan.steps.find((s) => s.id === id)!.input.serviceConnectConfiguration as { services: Entry[] }).services;

describe('the demo with meshctl.yaml', () => {
  it('names the namespace by its ARN, yet every alias, discovery name and namespace in the plan is shop.local\'s name', async () => {
    expect(await readFile('fixtures/demo/meshctl.yaml', 'utf8')).toMatch(/^ {2}namespace: arn:aws:servicediscovery:us-east-1:123456789012:namespace\/ns-/m);
    const result = await runCli(['plan', ...WITH_CONFIG, '--output', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as Plan;
    expect(new Set(plan.services.map((s) => s.serviceConnect?.namespace))).toEqual(new Set(['shop.local']));
    const names = plan.services.flatMap((s) => s.serviceConnect?.aliases ?? []);
    expect(names).toEqual(expect.arrayContaining(['inventory.shop.local:8080', 'pricing.shop.local:8080', 'orders.shop.local:8080']));
    expect(names.filter((n) => n.includes('arn:'))).toEqual([]);
    expect(plan.steps.some((s) => s.operation === 'CreateHttpNamespace')).toBe(false);
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, placeholders(step.input)), step.id).toEqual([]);
  });

  it('keeps only the idle timeout of a TCP port, and says the per-request timeout was not kept', async () => {
    const plan = JSON.parse((await runCli(['plan', ...WITH_CONFIG, '--output', 'json'])).stdout) as Plan;
    expect(entries(plan, 'ecs-green-service:legacy-mesh/inventory').map((e) => e.timeout)).toEqual([{ idleTimeoutSeconds: 60 }]);
    const register = plan.steps.find((s) => s.id === 'task-definition:legacy-mesh/inventory')!.input as { containerDefinitions: { name: string; portMappings?: { appProtocol?: string }[] }[] };
    expect(register.containerDefinitions.find((c) => c.name === 'inventory')!.portMappings![0]!.appProtocol).toBeUndefined();
    expect(plan.services.find((s) => s.service === 'inventory')!.parity).toEqual([expect.stringContaining('per-request timeout of 5s on port 8080: not kept, the port\'s appProtocol is unset (TCP)')]);
    // Without meshctl.yaml the port stays http and keeps both.
    const plain = JSON.parse((await runCli(['plan', '--fixtures', 'fixtures/demo', '--output', 'json'])).stdout) as Plan;
    expect(entries(plain, 'ecs-green-service:legacy-mesh/inventory').map((e) => e.timeout)).toEqual([{ idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 5 }]);
  });

  it('gives App Mesh the namespace\'s name too', async () => {
    const plan = JSON.parse((await runCli(['plan', ...WITH_CONFIG, '--target', 'appmesh', '--output', 'json'])).stdout) as Plan;
    const virtualServices = plan.steps.filter((s) => s.operation === 'CreateVirtualService').map((s) => s.input.virtualServiceName as string);
    expect(virtualServices.length).toBeGreaterThan(0);
    expect(virtualServices.every((n) => n.endsWith('.shop.local'))).toBe(true);
    // The namespace is found by its ARN: no service is blocked for want of one (checkout, with no registry, falls back to it).
    expect(plan.blocked.flatMap((b) => b.findings).filter((f) => f.rule === 'service-discovery' || f.rule === 'shared-namespace')).toEqual([]);
  });
});
