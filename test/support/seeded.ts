// A seeded estate for an integration test, fast. The first time a moto
// server needs a seed, it is seeded (the demo: about 70 calls, a second or
// more of moto's time) and snapshotted: moto's state (moto-server.py) and
// what the test proxy's stand-ins kept of the seeding calls they saw. Every
// later call restores both, in about 0.1 s, and hands over a new proxy that
// starts from the stand-ins as the seed left them. A snapshot outlives moto's
// resets, so every file a vitest worker runs restores the seed the first one
// made. Tests start from the same state either way; test/integration/
// seeded.test.ts proves a restore plans exactly as a fresh seed does.
import { emptyStandIns, startAwsProxy, type AwsProxy, type ProxyOptions, type StandInState } from './aws-proxy.js';
import { seedDemoEstate, type SeededDemo } from './demo-estate.js';
import type { Moto } from './moto.js';
import { seedTwoAccounts } from './two-accounts-estate.js';

export interface Seed<T, B = unknown> {
  /** The snapshot's name: one per seed. */
  name: string;
  /** A seed this one goes on from (restored before `run`, the first time). */
  from?: Seed<B>;
  /** Seeds moto at `motoUrl`; calls moto lacks go through `proxy`; `base` is what `from` gave. What it returns each test gets. */
  run(motoUrl: string, proxy: AwsProxy, base: B | undefined): Promise<T>;
}

export const DEMO: Seed<SeededDemo> = { name: 'demo', run: (motoUrl, proxy) => seedDemoEstate(motoUrl, proxy.url) };
export const TWO_ACCOUNTS: Seed<void> = { name: 'two-accounts', run: (motoUrl) => seedTwoAccounts(motoUrl) };

/** What each seed returned and left in the stand-ins, by moto server and seed. */
const kept = new Map<string, { result: unknown; standIns: StandInState }>();

/**
 * moto as `seed` leaves it, nothing else in it, and a proxy in front of it
 * with no call recorded yet: a new one (the caller stops it), or `into`
 * started over (a test already holds it). `options` are a new proxy's (its
 * RAM stand-in's timing, buckets, latency).
 */
export async function seeded<T, B>(moto: Moto, seed: Seed<T, B>, options: ProxyOptions & { into?: AwsProxy } = {}): Promise<{ proxy: AwsProxy; seeded: T }> {
  const { into, ...proxyOptions } = options;
  const key = `${moto.url} ${seed.name}`;
  const snapshot = kept.get(key);
  if (snapshot && (await moto.restore(seed.name))) {
    into?.restart(snapshot.standIns);
    return { proxy: into ?? (await startAwsProxy(moto.url, { ...proxyOptions, standIns: snapshot.standIns })), seeded: snapshot.result as T };
  }
  let proxy: AwsProxy;
  let base: B | undefined;
  if (seed.from) {
    ({ proxy, seeded: base } = await seeded(moto, seed.from, options));
  } else if (into) {
    await moto.reset();
    into.restart(emptyStandIns());
    proxy = into;
  } else {
    await moto.reset();
    proxy = await startAwsProxy(moto.url, proxyOptions);
  }
  const result = await seed.run(moto.url, proxy, base);
  await moto.snapshot(seed.name);
  const standIns = proxy.standIns();
  kept.set(key, { result, standIns });
  // As a restore leaves it: what the seeding asked of the proxy (rollouts ended, calls held) ends with it.
  proxy.restart(standIns);
  return { proxy, seeded: result };
}
