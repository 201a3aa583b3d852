// The summary table a reviewer reads first, and its Fargate cost estimate.
import { describe, expect, it } from 'vitest';
import { fargateMonthlyCost } from '../../src/core/fargate-prices.js';
import type { Plan } from '../../src/core/plan/model.js';
import { renderPlanSummary } from '../../src/render/plan-summary.js';

describe('Fargate cost', () => {
  it('prices vCPU-hours and GB-hours at the dated us-east-1 table, 730 hours a month, x86 and ARM', () => {
    expect(fargateMonthlyCost('us-east-1', 'X86_64', { cpu: 1024, memory: 2048 }, 1)).toBeCloseTo((0.04048 + 2 * 0.004445) * 730, 6);
    expect(fargateMonthlyCost('us-east-1', 'ARM64', { cpu: 1024, memory: 2048 }, 2)).toBeCloseTo((0.03238 + 2 * 0.00356) * 730 * 2, 6);
    expect(fargateMonthlyCost('eu-west-3', 'X86_64', { cpu: 1024, memory: 2048 }, 1)).toBeUndefined();
  });
});

describe('plan summary', () => {
  it('has one row per service: action, size before → after, cost change, what apply refuses, order', () => {
    const plan = {
      target: 'service-connect', region: 'us-east-1',
      steps: [
        { id: 'task-definition:c/web', ecsService: 'c/web', operation: 'RegisterTaskDefinition', service: 'ecs', sourceTaskDefinition: 'arn:web:1', input: { cpu: '512', memory: '1024' }, dependsOn: [], action: 'create', resource: '' },
        { id: 'task-definition:c/api', ecsService: 'c/api', operation: 'RegisterTaskDefinition', service: 'ecs', sourceTaskDefinition: 'arn:api:1', input: { memory: '1088' }, dependsOn: [], action: 'create', resource: '' },
      ],
      services: [
        { cluster: 'c', service: 'web', status: 'change', launch: 'FARGATE', desiredCount: 2, findings: [], rollout: { position: 2, after: ['c/api'] }, backends: [], taskDefinition: 'web:1' },
        { cluster: 'c', service: 'api', status: 'change', launch: 'EC2', desiredCount: 1, findings: [{ rule: 'agent-version', severity: 'error' }], rollout: { position: 1, after: [] }, backends: [], taskDefinition: 'api:1' },
      ],
    } as unknown as Plan;
    const text = renderPlanSummary(plan, { 'arn:web:1': { cpu: '256', memory: '512' }, 'arn:api:1': {} });
    const web = text.split('\n').find((l) => l.startsWith('c/web'))!;
    const api = text.split('\n').find((l) => l.startsWith('c/api'))!;
    expect(web).toMatch(/update in place\s+256\/512 → 512\/1024\s+\+\$\d+\.\d\d\s+2 \(after c\/api\)/);
    const expected = (((0.5 * 0.04048 + 1 * 0.004445) - (0.25 * 0.04048 + 0.5 * 0.004445)) * 730 * 2).toFixed(2);
    expect(web).toContain(`+$${expected}`);
    expect(api).toMatch(/-\/- → -\/1088\s+EC2\s+agent-version\s+1/);
    expect(text).toContain('prices of 2026-11-26');
  });
});
