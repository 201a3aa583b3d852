// The rollback planner: pure data in, a plan out, no AWS.
import { describe, expect, it } from 'vitest';
import { validateInput } from '../support/sdk-shapes.js';
import type { Journal, JournalService } from '../../src/apply/journal.js';
import { recordRollback } from '../../src/apply/record-in-apply-journal.js';
import { iamPolicy } from '../../src/core/iam-policy.js';
import { parsePlan } from '../../src/core/plan/plan-file.js';
import { planRollback, type RollbackInput } from '../../src/core/plan/rollback.js';
import { schedulePlan } from '../../src/core/plan/schedule.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { service, taskDefinition } from '../support/estate-builder.js';

const TD = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3';
const GREEN_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing-sc/9';

function entry(name: string, overrides: Partial<JournalService> = {}): JournalService {
  return { cluster: 'c', service: name, serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/c/${name}`, previousTaskDefinition: TD(name, 1), previousServiceRegistries: [], newTaskDefinition: TD(name, 2), state: 'stable', ...overrides };
}

const journal: Journal = {
  formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:apply', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '',
  services: {
    'c/orders': entry('orders'),
    'c/pricing': entry('pricing', { greenService: 'pricing-sc', newTaskDefinition: TD('pricing-sc', 1) }),
  },
  steps: {},
  created: [
    { step: 'namespace:shop', service: 'servicediscovery', kind: 'Namespace', identity: { Id: 'ns-1' } },
    { step: 'ecs-green-service:c/pricing', service: 'ecs', kind: 'EcsService', identity: { cluster: 'c', service: 'pricing-sc' }, ecsService: 'c/pricing' },
    { step: 'target-group:c/pricing', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: GREEN_TG }, ecsService: 'c/pricing' },
    { step: 'scaling-target:c/pricing', service: 'application-autoscaling', kind: 'ScalableTarget', identity: { ServiceNamespace: 'ecs', ResourceId: 'service/c/pricing-sc', ScalableDimension: 'ecs:service:DesiredCount' }, ecsService: 'c/pricing' },
  ],
  restores: [{ step: 'weights:rule', service: 'elbv2', operation: 'ModifyRule', input: { RuleArn: RULE, Actions: [{ Type: 'forward', TargetGroupArn: 'blue' }] }, ecsService: 'c/pricing' }],
};

function input(overrides: Partial<RollbackInput> = {}): RollbackInput {
  const orders = service(taskDefinition({ family: 'orders' }), { taskDefinitionArn: TD('orders', 2), serviceConnect: { enabled: true, namespace: 'shop' } });
  const pricing = service(taskDefinition({ family: 'pricing' }));
  return {
    region: 'us-east-1', account: '123456789012', createdAt: '2026-12-01T00:00:00Z', journal: { path: '.meshctl/journal-a.json', data: journal },
    moves: [{ label: 'c/orders', live: orders, to: TD('orders', 1), entry: journal.services['c/orders']! }],
    greens: [{ label: 'c/pricing', live: pricing, entry: journal.services['c/pricing']! }],
    edgeActions: { [RULE]: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'blue', Weight: 100 }, { TargetGroupArn: GREEN_TG, Weight: 0 }] } }] },
    alreadyBack: [], keepRevision: false, removeMeshResources: false, notes: [],
    ...overrides,
  };
}

const byId = (plan: ReturnType<typeof planRollback>, id: string) => plan.steps.find((s) => s.id === id)!;

describe('planRollback', () => {
  it('puts an in-place service back, Service Connect off as it was, and deregisters the revision it leaves only after its rollout', () => {
    const plan = planRollback(input());
    // Registries and Service Connect go back to what the journal recorded before apply.
    expect(byId(plan, 'rollback:c/orders').input).toEqual({ cluster: 'c', service: 'orders', taskDefinition: TD('orders', 1), serviceRegistries: [], serviceConnectConfiguration: { enabled: false } });
    expect(byId(plan, 'deregister:c/orders')).toMatchObject({ operation: 'DeregisterTaskDefinition', input: { taskDefinition: TD('orders', 2) }, dependsOn: ['rollback:c/orders'], action: 'delete' });
    const { moves } = schedulePlan(plan);
    expect(moves.flatMap((m) => m.afterRollout.map((s) => s.id))).toEqual(['deregister:c/orders', 'deregister-green:c/pricing']);
    expect(moves.flatMap((m) => m.steps.map((s) => s.id))).not.toContain('deregister:c/orders');
  });

  it('blue-green: restores the listener rule, then deletes the green service, then its target group, and deregisters the green revision', () => {
    const plan = planRollback(input());
    expect(byId(plan, 'restore:weights:rule')).toMatchObject({ operation: 'ModifyRule', input: { RuleArn: RULE, Actions: [{ Type: 'forward', TargetGroupArn: 'blue' }] } });
    // The twin stops scaling before it is deleted.
    expect(byId(plan, 'delete:scaling-target:c/pricing')).toMatchObject({ operation: 'DeregisterScalableTarget', input: { ServiceNamespace: 'ecs', ResourceId: 'service/c/pricing-sc', ScalableDimension: 'ecs:service:DesiredCount' } });
    expect(byId(plan, 'delete:ecs-green-service:c/pricing')).toMatchObject({ operation: 'DeleteService', input: { cluster: 'c', service: 'pricing-sc', force: true }, dependsOn: ['restore:weights:rule', 'delete:scaling-target:c/pricing'] });
    expect(byId(plan, 'delete:target-group:c/pricing').dependsOn).toEqual(['restore:weights:rule', 'delete:ecs-green-service:c/pricing']);
    expect(byId(plan, 'deregister-green:c/pricing').input).toEqual({ taskDefinition: TD('pricing-sc', 1) });
    // The rule is observed as it is now, so apply refuses the rollback plan if someone re-weighted it since.
    expect(plan.observed.edge![RULE]).toBe(stableStringify(input().edgeActions[RULE]));
  });

  it('blue-green: deletes the step-scaling alarms apply copied for the twin, before the twin, and lists none as left in place', () => {
    const alarm = { step: 'scaling-alarm:c/pricing:pricing-cpu-high', service: 'cloudwatch' as const, kind: 'MetricAlarm', identity: { AlarmName: 'pricing-cpu-high-sc' }, ecsService: 'c/pricing' };
    const plan = planRollback(input({ journal: { path: '.meshctl/journal-a.json', data: { ...journal, created: [...journal.created, alarm] } } }));
    expect(byId(plan, 'delete:scaling-alarm:c/pricing:pricing-cpu-high')).toMatchObject({
      service: 'cloudwatch', operation: 'DeleteAlarms', input: { AlarmNames: ['pricing-cpu-high-sc'] }, dependsOn: ['restore:weights:rule'], resource: 'CloudWatch alarm pricing-cpu-high-sc',
    });
    expect(byId(plan, 'delete:ecs-green-service:c/pricing').dependsOn).toContain('delete:scaling-alarm:c/pricing:pricing-cpu-high');
    expect(plan.rollback!.leftInPlace).toEqual(['Cloud Map namespace ns-1']);
    expect(validateInput('cloudwatch', 'DeleteAlarms', byId(plan, 'delete:scaling-alarm:c/pricing:pricing-cpu-high').input)).toEqual([]);
  });

  it('says what it leaves behind without --remove-mesh-resources, and deletes it with the flag once every service is back', () => {
    expect(planRollback(input()).rollback).toEqual({ journal: '.meshctl/journal-a.json', leftInPlace: ['Cloud Map namespace ns-1'] });
    const removing = planRollback(input({ removeMeshResources: true }));
    expect(byId(removing, 'delete:namespace:shop')).toMatchObject({ service: 'servicediscovery', operation: 'DeleteNamespace', input: { Id: 'ns-1' }, dependsOn: ['rollback:c/orders'] });
    // Not every service of the journal is back: the shared namespace stays.
    const partial = planRollback(input({ removeMeshResources: true, greens: [] }));
    expect(partial.steps.some((s) => s.id === 'delete:namespace:shop')).toBe(false);
    expect(partial.rollback!.leftInPlace).toEqual(['Cloud Map namespace ns-1 (services of the journal still on it)']);
  });

  it('keeps revisions with --keep-revision, counts updates and deletes, and round-trips as a plan file', () => {
    const kept = planRollback(input({ keepRevision: true }));
    expect(kept.steps.some((s) => s.operation === 'DeregisterTaskDefinition')).toBe(false);
    const plan = planRollback(input());
    expect(plan.summary).toMatchObject({ create: 0, update: 2, delete: 5 });
    expect(parsePlan(JSON.stringify(plan), 'rollback.json')).toEqual(plan);
  });

  it('a rollback plan file carrying anything but rollback operations is refused', () => {
    const plan = planRollback(input());
    const tampered = { ...plan, steps: [...plan.steps, { ...plan.steps[0]!, id: 'x', operation: 'RegisterTaskDefinition', dependsOn: [] }] };
    expect(() => parsePlan(JSON.stringify(tampered), 'rollback.json')).toThrow(/never plans ecs RegisterTaskDefinition \(step x\) for a rollback/);
  });
});

describe('iam-policy of a rollback plan', () => {
  it('allows every operation the plan sends', () => {
    const plan = planRollback(input({ removeMeshResources: true }));
    const prefix: Record<string, string> = { ecs: 'ecs', elbv2: 'elasticloadbalancing', servicediscovery: 'servicediscovery', 'application-autoscaling': 'application-autoscaling', appmesh: 'appmesh' };
    const allowed = iamPolicy(plan).Statement.flatMap((s) => s.Action);
    for (const step of plan.steps) expect(allowed, step.id).toContain(`${prefix[step.service]}:${step.operation}`);
    expect(iamPolicy(plan).Statement.find((s) => s.Sid === 'MeshctlDeleteServices')!.Resource).toEqual(['arn:aws:ecs:us-east-1:123456789012:service/c/pricing-sc']);
  });
});

describe('recordRollback', () => {
  it('marks the services the rollback put back and forgets what it deleted and restored', () => {
    const plan = planRollback(input());
    const applied: Journal = structuredClone(journal);
    const done = Object.fromEntries(plan.steps.map((s) => [s.id, { status: 'done' as const }]));
    recordRollback(applied, plan, { ...journal, services: {}, steps: done, undoes: '.meshctl/journal-a.json' }, '.meshctl/journal-b.json');
    expect(Object.values(applied.services).map((s) => s.state)).toEqual(['rolled-back', 'rolled-back']);
    expect(applied.created.map((c) => c.step)).toEqual(['namespace:shop']);
    expect(applied.restores).toEqual([]);
  });
});
