// Services infrastructure code owns are held: their steps leave what apply
// runs, the plan says why, clients waiting for them are held with them, and
// the fingerprint covers it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import type { Estate } from '../../src/core/estate.js';
import { NO_OWNER_RULES, type OwnerRules } from '../../src/core/owner.js';
import { holdOwnedServices, ownersOfPlan } from '../../src/core/plan/hold.js';
import type { Plan } from '../../src/core/plan/model.js';
import { parsePlan } from '../../src/core/plan/plan-file.js';
import { schedulePlan } from '../../src/core/plan/schedule.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { dryRunResult, refusedWithoutForce } from '../../src/commands/execute-plan.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };
const registry = (n: string) => [{ registryArn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}` }];
const STACK = [
  { key: 'aws:cloudformation:stack-name', value: 'shop-payments' },
  { key: 'aws:cloudformation:logical-id', value: 'PaymentsService' },
];

/** web → orders → payments, and catalog on its own; payments is CloudFormation's. */
function shop(options: { namespace?: boolean } = {}): Estate {
  const app = (name: string, env: Record<string, string>) => taskDefinition({ family: name, containerDefinitions: [container({ name, cpu: 256, memory: 512, environment: Object.entries(env).map(([n, value]) => ({ name: n, value })) })] });
  const web = app('web', { ORDERS_URL: 'http://orders.shop.local:8080' });
  const orders = app('orders', { PAYMENTS_URL: 'http://payments.shop.local:8080/pay' });
  const payments = app('payments', {});
  const catalog = app('catalog', {});
  const est = estate({ services: [
    [service(web, { serviceRegistries: registry('web') }), web],
    [service(orders, { serviceRegistries: registry('orders') }), orders],
    [service(payments, { serviceRegistries: registry('payments'), tags: STACK }), payments],
    [service(catalog, { serviceRegistries: registry('catalog') }), catalog],
  ] });
  est.cloudMap = {
    namespaces: options.namespace === false ? [] : [NS],
    services: ['web', 'orders', 'payments', 'catalog'].map((n) => ({ id: `srv-${n}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}`, name: n, namespaceId: 'ns-1' })),
  };
  return est;
}

function planned(est: Estate, config: Record<string, unknown> = {}): Plan {
  return planServiceConnect({
    estate: est, config: parseConfig(config, 'test'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} },
    createdAt: '2026-12-01T00:00:00.000Z', strategy: 'blue-green', removeMeshResources: false,
  });
}

function held(est: Estate, options: { rules?: OwnerRules; allowAll?: boolean; config?: Record<string, unknown> } = {}): { before: Plan; after: Plan } {
  const before = planned(est, options.config);
  return { before, after: holdOwnedServices(before, ownersOfPlan(before, est, options.rules ?? NO_OWNER_RULES), options.allowAll ?? false) };
}

describe('holding services infrastructure code owns', () => {
  it('moves the owned server\'s steps out of what apply runs, with the owner and why', () => {
    const { before, after } = held(shop());
    const ownSteps = before.steps.filter((s) => s.ecsService === 'c/payments');
    expect(ownSteps.length).toBeGreaterThan(0);
    expect(after.steps.some((s) => s.ecsService === 'c/payments')).toBe(false);
    expect(after.held!.steps).toEqual(expect.arrayContaining(ownSteps));
    const payments = after.held!.services.find((h) => h.service === 'payments')!;
    expect(payments.owner).toMatchObject({ tool: 'cloudformation', stack: 'shop-payments', logicalId: 'PaymentsService' });
    expect(payments.reason).toContain('owned by CloudFormation stack shop-payments (logical id PaymentsService): its next deploy');
    expect(after.services.find((s) => s.service === 'payments')).toMatchObject({ status: 'held', owner: { stack: 'shop-payments' } });
  });

  it('holds the clients waiting for it, transitively, naming the server they wait for; leaves independent services to apply', () => {
    const { after } = held(shop());
    expect(after.held!.services.map((h) => [h.service, h.waitsFor ?? []])).toEqual([['orders', ['c/payments']], ['payments', []], ['web', ['c/orders']]]);
    expect(after.held!.services.find((h) => h.service === 'orders')!.reason).toContain('its move waits for c/payments, held (servers before clients');
    expect(after.held!.services.find((h) => h.service === 'orders')!.owner).toBeUndefined();
    expect(after.steps.map((s) => s.ecsService)).toEqual(expect.arrayContaining(['c/catalog']));
    expect(after.steps.every((s) => s.ecsService === 'c/catalog' || !s.ecsService)).toBe(true);
    // Every step apply runs depends only on steps apply runs.
    const ids = new Set(after.steps.map((s) => s.id));
    for (const step of after.steps) for (const d of step.dependsOn) expect(ids.has(d), `${step.id} → ${d}`).toBe(true);
    expect(schedulePlan(after).moves.map((m) => m.label)).toEqual(['c/catalog']);
    expect(after.summary).toMatchObject({ held: 3, update: after.steps.filter((s) => s.action === 'update').length });
  });

  it('leaves apply\'s drift check to what it still moves: the owner deploying the held change does not make the plan stale', () => {
    const { before, after } = held(shop());
    const arns = (p: Plan) => Object.keys(p.observed.services).map((a) => a.split('/').pop()).sort();
    expect(arns(before)).toEqual(['catalog', 'orders', 'payments', 'web']);
    expect(arns(after)).toEqual(['catalog']);
  });

  it('holds a shared step only held services need (a namespace to create), keeps it when apply still needs it', () => {
    const none = held(shop({ namespace: false }), { config: { cloudMap: { namespace: 'shop.local' } } }).after;
    expect(none.steps.some((s) => s.operation === 'CreateHttpNamespace')).toBe(true);
    const est = shop({ namespace: false });
    for (const svc of est.clusters[0]!.services) svc.tags = STACK;
    const all = held(est, { config: { cloudMap: { namespace: 'shop.local' } } }).after;
    expect(all.steps).toEqual([]);
    expect(all.held!.steps.some((s) => s.operation === 'CreateHttpNamespace')).toBe(true);
  });

  it('holds nothing with --allow-iac-owned or the owner\'s allowMove, and still names the owners', () => {
    for (const options of [{ allowAll: true }, { rules: { ...NO_OWNER_RULES, cloudformation: { allowMove: true } } }]) {
      const { before, after } = held(shop(), options);
      expect(after.held).toBeUndefined();
      expect(after.steps).toEqual(before.steps);
      expect(after.summary.held).toBeUndefined();
      expect(after.services.find((s) => s.service === 'payments')).toMatchObject({ status: 'change', owner: { stack: 'shop-payments' } });
    }
  });

  it('is covered by the fingerprint: a saved plan reads back, and one whose hold was edited away is refused', () => {
    const { after } = held(shop());
    const text = stableStringify(after, 2);
    expect(parsePlan(text, 'plan.json').held).toEqual(after.held);
    const edited = JSON.parse(text) as Plan;
    edited.steps.push(...edited.held!.steps);
    delete edited.held;
    expect(() => parsePlan(JSON.stringify(edited), 'plan.json')).toThrow('the plan was edited after it was made');
  });

  it('is said by plan text and apply\'s dry run; apply does not refuse held services for their precheck errors', () => {
    const est = shop();
    // payments would not fit its EC2 hosts: an error apply refuses without --force, were it moving.
    const { after } = held(est);
    after.services.find((s) => s.service === 'payments')!.findings.push({ rule: 'cpu-memory-headroom', severity: 'error', cluster: 'c', service: 'payments', message: 'x', hint: 'y' });
    expect(refusedWithoutForce(after)).toEqual([]);
    const dry = dryRunResult(after, false) as { held: { service: string }[]; steps: { id: string }[] };
    expect(dry.held.map((h) => h.service)).toEqual(['orders', 'payments', 'web']);
    const text = renderPlanText(after, 'test', {});
    expect(text).toContain('‖ c/payments');
    expect(text).toContain('held: apply leaves it to its owner');
    expect(text).toContain('owner: CloudFormation stack shop-payments (logical id PaymentsService)');
    expect(text).toMatch(/c\/orders: its move waits for c\/payments, held/);
    expect(text).toMatch(/; 3 held for infrastructure code \(\d+ operation\(s\) apply leaves to the owners\)\./);
  });
});
