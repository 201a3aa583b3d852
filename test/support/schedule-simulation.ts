// Runs apply's schedule on a simulated clock, for the unit tests and the
// benchmark: each move takes its deployment time from start to completion,
// and nothing else takes time. Also what the wave scheduler apply had before
// would have taken for the same moves and times. Pure, seeded, no timers.
import { startNow, type ServiceMove } from '../../src/core/plan/schedule.js';

export interface Simulated {
  makespan: number;
  starts: Map<string, number>;
  ends: Map<string, number>;
  /** The most moves in flight at any moment. */
  peak: number;
}

export function simulate(moves: ServiceMove[], durations: Map<string, number>, cap: number): Simulated {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const completed = new Set<string>();
  const inFlight = new Map<string, number>();
  let now = 0;
  let peak = 0;
  for (;;) {
    for (const label of startNow(moves, { completed, failed: new Set(), inFlight: new Set(inFlight.keys()) }, cap)) {
      starts.set(label, now);
      inFlight.set(label, now + durations.get(label)!);
    }
    peak = Math.max(peak, inFlight.size);
    if (inFlight.size === 0) break;
    now = Math.min(...inFlight.values());
    for (const [label, end] of inFlight) {
      if (end !== now) continue;
      inFlight.delete(label);
      completed.add(label);
      ends.set(label, now);
    }
  }
  return { makespan: now, starts, ends, peak };
}

/**
 * The waves apply used to run: levels of the dependency graph, each cut into
 * batches of `cap` in the plan's order, every batch waiting for its slowest
 * deployment before the next starts.
 */
export function waveMakespan(moves: ServiceMove[], planOrder: string[], durations: Map<string, number>, cap: number): number {
  const byLabel = new Map(moves.map((m) => [m.label, m]));
  const level = new Map<string, number>();
  const levelOf = (label: string): number => {
    if (!level.has(label)) level.set(label, Math.max(0, ...byLabel.get(label)!.servers.map((s) => levelOf(s) + 1)));
    return level.get(label)!;
  };
  const ordered = planOrder.filter((label) => byLabel.has(label));
  let total = 0;
  for (const l of [...new Set(ordered.map(levelOf))].sort((a, b) => a - b)) {
    const atLevel = ordered.filter((label) => levelOf(label) === l);
    for (let i = 0; i < atLevel.length; i += cap) total += Math.max(...atLevel.slice(i, i + cap).map((label) => durations.get(label)!));
  }
  return total;
}

/** The shortest any schedule can take: the longest chain of deployment times, or all of them spread over the cap. */
export function makespanLowerBound(moves: ServiceMove[], durations: Map<string, number>, cap: number): number {
  const byLabel = new Map(moves.map((m) => [m.label, m]));
  const finish = new Map<string, number>();
  const earliest = (label: string): number => {
    if (!finish.has(label)) finish.set(label, durations.get(label)! + Math.max(0, ...byLabel.get(label)!.servers.map(earliest)));
    return finish.get(label)!;
  };
  const longestChain = Math.max(0, ...moves.map((m) => earliest(m.label)));
  const total = [...moves].reduce((sum, m) => sum + durations.get(m.label)!, 0);
  return Math.max(longestChain, total / cap);
}

/** A seeded pseudo-random source in [0, 1) (mulberry32): the same seed, the same estate. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded estate's call graph and deployment times: `count` services, each
 * calling up to two of the services before it (so chains form), each
 * deployment taking 5 to 60 seconds.
 */
export function seededEstate(seed: number, count: number): { servers: Map<string, string[]>; seconds: Map<string, number> } {
  const random = seeded(seed);
  const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(2, '0')}`);
  const servers = new Map<string, string[]>();
  const seconds = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const calls = new Set<string>();
    for (let k = 0; k < 2 && i > 0; k += 1) if (random() < 0.55) calls.add(names[Math.floor(random() * i)]!);
    servers.set(name, [...calls].sort());
    seconds.set(name, 5 + Math.round(random() * 55));
  }
  return { servers, seconds };
}
