// finalize removes blue only once green has carried all the traffic, on
// every rule and listener, for the whole bake time (a clock passed in), and
// no service still on App Mesh calls blue's names through it.
import { describe, expect, it } from 'vitest';
import type { MeshSpecs } from '../../src/core/appmesh/specs.js';
import { appMeshCallers, finalizeRefusal, providedBy, type FinalizeReadiness } from '../../src/core/cutover/finalize-readiness.js';
import { localTime } from '../../src/util/local-time.js';

const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3';
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/1/2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing/1';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing-sc/2';
const weighted = (green: number) => [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 100 - green }, { TargetGroupArn: GREEN, Weight: green }] } }];

const SINCE = '2026-12-01T10:00:00.000Z';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (minutesAfterSince: number) => Date.parse(SINCE) + minutesAfterSince * MINUTE;

function readiness(overrides: Partial<FinalizeReadiness> = {}): FinalizeReadiness {
  return {
    pairs: [{ label: 'c/pricing', cluster: 'c', blue: 'pricing', green: 'pricing-sc', greenTargetGroup: GREEN, edges: [{ arn: RULE, blueTargetGroup: BLUE }, { arn: LISTENER, blueTargetGroup: BLUE }] }],
    edgeActions: { [RULE]: weighted(100), [LISTENER]: weighted(100) },
    shift: { weight: 100, since: SINCE, state: 'done' },
    journalPath: '.meshctl/journal-a.json',
    bakeMs: HOUR,
    now: at(120),
    ...overrides,
  };
}

describe('finalize readiness', () => {
  it('lets blue go once green carried 100% on every edge for the bake time', () => {
    expect(finalizeRefusal(readiness())).toBeUndefined();
  });

  it('refuses at any weight below 100, on the rule or the listener, naming it', () => {
    for (const green of [0, 1, 50, 99]) {
      expect(finalizeRefusal(readiness({ edgeActions: { [RULE]: weighted(green), [LISTENER]: weighted(100) } }))).toBe(
        `pricing-sc carries ${green}% on 2/3, not 100%: finish the shift first (meshctl shift --to 100)`);
      expect(finalizeRefusal(readiness({ edgeActions: { [RULE]: weighted(100), [LISTENER]: weighted(green) } }))).toMatch(new RegExp(`carries ${green}% on 1/2, not 100%`));
    }
    // A rule that no longer forwards to green, or that is gone.
    expect(finalizeRefusal(readiness({ edgeActions: { [RULE]: [{ Type: 'forward', TargetGroupArn: BLUE }], [LISTENER]: weighted(100) } }))).toMatch(/carries no% on 2\/3/);
    expect(finalizeRefusal(readiness({ edgeActions: { [LISTENER]: weighted(100) } }))).toMatch(/carries no% on 2\/3/);
  });

  it('compares the bake time in the same unit as the clock: 59 minutes of a 1 h bake are refused, 61 are enough', () => {
    expect(finalizeRefusal(readiness({ now: at(59) }))).toBe(
      `green has carried all traffic for 3540s, less than the bake time (3600s): run finalize again after ${localTime('2026-12-01T11:00:00.000Z')}, or pass a shorter --bake`);
    expect(finalizeRefusal(readiness({ now: at(61) }))).toBeUndefined();
    expect(finalizeRefusal(readiness({ now: at(60) }))).toBeUndefined();
    expect(finalizeRefusal(readiness({ now: at(60) - 1 }))).toMatch(/less than the bake time/);
    // --bake 0s: at once.
    expect(finalizeRefusal(readiness({ now: at(0), bakeMs: 0 }))).toBeUndefined();
  });

  it('refuses without a record of green at 100% since a known time: none, a lower weight, a step back', () => {
    const notRecorded = '.meshctl/journal-a.json does not record green at 100%: meshctl shift records when green took all the traffic, and finalize waits for the bake time from then';
    expect(finalizeRefusal(readiness({ shift: undefined }))).toBe(notRecorded);
    expect(finalizeRefusal(readiness({ shift: { weight: 50, since: SINCE, state: 'shifting' } }))).toBe(notRecorded);
    expect(finalizeRefusal(readiness({ shift: { weight: 100, since: SINCE, state: 'stepped-back' } }))).toBe(notRecorded);
    // A journal edited by hand: no time to count the bake from.
    expect(finalizeRefusal(readiness({ shift: { weight: 100, since: 'yesterday', state: 'done' } }))).toBe(notRecorded);
  });
});

describe('App Mesh clients of the blue service', () => {
  const provider = (node: string) => ({ version: 1, spec: { provider: { virtualNode: { virtualNodeName: node } } } });
  const calling = (...names: string[]) => ({ version: 1, spec: { backends: names.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })) } });
  const specs: MeshSpecs = {
    virtualNodes: { pricing: { version: 1, spec: {} }, inventory: calling('prices.shop.local', 'stock.shop.local'), checkout: calling('pricing.shop.local'), reports: calling('stock.shop.local'), web: calling() },
    virtualServices: { 'pricing.shop.local': provider('pricing'), 'prices.shop.local': provider('pricing'), 'stock.shop.local': provider('stock') },
    virtualRouters: {}, routes: {},
  };

  it('are the services whose virtual node calls any name blue\'s node provides, with the names they call', () => {
    expect(providedBy(specs, 'pricing')).toEqual(['prices.shop.local', 'pricing.shop.local']);
    const clients = [{ label: 'c/inventory', node: 'inventory' }, { label: 'c/checkout', node: 'checkout' }, { label: 'c/reports', node: 'reports' }, { label: 'c/web', node: 'web' }, { label: 'c/gone', node: 'gone' }];
    expect(appMeshCallers(specs, providedBy(specs, 'pricing'), clients)).toEqual([{ label: 'c/inventory', called: ['prices.shop.local'] }, { label: 'c/checkout', called: ['pricing.shop.local'] }]);
    expect(appMeshCallers(specs, providedBy(specs, 'stock'), clients).map((c) => c.label)).toEqual(['c/inventory', 'c/reports']);
    expect(appMeshCallers(specs, [], clients)).toEqual([]);
  });
});
