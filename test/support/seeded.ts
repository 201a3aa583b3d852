// A seeded estate for an integration test, fast. The first time a moto
// server needs a seed, it is seeded (the demo: about 70 calls, a second or
// more of moto's time) and snapshotted: moto's state (moto-server.py) and
// what the test proxy's stand-ins kept of the seeding calls they saw. Every
// later call restores both, in about 0.1 s, and hands over a new proxy that
// starts from the stand-ins as the seed left them. A snapshot outlives moto's
// resets, so every file a vitest worker runs restores the seed the first one
// made. Tests start from the same state either way; test/integration/
// seeded.test.ts proves a restore plans exactly as a fresh seed does.
import { startAwsProxy, type AwsProxy, type ProxyOptions, type StandInState } from './aws-proxy.js';
import { seedDemoEstate, type SeededDemo } from './demo-estate.js';
import type { Moto } from './moto.js';
import { seedTwoAccounts } from './two-accounts-estate.js';

export interface Seed<T> {
  /** The snapshot's name: one per seed. */
  name: string;
  /** A seed this one goes on from (restored before `run`, the first time). */
  from?: Seed<unknown>;
  /** Seeds moto at `motoUrl`; calls moto lacks go through `proxy`. What it returns each test gets. */
  run(motoUrl: string, proxy: AwsProxy): Promise<T>;
}

export const DEMO: Seed<SeededDemo> = { name: 'demo', run: (motoUrl, proxy) => seedDemoEstate(motoUrl, proxy.url) };
export const TWO_ACCOUNTS: Seed<void> = { name: 'two-accounts', run: (motoUrl) => seedTwoAccounts(motoUrl) };

/** What each seed returned and left in the stand-ins, by moto server and seed. */
const kept = new Map<string, { result: unknown; standIns: StandInState }>();

/**
 * moto as `seed` leaves it, nothing else in it, and a new proxy in front of
 * it with no call recorded yet (the caller stops it). `options` are the
 * proxy's (its RAM stand-in's timing, buckets, latency).
 */
export async function seeded<T>(moto: Moto, seed: Seed<T>, options: ProxyOptions = {}): Promise<{ proxy: AwsProxy; seeded: T }> {
  const key = `${moto.url} ${seed.name}`;
  const snapshot = kept.get(key);
  if (snapshot && (await moto.restore(seed.name))) {
    return { proxy: await startAwsProxy(moto.url, { ...options, standIns: snapshot.standIns }), seeded: snapshot.result as T };
  }
  let proxy: AwsProxy;
  if (seed.from) {
    ({ proxy } = await seeded(moto, seed.from, options));
  } else {
    await moto.reset();
    proxy = await startAwsProxy(moto.url, options);
  }
  const result = await seed.run(moto.url, proxy);
  await moto.snapshot(seed.name);
  kept.set(key, { result, standIns: proxy.standIns() });
  proxy.calls.length = 0;
  return { proxy, seeded: result };
}
