// How apply runs services against their deployments, against a scripted ECS
// whose deployments end as each test says (what moto cannot do, and the moto
// tests take 3–10 s each to show): a client moves only once its server's
// deployment completed, --no-wait or not; a failed deployment stops what
// waits for it, a vanished service stops nothing; a revision a rollback
// leaves is deregistered only once that rollout completed; a service whose
// revision was deregistered since planning is not moved.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, type ApplyOptions } from '../../src/apply/apply-plan.js';
import { JOURNAL_FORMAT_VERSION, JournalStore, type JournalService } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';
import { AwsCallError, type AwsCaller, type AwsInput } from '../../src/aws/caller.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { estate } from '../support/estate-builder.js';

type Ending = 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
const TD = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

/** ECS with services on revision 1 of their family, whose deployments end as `endings` says (else COMPLETED). */
function scriptedEcs(names: string[], endings: Record<string, Ending> = {}, vanished: string[] = []) {
  const calls: string[] = [];
  const services = new Map(names.map((n) => [n, { taskDefinition: TD(n, 1), rollout: 'COMPLETED' as Ending }]));
  const revisions = new Map<string, 'ACTIVE' | 'INACTIVE'>(names.map((n) => [TD(n, 1), 'ACTIVE']));
  const aws: AwsCaller = {
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      const name = String(input.service ?? input.family ?? input.taskDefinition ?? (input.services as string[] | undefined)?.join(','));
      calls.push(`${operation} ${name.split('/').pop()}`);
      if (operation === 'RegisterTaskDefinition') {
        const arn = TD(String(input.family), [...revisions.keys()].filter((a) => a.includes(`/${input.family}:`)).length + 1);
        revisions.set(arn, 'ACTIVE');
        return { taskDefinition: { taskDefinitionArn: arn, family: input.family, status: 'ACTIVE' } } as T;
      }
      if (operation === 'UpdateService') {
        if (vanished.includes(name)) throw new AwsCallError('ecs', operation, 'ServiceNotFoundException', 'Service not found.');
        Object.assign(services.get(name)!, { taskDefinition: input.taskDefinition, rollout: endings[name] ?? 'COMPLETED' });
        return { service: { serviceName: name, taskDefinition: input.taskDefinition } } as T;
      }
      if (operation === 'DescribeServices') {
        return { services: (input.services as string[]).map((n) => {
          const s = services.get(n)!;
          return {
            serviceName: n, status: 'ACTIVE', taskDefinition: s.taskDefinition, desiredCount: 1, runningCount: s.rollout === 'COMPLETED' ? 1 : 0,
            deployments: [{ id: `d-${n}`, status: 'PRIMARY', taskDefinition: s.taskDefinition, rolloutState: s.rollout, desiredCount: 1, runningCount: 0, ...(s.rollout === 'FAILED' && { rolloutStateReason: 'tasks failed to start' }) }],
          };
        }) } as T;
      }
      if (operation === 'DescribeTaskDefinition') return { taskDefinition: { taskDefinitionArn: input.taskDefinition, status: revisions.get(String(input.taskDefinition)) ?? 'INACTIVE' } } as T;
      if (operation === 'DeregisterTaskDefinition') {
        revisions.set(String(input.taskDefinition), 'INACTIVE');
        return { taskDefinition: { taskDefinitionArn: input.taskDefinition, status: 'INACTIVE' } } as T;
      }
      throw new Error(`unscripted ${operation}`);
    },
  };
  return { aws, calls, revisions, updated: () => calls.filter((c) => c.startsWith('UpdateService ')).map((c) => c.split(' ')[1]) };
}

const register = (name: string): PlanStep => ({
  id: `task-definition:c/${name}`, service: 'ecs', operation: 'RegisterTaskDefinition', input: { family: name, containerDefinitions: [{ name, image: `${name}:2` }] },
  dependsOn: [], action: 'create', resource: name, ecsService: `c/${name}`, sourceTaskDefinition: TD(name, 1),
});
const update = (name: string, servers: string[] = []): PlanStep => ({
  id: `ecs-service:c/${name}`, service: 'ecs', operation: 'UpdateService',
  input: { cluster: 'c', service: name, taskDefinition: { $ref: `task-definition:c/${name}`, path: 'taskDefinition.taskDefinitionArn' } },
  dependsOn: [`task-definition:c/${name}`, ...servers.map((s) => `ecs-service:c/${s}`)], action: 'update', resource: name, ecsService: `c/${name}`,
});

/** A plan of these steps for these services (a rollback plan with `rollback`). */
function plan(names: string[], steps: PlanStep[], rollback = false): Plan {
  return {
    formatVersion: 1, tool: 'meshctl', target: 'service-connect', region: 'us-east-1', account: '123456789012', createdAt: 'now', mesh: '', fingerprint: 'sha256:x',
    observed: { services: {}, meshResources: {}, cloudMap: {} }, steps, blocked: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 },
    services: names.map((service) => ({ cluster: 'c', service, status: 'change', taskDefinition: `${service}:1`, backends: [], findings: [] })),
    ...(rollback && { rollback: { journal: '.meshctl/journal-a.json', leftInPlace: [] } }),
  };
}
/** A migration moving each service after the servers it calls. */
const migration = (moves: Record<string, string[]>) => plan(Object.keys(moves), Object.entries(moves).flatMap(([name, servers]) => [register(name), update(name, servers)]));

async function apply(p: Plan, ecs: ReturnType<typeof scriptedEcs>, options: Partial<ApplyOptions> = {}, journal: Record<string, Partial<JournalService>> = {}) {
  const services = Object.fromEntries(p.services.map(({ service }) => [`c/${service}`, {
    cluster: 'c', service, serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/c/${service}`, previousTaskDefinition: TD(service, 1), previousServiceRegistries: [], state: 'pending',
    ...journal[service],
  } as JournalService]));
  const store = new JournalStore({ state: localState(await mkdtemp(join(tmpdir(), 'meshctl-rollouts-'))), name: 'journal.json' }, {
    formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: 'now', updatedAt: '', services, steps: {}, created: [],
  });
  const report = await applyPlan([{ name: 'caller', aws: ecs.aws, home: true }], p, estate({ services: [] }), store, { concurrency: 4, maxInFlight: 10, wait: false, timeoutMs: 300, pollMs: 10, ...options });
  return { report, store };
}

describe('apply and the deployments it starts', () => {
  it('moves a client only once its server\'s deployment completed, even with --no-wait', async () => {
    const ecs = scriptedEcs(['payments', 'orders']);
    const { report } = await apply(migration({ payments: [], orders: ['payments'] }), ecs);
    expect(report.failures).toEqual([]);
    expect(ecs.updated()).toEqual(['payments', 'orders']);
    // Between the two updates, payments' deployment was read, and read COMPLETED.
    const between = ecs.calls.slice(ecs.calls.indexOf('UpdateService payments'), ecs.calls.indexOf('UpdateService orders'));
    expect(between).toContain('DescribeServices payments');
  });

  it('never moves the client of a server whose deployment does not complete, or fails', async () => {
    for (const ending of ['IN_PROGRESS', 'FAILED'] as const) {
      const ecs = scriptedEcs(['payments', 'orders'], { payments: ending });
      const { report, store } = await apply(migration({ payments: [], orders: ['payments'] }), ecs);
      expect(ecs.updated(), ending).toEqual(['payments']);
      expect(report.rollouts).toEqual([expect.objectContaining({ label: 'c/payments', outcome: ending === 'FAILED' ? 'failed' : 'timeout' })]);
      expect(report.notStarted).toEqual(['c/orders']);
      expect(store.journal.services['c/payments']!.state).toBe('failed');
    }
  });

  it('reports a service deleted under it and goes on with the others, its clients included', async () => {
    const ecs = scriptedEcs(['payments', 'orders', 'web'], {}, ['payments']);
    const { report } = await apply(migration({ payments: [], web: [], orders: ['web'] }), ecs, { maxInFlight: 1 });
    expect(report.failures.map((f) => [f.step.id, (f.error as AwsCallError).code])).toEqual([['ecs-service:c/payments', 'ServiceNotFoundException']]);
    expect(report.notStarted).toEqual([]);
    // Every service was tried (which first is the scheduler's: the longest chain), orders after its server web.
    expect([...ecs.updated()].sort()).toEqual(['orders', 'payments', 'web']);
    expect(ecs.updated().indexOf('orders')).toBeGreaterThan(ecs.updated().indexOf('web'));
  });

  it('does not move a service whose current revision was deregistered after planning (rollback could not bring it back), and moves the others', async () => {
    const ecs = scriptedEcs(['payments', 'orders']);
    ecs.revisions.set(TD('orders', 1), 'INACTIVE');
    const { report, store } = await apply(migration({ payments: [], orders: [] }), ecs);
    expect(report.refused).toEqual([{ label: 'c/orders', reason: expect.stringContaining('its current revision orders:1 is INACTIVE (deregistered after planning)') }]);
    expect(ecs.calls.filter((c) => c.endsWith(' orders') && !c.startsWith('Describe'))).toEqual([]);
    expect(ecs.updated()).toEqual(['payments']);
    expect(store.journal.services['c/orders']!.state).toBe('failed');
  });
});

describe('a rollback and the revisions it leaves', () => {
  const rollbackOf = (names: string[]) => plan(names, names.flatMap((name) => [
    { id: `rollback:c/${name}`, service: 'ecs', operation: 'UpdateService', input: { cluster: 'c', service: name, taskDefinition: TD(name, 1) }, dependsOn: [], action: 'update', resource: name, ecsService: `c/${name}` },
    { id: `deregister:c/${name}`, service: 'ecs', operation: 'DeregisterTaskDefinition', input: { taskDefinition: TD(name, 2) }, dependsOn: [`rollback:c/${name}`], action: 'delete', resource: name, ecsService: `c/${name}` },
  ] as PlanStep[]), true);

  it('deregisters the revision a service leaves once its rollout completed, and keeps it when the rollout failed', async () => {
    const ecs = scriptedEcs(['payments', 'orders'], { payments: 'FAILED' });
    // Both on revision 2 (the apply being rolled back).
    await ecs.aws.call('ecs', 'RegisterTaskDefinition', { family: 'payments' });
    await ecs.aws.call('ecs', 'RegisterTaskDefinition', { family: 'orders' });
    const { report } = await apply(rollbackOf(['payments', 'orders']), ecs, { wait: true }, {
      payments: { newTaskDefinition: TD('payments', 2), state: 'stable' }, orders: { newTaskDefinition: TD('orders', 2), state: 'stable' },
    });
    expect(report.rollouts.map((r) => [r.label, r.outcome]).sort()).toEqual([['c/orders', 'completed'], ['c/payments', 'failed']]);
    expect(ecs.revisions.get(TD('orders', 2))).toBe('INACTIVE');
    expect(ecs.revisions.get(TD('payments', 2))).toBe('ACTIVE');
    // Deregistering came after the rollout was read complete.
    const reads = ecs.calls.flatMap((c, i) => (c.startsWith('DescribeServices') && c.includes('orders') ? [i] : []));
    expect(reads.length).toBeGreaterThan(0);
    expect(ecs.calls.indexOf('DeregisterTaskDefinition orders:2')).toBeGreaterThan(Math.max(...reads));
  });
});
