// A saved plan runs exactly as reviewed: its fingerprint covers every field
// apply reads (every field of the plan model, filled in below), and each kind
// of plan may send only its own operations.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/checks/rule.js';
import { planFingerprint, sealPlan } from '../../src/core/plan/fingerprint.js';
import type { HeldService, ObservedState, Plan, PlannedService, PlannedServiceConnect, PlanStep } from '../../src/core/plan/model.js';
import type { ServiceOwner } from '../../src/core/owner.js';
import { parsePlan, PlanFileError } from '../../src/core/plan/plan-file.js';
import type { PlannedUsage } from '../../src/core/usage.js';

const finding: Required<Finding> = { rule: 'eni-capacity', severity: 'warning', cluster: 'c', service: 'orders', message: 'm', hint: 'h', blocking: false };

// Every field of a step, a planned service and the observed state: a field the model gains must be added here (Required<…>), and is then covered.
const step: Required<PlanStep> = {
  id: 'task-definition:c/orders', service: 'ecs', operation: 'RegisterTaskDefinition', input: { family: 'orders', containerDefinitions: [{ name: 'orders', image: 'orders:1' }] },
  dependsOn: [], account: '123456789012', action: 'create', resource: 'task definition orders', ecsService: 'c/orders',
  before: { image: 'orders:0' }, sourceTaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1', awaits: 'rollout',
};
const update: PlanStep = {
  id: 'service:c/orders', service: 'ecs', operation: 'UpdateService', input: { cluster: 'c', service: 'orders', taskDefinition: { $ref: step.id, path: 'taskDefinition.taskDefinitionArn' } },
  dependsOn: [step.id], action: 'update', resource: 'service c/orders',
};
const owner: Required<ServiceOwner> = {
  name: 'cloudformation', tool: 'cdk', stack: 'shop', stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/shop/1', logicalId: 'Orders1A2B3C4D',
  taskDefinitionLogicalId: 'OrdersTask5E6F7A8B', copilot: { application: 'shop', environment: 'prod', service: 'orders' }, workspace: 'prod', taggedOn: 'service', allowMove: false,
};
const planned: Required<PlannedService> = {
  cluster: 'c', service: 'orders', account: '123456789012', status: 'change', taskDefinition: 'orders:1', owner, launch: 'FARGATE', capacityProviders: ['FARGATE'], desiredCount: 2,
  virtualNode: 'orders', mesh: 'shop', virtualService: 'orders.shop.local',
  serviceConnect: {
    namespace: 'shop.local', strategy: 'blue-green', why: 'no listener rule of its own', deployment: { strategy: 'CANARY', bakeTimeInMinutes: 10 }, greenService: 'orders-sc', aliases: ['orders.shop.local:8080'],
  } satisfies Required<PlannedServiceConnect>,
  notes: ['a note'], router: { name: 'orders', targets: [{ virtualNode: 'orders', weight: 100 }] },
  backends: [{ virtualService: 'payments.shop.local', inferred: true, from: 'PAYMENTS_URL' }],
  parity: ['retries'], rollout: { position: 1, after: ['c/payments'], outside: [{ name: 'ledger.shop.local', server: 'other/ledger' }] }, findings: [finding],
  usage: { window: '14d', memoryMiB: 900, cpuUnits: 300, requestsPerSecond: 620, missing: 'no data', since: '2026-11-20T00:00:00.000Z' } satisfies Required<PlannedUsage>,
};
const observed: Required<ObservedState> = {
  services: { 'c/orders': { taskDefinition: 'orders:1', deployments: ['ecs-svc/1'] } },
  meshResources: { 'mesh/shop': 3, 'mesh/shop/virtualNode/new': null },
  cloudMap: { 'shop.local': 'ns-1', 'shop.local/new': null },
  edge: { 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3': '[{"Type":"forward"}]' },
};

/** A plan with every field of the model set. */
function fullPlan(): Plan {
  const plan: Required<Omit<Plan, 'fingerprint'>> = {
    formatVersion: 1, tool: 'meshctl', target: 'service-connect', region: 'us-east-1', account: '123456789012', accounts: { '123456789012': 'caller' },
    createdAt: '2026-12-01T00:00:00.000Z', mesh: 'shop', observed, steps: [step, update], services: [planned],
    blocked: [{ cluster: 'c', service: 'reports', findings: [finding] }],
    held: { services: [{ cluster: 'c', service: 'ledger', account: '123456789012', owner, waitsFor: ['c/payments'], reason: 'its owner deploys it' } satisfies Required<HeldService>], steps: [{ ...update, id: 'service:c/ledger' }] },
    warnings: ['App Mesh could not be read'],
    rollback: { journal: '.meshctl/journal-a.json', leftInPlace: ['App Mesh Mesh shop'] }, finalize: { journal: '.meshctl/journal-a.json' },
    summary: { create: 1, update: 1, delete: 0, unchanged: 0, blocked: 1, held: 1 },
  };
  return sealPlan(structuredClone(plan));
}

/** Every path to a value in the plan (array items and object fields), but the two the fingerprint leaves out. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (path.length === 1 && (path[0] === 'createdAt' || path[0] === 'fingerprint')) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

function edited(plan: Plan, path: (string | number)[]): Plan {
  const copy = structuredClone(plan) as unknown as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  const key = path[path.length - 1]!;
  const old = parent[key];
  parent[key] = typeof old === 'number' ? old + 1 : typeof old === 'boolean' ? !old : old === null ? 0 : `${String(old)}-edited`;
  return copy as unknown as Plan;
}

const parse = (plan: Plan) => () => parsePlan(JSON.stringify(plan), 'plan.json');

describe('the plan fingerprint', () => {
  it('changes with any value anywhere in the plan but its creation time', () => {
    const plan = fullPlan();
    const paths = leafPaths(plan);
    // Every top-level field but createdAt and fingerprint holds at least one value.
    expect(new Set(paths.map((p) => p[0]))).toEqual(new Set(Object.keys(plan).filter((k) => k !== 'createdAt' && k !== 'fingerprint')));
    for (const path of paths) expect(planFingerprint(edited(plan, path)), path.join('.')).not.toBe(plan.fingerprint);
    expect(planFingerprint({ ...plan, createdAt: 'later' })).toBe(plan.fingerprint);
  });

  it('changes when a field or an entry is added or removed', () => {
    const plan = fullPlan();
    for (const field of ['accounts', 'held', 'warnings', 'rollback', 'finalize'] as const) {
      const { [field]: _dropped, ...without } = plan;
      expect(planFingerprint(without as Plan), field).not.toBe(plan.fingerprint);
    }
    expect(planFingerprint({ ...plan, services: [...plan.services, { ...planned, service: 'web' }] })).not.toBe(plan.fingerprint);
    expect(planFingerprint({ ...plan, services: [] })).not.toBe(plan.fingerprint);
    expect(planFingerprint({ ...plan, steps: [...plan.steps, { ...update, id: 'service:c/web' }] })).not.toBe(plan.fingerprint);
  });
});

describe('parsePlan refuses an edited plan', () => {
  /** A migration plan apply would run: no rollback or finalize fields. */
  const migration = (): Plan => {
    const { fingerprint: _f, rollback: _r, finalize: _z, ...rest } = fullPlan();
    return sealPlan(rest);
  };

  it('accepts it as made', () => {
    expect(parse(migration())).not.toThrow();
  });

  it('refuses an edit of the services apply reads: a revision, a green twin, a rollout order, a service added or dropped', () => {
    const edits: ((p: Plan) => void)[] = [
      (p) => { p.services[0]!.taskDefinition = 'orders:9'; },
      (p) => { p.services[0]!.serviceConnect!.greenService = 'orders-green'; },
      (p) => { p.services[0]!.rollout = { position: 0, after: [] }; },
      (p) => { p.services[0]!.status = 'unchanged'; },
      (p) => { p.services.push({ ...planned, service: 'web' }); },
      (p) => { p.services.pop(); },
    ];
    for (const edit of edits) {
      const plan = migration();
      edit(plan);
      expect(parse(plan), edit.toString()).toThrow(/plan\.json: the plan was edited after it was made/);
    }
  });

  it('refuses an edit of every other field apply reads', () => {
    const plan = migration();
    for (const path of leafPaths(plan)) expect(parse(edited(plan, path)), path.join('.')).toThrow(PlanFileError);
  });
});

describe('each kind of plan sends only its own operations', () => {
  const withStep = (plan: Plan, service: PlanStep['service'], operation: string): Plan => {
    const { fingerprint: _f, ...rest } = plan;
    return sealPlan({ ...rest, steps: [...plan.steps, { id: `added:${operation}`, service, operation, input: {}, dependsOn: [], action: 'delete', resource: 'x' }] });
  };
  const ofKind = (kind: 'appmesh' | 'service-connect' | 'rollback' | 'finalize'): Plan => {
    const { fingerprint: _f, rollback: _r, finalize: _z, ...rest } = fullPlan();
    const steps = kind === 'rollback' || kind === 'finalize'
      ? [{ id: 'update', service: 'ecs' as const, operation: 'UpdateService', input: {}, dependsOn: [], action: 'update' as const, resource: 'x' }]
      : rest.steps;
    return sealPlan({
      ...rest, steps, target: kind === 'appmesh' ? 'appmesh' : 'service-connect',
      ...(kind === 'rollback' && { rollback: { journal: '.meshctl/journal-a.json', leftInPlace: [] } }),
      ...(kind === 'finalize' && { finalize: { journal: '.meshctl/journal-a.json' } }),
    });
  };

  it('accepts each kind with operations of its own', () => {
    for (const kind of ['appmesh', 'service-connect', 'rollback', 'finalize'] as const) expect(parse(ofKind(kind)), kind).not.toThrow();
    expect(parse(withStep(ofKind('finalize'), 'appmesh', 'DeleteVirtualNode'))).not.toThrow();
    expect(parse(withStep(ofKind('rollback'), 'servicediscovery', 'DeleteNamespace'))).not.toThrow();
  });

  it('refuses a finalize plan carrying DeleteNamespace or DeleteMesh, which only a rollback sends', () => {
    expect(parse(withStep(ofKind('finalize'), 'servicediscovery', 'DeleteNamespace'))).toThrow(/meshctl never plans servicediscovery DeleteNamespace \(step added:DeleteNamespace\) for a finalize; refusing the plan/);
    expect(parse(withStep(ofKind('finalize'), 'appmesh', 'DeleteMesh'))).toThrow(/meshctl never plans appmesh DeleteMesh .* for a finalize/);
  });

  it('refuses an operation another kind sends', () => {
    expect(parse(withStep(ofKind('finalize'), 'ecs', 'CreateService'))).toThrow(/ecs CreateService .* for a finalize/);
    expect(parse(withStep(ofKind('finalize'), 'ecs', 'RegisterTaskDefinition'))).toThrow(/ecs RegisterTaskDefinition .* for a finalize/);
    expect(parse(withStep(ofKind('rollback'), 'ecs', 'RegisterTaskDefinition'))).toThrow(/ecs RegisterTaskDefinition .* for a rollback/);
    expect(parse(withStep(ofKind('rollback'), 'elbv2', 'CreateTargetGroup'))).toThrow(/elbv2 CreateTargetGroup .* for a rollback/);
    expect(parse(withStep(ofKind('service-connect'), 'appmesh', 'CreateMesh'))).toThrow(/appmesh CreateMesh .* for target service-connect/);
    expect(parse(withStep(ofKind('service-connect'), 'servicediscovery', 'DeleteNamespace'))).toThrow(/servicediscovery DeleteNamespace .* for target service-connect/);
    expect(parse(withStep(ofKind('appmesh'), 'ecs', 'CreateService'))).toThrow(/ecs CreateService .* for target appmesh/);
    expect(parse(withStep(ofKind('appmesh'), 'appmesh', 'DeleteVirtualNode'))).toThrow(/appmesh DeleteVirtualNode .* for target appmesh/);
  });
});
