import { describe, expect, it } from 'vitest';
import { createDeploymentWatch } from '../../src/apply/deployment-watch.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import { deploymentOutcome } from '../../src/core/deployment-status.js';
import type { Deployment } from '../../src/core/estate.js';
import { drift, observedDeployments } from '../../src/core/plan/drift.js';
import type { ObservedState, Plan } from '../../src/core/plan/model.js';
import { sealPlan } from '../../src/core/plan/fingerprint.js';
import { parsePlan } from '../../src/core/plan/plan-file.js';
import { resolveRefs, showRefs } from '../../src/core/plan/refs.js';
import { schedulePlan } from '../../src/core/plan/schedule.js';
import { restoreSecrets } from '../../src/core/restore-secrets.js';
import { parseDuration } from '../../src/util/duration.js';
import { service, taskDefinition } from '../support/estate-builder.js';

const NEW = 'arn:aws:ecs:us-east-1:1:task-definition/web:2';
const OLD = 'arn:aws:ecs:us-east-1:1:task-definition/web:1';
const deployment = (overrides: Partial<Deployment>): Deployment => ({ id: 'd', status: 'PRIMARY', taskDefinition: NEW, desiredCount: 2, runningCount: 2, ...overrides });
const withDeployments = (deployments: Deployment[]) => service(taskDefinition(), { deployments });

describe('deploymentOutcome', () => {
  it('completes only when the PRIMARY deployment of our revision reports COMPLETED', () => {
    expect(deploymentOutcome(withDeployments([deployment({ rolloutState: 'COMPLETED' })]), NEW)).toEqual({ state: 'completed' });
    expect(deploymentOutcome(withDeployments([deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1 }), deployment({ status: 'ACTIVE', taskDefinition: OLD })]), NEW))
      .toEqual({ state: 'in-progress', running: 1, desired: 2, rolloutState: 'IN_PROGRESS' });
  });

  it('fails on rolloutState FAILED', () => {
    expect(deploymentOutcome(withDeployments([deployment({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })]), NEW))
      .toEqual({ state: 'failed', reason: 'tasks failed to start' });
  });

  it('fails when a circuit breaker put the old revision back, although that deployment is COMPLETED', () => {
    const outcome = deploymentOutcome(withDeployments([
      deployment({ taskDefinition: OLD, rolloutState: 'COMPLETED' }),
      deployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker: rolling back' }),
    ]), NEW);
    expect(outcome).toEqual({ state: 'failed', reason: expect.stringContaining('back on web:1 (circuit-breaker rollback') });
  });
});

describe('the deployment watch', () => {
  it('settles each service on its own and times out the slow one', async () => {
    let clock = 0;
    let polls = 0;
    const aws: AwsCaller = {
      async call<T>(): Promise<T> {
        polls += 1;
        const raw = (name: string, rolloutState: string) => ({
          serviceName: name, status: 'ACTIVE', taskDefinition: NEW, desiredCount: 1, runningCount: 0,
          deployments: [{ id: name, status: 'PRIMARY', taskDefinition: NEW, desiredCount: 1, runningCount: 0, rolloutState }],
          events: [{ message: `${name} event` }],
        });
        return { services: [raw('fast', polls >= 2 ? 'COMPLETED' : 'IN_PROGRESS'), raw('slow', 'IN_PROGRESS')] } as T;
      },
    };
    const targets = ['fast', 'slow'].map((s) => ({ label: `c/${s}`, cluster: 'c', service: s, taskDefinition: NEW }));
    const watch = createDeploymentWatch(() => aws, { timeoutMs: 30_000, pollMs: 10_000, now: () => clock, sleep: async (ms) => { clock += ms; } });
    const results = await Promise.all(targets.map((t) => watch.watch({ kind: 'rollout', ...t })));
    expect(results).toEqual([
      { label: 'c/fast', outcome: 'completed', events: [] },
      { label: 'c/slow', outcome: 'timeout', reason: 'still IN_PROGRESS after 30s (0/1 running)', events: ['slow event'] },
    ]);
  });

  it('looks at services that started at different times in the same DescribeServices calls', async () => {
    let clock = 0;
    const asked: string[][] = [];
    const aws: AwsCaller = {
      async call<T>(_service: string, _operation: string, input: unknown): Promise<T> {
        const names = (input as { services: string[] }).services;
        asked.push(names);
        const raw = (name: string) => ({
          serviceName: name, status: 'ACTIVE', taskDefinition: NEW, desiredCount: 1, runningCount: 0,
          deployments: [{ id: name, status: 'PRIMARY', taskDefinition: NEW, desiredCount: 1, runningCount: 0, rolloutState: clock >= 60_000 ? 'COMPLETED' : 'IN_PROGRESS' }],
        });
        return { services: names.map(raw) } as T;
      },
    };
    const watch = createDeploymentWatch(() => aws, { timeoutMs: 600_000, pollMs: 10_000, now: () => clock, sleep: async (ms) => { clock += ms; await new Promise((r) => setImmediate(r)); } });
    const first = watch.watch({ kind: 'rollout', label: 'c/a', cluster: 'c', service: 'a', taskDefinition: NEW });
    while (asked.length < 2) await new Promise((r) => setImmediate(r));
    const second = watch.watch({ kind: 'rollout', label: 'c/b', cluster: 'c', service: 'b', taskDefinition: NEW });
    expect((await Promise.all([first, second])).map((r) => r.outcome)).toEqual(['completed', 'completed']);
    // Each is looked at once on arrival; after that, every look asks for both in one call.
    const afterArrival = asked.slice(asked.findIndex((names) => names.includes('b')) + 1);
    expect(afterArrival.length).toBeGreaterThan(0);
    expect(afterArrival.every((names) => names.length === 2)).toBe(true);
  });
});

describe('plan files', () => {
  const plan = sealPlan({
    formatVersion: 1, tool: 'meshctl', target: 'appmesh', region: 'r', account: '1', createdAt: 'now', mesh: 'm',
    observed: { services: {}, meshResources: {}, cloudMap: {} }, services: [], blocked: [], summary: { create: 0, update: 1, delete: 0, unchanged: 0, blocked: 0 },
    steps: [{ id: 'a', service: 'ecs', operation: 'UpdateService', input: {}, dependsOn: [], action: 'update', resource: 'x' }],
  });

  it('reads a valid plan', () => {
    expect(parsePlan(JSON.stringify(plan), 'p.json').steps).toHaveLength(1);
  });

  it('names what is wrong with a bad one', () => {
    expect(() => parsePlan('{', 'p.json')).toThrow('p.json is not valid JSON');
    expect(() => parsePlan('{"tool":"other"}', 'p.json')).toThrow('p.json is not a meshctl plan');
    expect(() => parsePlan(JSON.stringify({ ...plan, formatVersion: 9 }), 'p.json')).toThrow('format version 9');
    expect(() => parsePlan(JSON.stringify({ ...plan, steps: [{ ...plan.steps[0], dependsOn: ['later'] }] }), 'p.json')).toThrow('depends on later, which is not an earlier step');
  });
});

describe('observed deployments', () => {
  const deployment = (id: string, status: string, rolloutState: string, td = 'arn:aws:ecs:r:1:task-definition/web:2'): Deployment => ({ id, status, taskDefinition: td, desiredCount: 2, runningCount: 1, rolloutState });
  it('do not change when a deployment completes or an old one drains between plan and apply; a new deployment does', () => {
    const td = taskDefinition({ family: 'web' });
    const planned = observedDeployments(service(td, { deployments: [deployment('d2', 'PRIMARY', 'IN_PROGRESS'), deployment('d1', 'ACTIVE', 'COMPLETED', 'arn:aws:ecs:r:1:task-definition/web:1')] }));
    const completed = observedDeployments(service(td, { deployments: [deployment('d2', 'PRIMARY', 'COMPLETED')] }));
    expect(completed).toEqual(planned);
    const redeployed = observedDeployments(service(td, { deployments: [deployment('d3', 'PRIMARY', 'IN_PROGRESS'), deployment('d2', 'ACTIVE', 'COMPLETED')] }));
    expect(redeployed).not.toEqual(planned);
  });
});

describe('drift', () => {
  const observed: ObservedState = {
    services: { 'arn:aws:ecs:r:1:service/c/web': { taskDefinition: OLD, deployments: ['d1 PRIMARY web:1'] } },
    meshResources: { 'mesh/m': null, 'virtualNode/web': 3 },
    cloudMap: { 'namespace/shop.local': 'ns-1' },
  };

  it('lists every change since the plan', () => {
    const now: ObservedState = {
      services: { 'arn:aws:ecs:r:1:service/c/web': { taskDefinition: NEW, deployments: ['d2 PRIMARY web:2'] } },
      meshResources: { 'mesh/m': 1, 'virtualNode/web': 4 },
      cloudMap: { 'namespace/shop.local': null },
    };
    expect(drift(observed, now)).toEqual([
      'service c/web now runs web:2 (planned from web:1)',
      'App Mesh mesh/m was created since the plan',
      'App Mesh virtualNode/web changed (version 3 → 4)',
      'Cloud Map namespace/shop.local was deleted since the plan',
    ]);
  });

  it('sees a listener rule the plan re-weights changed or deleted', () => {
    const withEdge: ObservedState = { ...observed, edge: { 'arn:aws:elasticloadbalancing:r:1:listener-rule/app/lb/1/2/3': '[{"Type":"forward"}]' } };
    const changed = { ...withEdge, edge: { 'arn:aws:elasticloadbalancing:r:1:listener-rule/app/lb/1/2/3': '[{"Type":"fixed-response"}]' } };
    expect(drift(withEdge, changed)).toEqual(['load-balancer rule 2/3 changed its actions since the plan']);
    expect(drift(withEdge, { ...withEdge, edge: { 'arn:aws:elasticloadbalancing:r:1:listener-rule/app/lb/1/2/3': '' } })).toEqual(['load-balancer rule 2/3 was deleted since the plan']);
    expect(drift(withEdge, changed, new Set(['edge:arn:aws:elasticloadbalancing:r:1:listener-rule/app/lb/1/2/3']))).toEqual([]);
  });

  it('ignores what a resumed apply changed itself', () => {
    const now = structuredClone(observed);
    now.meshResources['mesh/m'] = 1;
    expect(drift(observed, now, new Set(['meshResources:mesh/m']))).toEqual([]);
    expect(drift(observed, structuredClone(observed))).toEqual([]);
  });
});

describe('output references', () => {
  it('resolves from earlier outputs and refuses what is missing', () => {
    const outputs = new Map<string, unknown>([['td', { taskDefinition: { taskDefinitionArn: NEW } }]]);
    expect(resolveRefs({ service: 'web', taskDefinition: { $ref: 'td', path: 'taskDefinition.taskDefinitionArn' } }, outputs)).toEqual({ service: 'web', taskDefinition: NEW });
    expect(() => resolveRefs({ x: { $ref: 'nope', path: 'a' } }, outputs)).toThrow('no a in the output of step nope');
    expect(showRefs({ list: [{ $ref: 'td', path: 'taskDefinition.taskDefinitionArn' }] })).toEqual({ list: ['<taskDefinition.taskDefinitionArn of td>'] });
  });
});

describe('restoreSecrets', () => {
  it('takes masked values back from the source revision, matching containers and variables by name', () => {
    const planned = { family: 'web', containerDefinitions: [
      { name: 'envoy', environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn' }] },
      { name: 'web', environment: [{ name: 'DB_PASSWORD', value: '****' }, { name: 'URL', value: 'postgres://u:****@h/db' }, { name: 'PLAIN', value: 'x' }] },
    ] };
    const source = { containerDefinitions: [{ name: 'web', environment: [{ name: 'PLAIN', value: 'x' }, { name: 'URL', value: 'postgres://u:pw@h/db' }, { name: 'DB_PASSWORD', value: 'hunter2' }] }] };
    const restored = restoreSecrets(planned, source);
    expect(restored.containerDefinitions[1]!.environment).toEqual([
      { name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'URL', value: 'postgres://u:pw@h/db' }, { name: 'PLAIN', value: 'x' },
    ]);
    expect(restored.containerDefinitions[0]!.environment).toEqual([{ name: 'APPMESH_RESOURCE_ARN', value: 'arn' }]);
  });
});

describe('schedulePlan', () => {
  it('runs mesh resources once, then each service\'s own steps as one move', () => {
    const step = (id: string, operation: string, ecsService?: string) => ({ id, service: 'ecs' as const, operation, input: {}, dependsOn: [], action: 'create' as const, resource: id, ecsService });
    const plan = {
      services: ['a', 'b', 'c'].map((s) => ({ cluster: 'c', service: s })),
      steps: [step('mesh', 'CreateMesh'), ...['a', 'b', 'c'].flatMap((s) => [step(`vn-${s}`, 'CreateVirtualNode', `c/${s}`), step(`td-${s}`, 'RegisterTaskDefinition', `c/${s}`), step(`svc-${s}`, 'UpdateService', `c/${s}`)])],
    } as unknown as Plan;
    const { shared, moves } = schedulePlan(plan);
    expect(shared.map((s) => s.id)).toEqual(['mesh', 'vn-a', 'vn-b', 'vn-c']);
    expect(moves.map((m) => [m.label, m.servers])).toEqual([['c/a', []], ['c/b', []], ['c/c', []]]);
    expect(moves[2]!.steps.map((s) => s.id)).toEqual(['td-c', 'svc-c']);
  });
});

describe('durations', () => {
  it('parses the usual forms and names a bad one', () => {
    expect(parseDuration('90s', '--x')).toBe(90_000);
    expect(parseDuration('1h30m', '--x')).toBe(5_400_000);
    expect(parseDuration('250ms', '--x')).toBe(250);
    expect(() => parseDuration('soon', '--wait-timeout')).toThrow('--wait-timeout soon is not a duration');
  });
});
