// apply's schedule: each service starts as soon as its own servers'
// deployments completed, at most N in flight as a sliding window, the
// longest remaining chain first. Simulated on a clock over seeded deployment
// times (test/support/schedule-simulation.ts): pure, no timers.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import { blockedMoves, schedulePlan, startNow, waitingMoves } from '../../src/core/plan/schedule.js';
import { scheduleLine } from '../../src/cli/progress.js';
import { makespanLowerBound, seededEstate, simulate, waveMakespan } from '../support/schedule-simulation.js';

/** A plan moving each service (register, update), each update after its servers' updates, in the order given. */
function planOf(servers: Record<string, string[]>): Plan {
  const step = (id: string, operation: string, label: string, dependsOn: string[]) => ({ id, service: 'ecs', operation, input: {}, dependsOn, action: 'update', resource: id, ecsService: `c/${label}` });
  return {
    services: Object.keys(servers).map((s) => ({ cluster: 'c', service: s })),
    steps: Object.entries(servers).flatMap(([s, calls]) => [step(`td:${s}`, 'RegisterTaskDefinition', s, []), step(`svc:${s}`, 'UpdateService', s, [`td:${s}`, ...calls.map((c) => `svc:${c}`)])]),
  } as unknown as Plan;
}

const labelled = (seconds: Record<string, number>) => new Map(Object.entries(seconds).map(([s, t]) => [`c/${s}`, t]));
const NONE = new Set<string>();

describe('apply\'s schedule', () => {
  it('starts a client of a fast server as soon as that server completed, never waiting for an unrelated slow service', () => {
    const { moves } = schedulePlan(planOf({ slow: [], fast: [], client: ['fast'] }));
    const durations = labelled({ slow: 60, fast: 5, client: 10 });
    for (const cap of [2, 3, 10]) {
      const run = simulate(moves, durations, cap);
      expect(run.starts.get('c/client'), `cap ${cap}`).toBe(5);
      expect(run.makespan).toBe(60);
    }
    // The waves it replaces: the client waited for the slow service's wave.
    expect(waveMakespan(moves, ['c/slow', 'c/fast', 'c/client'], durations, 10)).toBe(70);
  });

  it('starts every service of a seeded estate exactly when its last server completed, with no cap to wait for', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { servers, seconds } = seededEstate(seed, 40);
      const { moves } = schedulePlan(planOf(Object.fromEntries(servers)));
      const run = simulate(moves, new Map([...seconds].map(([s, t]) => [`c/${s}`, t])), 1000);
      for (const m of moves) expect(run.starts.get(m.label), `seed ${seed} ${m.label}`).toBe(Math.max(0, ...m.servers.map((s) => run.ends.get(s)!)));
    }
  });

  it('never has more than N deployments in flight, and refills a freed slot at once (a sliding window, not batches)', () => {
    for (const seed of [11, 12, 13, 14, 15]) {
      const { servers, seconds } = seededEstate(seed, 40);
      const { moves } = schedulePlan(planOf(Object.fromEntries(servers)));
      const durations = new Map([...seconds].map(([s, t]) => [`c/${s}`, t]));
      for (const cap of [1, 2, 3, 5, 8]) {
        const run = simulate(moves, durations, cap);
        expect(run.peak, `seed ${seed} cap ${cap}`).toBeLessThanOrEqual(cap);
        // At every moment something started, the moves in flight (started, not ended) are at most the cap.
        for (const at of new Set(run.starts.values())) {
          const flying = moves.filter((m) => run.starts.get(m.label)! <= at && run.ends.get(m.label)! > at).length;
          expect(flying, `seed ${seed} cap ${cap} at ${at}`).toBeLessThanOrEqual(cap);
        }
      }
    }
    // Five independent services under a cap of 2: each starts the moment a slot frees, not when a batch of two is done.
    const { moves } = schedulePlan(planOf({ a: [], b: [], c: [], d: [], e: [] }));
    const run = simulate(moves, labelled({ a: 10, b: 30, c: 10, d: 10, e: 10 }), 2);
    expect(['a', 'b', 'c', 'd', 'e'].map((s) => run.starts.get(`c/${s}`))).toEqual([0, 0, 10, 20, 30]);
    expect(run.makespan).toBe(40);
  });

  it('starts the longest chain first (critical path), ties in the plan\'s order', () => {
    // The plan lists the short, independent services first.
    const { moves } = schedulePlan(planOf({ d: [], e: [], a: [], b: ['a'], c: ['b'] }));
    expect(moves.map((m) => [m.label, m.chain])).toEqual([['c/a', 3], ['c/b', 2], ['c/d', 1], ['c/e', 1], ['c/c', 1]]);
    expect(startNow(moves, { completed: NONE, failed: NONE, inFlight: NONE }, 2)).toEqual(['c/a', 'c/d']);
    const durations = labelled({ a: 10, b: 10, c: 10, d: 10, e: 10 });
    expect(simulate(moves, durations, 2).makespan).toBe(30);
    expect(makespanLowerBound(moves, durations, 2)).toBe(30);
  });

  it('stays within 1.15× the lower bound on seeded estates of 5–60 s deployments, where the waves did not', () => {
    for (const seed of [21, 22, 23]) {
      const { servers, seconds } = seededEstate(seed, 60);
      const { moves } = schedulePlan(planOf(Object.fromEntries(servers)));
      const durations = new Map([...seconds].map(([s, t]) => [`c/${s}`, t]));
      const bound = makespanLowerBound(moves, durations, 8);
      expect(simulate(moves, durations, 8).makespan / bound, `seed ${seed}`).toBeLessThanOrEqual(1.15);
      expect(waveMakespan(moves, [...servers.keys()].map((s) => `c/${s}`), durations, 8) / bound, `seed ${seed}`).toBeGreaterThan(1.3);
    }
  });

  it('says what waits on what, and never starts the clients of a failed service', () => {
    const { moves } = schedulePlan(planOf({ a: [], b: ['a'], c: ['b'], d: [], e: [] }));
    const state = { completed: new Set(['c/d']), failed: NONE, inFlight: new Set(['c/a']) };
    expect(waitingMoves(moves, state)).toEqual([{ label: 'c/b', on: ['c/a'] }, { label: 'c/c', on: ['c/b'] }, { label: 'c/e', on: [] }]);
    expect(scheduleLine({ inFlight: ['c/a'], waiting: waitingMoves(moves, state) })).toBe('in flight: c/a · waiting: c/b (on c/a), c/c (on c/b), c/e (for a slot)');
    const failed = { completed: NONE, failed: new Set(['c/a']), inFlight: NONE };
    expect([...blockedMoves(moves, failed)]).toEqual(['c/b', 'c/c']);
    expect(startNow(moves, failed, 10)).toEqual(['c/d', 'c/e']);
    expect(waitingMoves(moves, failed).map((w) => w.label)).toEqual(['c/d', 'c/e']);
  });

  it('refuses services that wait for each other in a cycle rather than wait forever', () => {
    const plan = planOf({ a: [], b: [] });
    plan.steps.find((s) => s.id === 'svc:a')!.dependsOn.push('svc:b');
    plan.steps.find((s) => s.id === 'svc:b')!.dependsOn.push('svc:a');
    expect(() => schedulePlan(plan)).toThrow(/wait for each other in a cycle/);
  });
});
