// The plan summary's Fargate estimate says where it does not apply: the
// table holds Linux on-demand prices, so Fargate Spot services and Windows
// tasks are named as not estimated, never priced as Linux on-demand.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import type { Plan } from '../../src/core/plan/model.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { renderPlanSummary } from '../../src/render/plan-summary.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const register = (name: string) => ({ id: `task-definition:c/${name}`, ecsService: `c/${name}`, operation: 'RegisterTaskDefinition', service: 'ecs', sourceTaskDefinition: `arn:${name}:1`, input: { cpu: '1024', memory: '2048' }, dependsOn: [], action: 'create', resource: '' });
const planned = (name: string, extra: Record<string, unknown> = {}) => ({ cluster: 'c', service: name, status: 'change', launch: 'FARGATE', desiredCount: 2, findings: [], backends: [], taskDefinition: `${name}:1`, ...extra });

describe('the Fargate estimate', () => {
  const plan = {
    target: 'service-connect', region: 'us-east-1',
    steps: [register('web'), register('batch'), register('legacy')],
    services: [planned('web'), planned('batch', { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }), planned('legacy')],
  } as unknown as Plan;
  const before = {
    'arn:web:1': { cpu: '512', memory: '1024' },
    'arn:batch:1': { cpu: '512', memory: '1024' },
    'arn:legacy:1': { cpu: '512', memory: '1024', runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } },
  };
  const text = renderPlanSummary(plan, before);
  const row = (name: string) => text.split('\n').find((l) => l.startsWith(`c/${name}`))!;

  it('prices Linux on-demand tasks, and names Fargate Spot and Windows as not estimated instead of pricing them', () => {
    expect(row('web')).toMatch(/\+\$\d+\.\d\d/);
    expect(row('batch')).toContain('not estimated (Fargate Spot)');
    expect(row('legacy')).toContain('not estimated (Windows)');
    expect(text).toContain('Not in the estimate: Fargate Spot (c/batch): Spot prices move, the table holds on-demand ones; Windows (c/legacy): Windows adds an OS license the Linux table does not hold.');
  });

  it('leaves them out of the total', () => {
    const web = row('web').match(/\+\$(\d+\.\d\d)/)![1];
    expect(text).toContain(`total +$${web} a month`);
  });
});

describe('planned services', () => {
  it('carry the capacity providers their tasks are placed with: their own strategy, else the cluster\'s default', () => {
    const td = taskDefinition({ family: 'batch', containerDefinitions: [container({ memory: 512 })] });
    const own = service(td, { name: 'batch', launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], serviceRegistries: [] });
    const td2 = taskDefinition({ family: 'jobs', containerDefinitions: [container({ memory: 512 })] });
    const byDefault = service(td2, { name: 'jobs', launchType: undefined, serviceRegistries: [] });
    const est = estate({ services: [[own, td], [byDefault, td2]], cluster: { defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE' }, { capacityProvider: 'FARGATE_SPOT' }] } });
    const p = planServiceConnect({ estate: est, config: parseConfig({ cloudMap: { namespace: 'shop.local' } }, 'test'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: 'now', strategy: 'blue-green', removeMeshResources: false });
    expect(p.services.map((s) => [s.service, s.launch, s.capacityProviders])).toEqual([['batch', 'FARGATE', ['FARGATE_SPOT']], ['jobs', 'FARGATE', ['FARGATE', 'FARGATE_SPOT']]]);
  });
});
