// A saved plan runs exactly as reviewed: structure, allowed operations and the
// fingerprint over everything apply acts on.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { planFingerprint } from '../../src/core/plan/fingerprint.js';
import type { Plan } from '../../src/core/plan/model.js';
import { parsePlan } from '../../src/core/plan/plan-file.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

function saved(): Plan {
  const td = taskDefinition({ family: 'web', containerDefinitions: [container({ name: 'web', environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }] })] });
  const est = estate({ services: [[service(td, { serviceRegistries: [] }), td]] });
  return planServiceConnect({
    estate: est, config: parseConfig({ cloudMap: { namespace: 'shop.local' } }, 't'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} },
    createdAt: 'now', strategy: 'blue-green', removeMeshResources: false,
  });
}
const parse = (plan: unknown) => () => parsePlan(JSON.stringify(plan), 'plan.json');

describe('parsePlan', () => {
  it('accepts a plan as made, whatever its creation time', () => {
    const plan = saved();
    expect(parse(plan)).not.toThrow();
    expect(parse({ ...plan, createdAt: 'later' })).not.toThrow();
    expect(planFingerprint(plan)).toBe(plan.fingerprint);
  });

  it('refuses a plan edited after it was made: an input, the observed state, or the fingerprint itself', () => {
    const image = saved();
    (image.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input.containerDefinitions as { image: string }[])[0]!.image = 'evil:1';
    expect(parse(image)).toThrow(/the plan was edited after it was made/);
    expect(parse({ ...saved(), observed: { services: {}, meshResources: {}, cloudMap: {} } })).toThrow(/edited after it was made/);
    expect(parse({ ...saved(), fingerprint: `sha256:${'0'.repeat(64)}` })).toThrow(/edited after it was made/);
    expect(parse({ ...saved(), account: '999999999999' })).toThrow(/edited after it was made/);
  });

  it('refuses by name an operation meshctl never plans, before checking anything else', () => {
    const plan = saved();
    plan.steps.push({ id: 'evil', service: 'ecs', operation: 'DeleteService', input: { cluster: 'c', service: 'web' }, dependsOn: [], action: 'update', resource: 'x' });
    plan.fingerprint = planFingerprint(plan);
    expect(parse(plan)).toThrow(/meshctl never plans ecs DeleteService \(step evil\) for target service-connect/);
  });

  it('names structural faults instead of failing on them', () => {
    expect(parse({ ...saved(), steps: { a: 1 } })).toThrow(/plan\.json: steps is not a list/);
    expect(parse({ ...saved(), services: 'x' })).toThrow(/services is not a list/);
    expect(parse({ ...saved(), observed: [] })).toThrow(/observed needs services, meshResources and cloudMap objects/);
    expect(parse({ ...saved(), target: 'istio' })).toThrow(/target "istio" is not one of appmesh, service-connect/);
    expect(parse({ ...saved(), steps: [42] })).toThrow(/a step is not an object/);
  });
});
