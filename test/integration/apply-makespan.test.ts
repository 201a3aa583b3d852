// apply's schedule against moto, with deployments that take their time (the
// proxy's rollout stand-in completes each after a set delay): a client starts
// as soon as its own server's deployment completed, while an unrelated slow
// deployment still runs; never more deployments in flight than
// --max-in-flight; progress says what is in flight and what waits on what;
// a failed deployment stops new starts while the ones in flight finish.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const cli = (...args: string[]) => runCli(args, env, cwd);

beforeAll(async () => {
  moto = await startMoto();
});

beforeEach(async () => {
  await proxy?.stop();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-makespan-'));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

/** When the proxy saw the first call of this operation for this service (by its `service` or `serviceName` input). */
const sent = (operation: string, service: string) => proxy.calls.find((c) => c.operation === operation && [c.input?.service, c.input?.serviceName].includes(service))?.at;

describe('apply --max-in-flight', () => {
  it('starts a client once its own server completed, while an unrelated slow deployment runs; never more than N in flight', async () => {
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    // pricing's green twin is slow; orders' server, payments, is fast.
    const durations: Record<string, number> = { 'pricing-sc': 6000, payments: 1000, catalog: 1000, orders: 1000 };
    proxy.rolloutDurations(durations);
    const result = await cli('apply', 'plan.json', '--force', '--max-in-flight', '3', '--poll-interval', '1s');
    expect(result.code, result.stdout + result.stderr).toBe(0);

    const pricingDone = proxy.rolloutStarts.get('pricing-sc')! + durations['pricing-sc']!;
    // orders waits for payments alone: it moves while pricing's green twin still deploys (the waves waited for it).
    expect(sent('UpdateService', 'orders')!).toBeGreaterThanOrEqual(proxy.rolloutStarts.get('payments')! + durations.payments!);
    expect(sent('UpdateService', 'orders')!).toBeLessThan(pricingDone);
    // Every deployment lasts from its start until meshctl saw it complete: at most 3 of them overlap, and 3 do.
    const ends = new Map([...proxy.rolloutStarts].map(([s, at]) => [s, at + (durations[s] ?? 0)]));
    const overlapping = (at: number) => [...proxy.rolloutStarts].filter(([s, start]) => start <= at && ends.get(s)! > at).length;
    const peak = Math.max(...[...proxy.rolloutStarts.values()].map(overlapping));
    expect(peak).toBe(3);
    // Progress: what is in flight, and what waits on what.
    expect(result.stderr).toMatch(/in flight: [^\n]*shop-ec2\/payments[^\n]* · waiting: [^\n]*shop-ec2\/orders \(on shop-ec2\/payments\)/);
    expect(result.stderr).toMatch(/waiting: [^\n]*\(for a slot\)/);
    const journals = (await readdir(join(cwd, '.meshctl'))).filter((n) => /^journal-.*\.json$/.test(n));
    const journal = JSON.parse(await readFile(join(cwd, '.meshctl', journals[0]!), 'utf8')) as Journal;
    expect(Object.values(journal.services).every((s) => s.state === 'stable')).toBe(true);
  });

  it('stops new starts at a failed deployment; the deployments in flight finish and are reported', async () => {
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    proxy.endRollouts('payments', 'FAILED');
    proxy.rolloutDurations({ 'pricing-sc': 4000 });
    const result = await cli('apply', 'plan.json', '--force', '--max-in-flight', '3', '--poll-interval', '1s');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/× shop-ec2\/payments: deployment failed/);
    // pricing's green twin was in flight when payments failed: it finished, and is reported.
    expect(result.stdout).toMatch(/✔ legacy-mesh\/pricing: deployment completed/);
    expect(result.stdout).toMatch(/not started \([^)]*\): [^\n]*shop-ec2\/orders/);
    expect(sent('UpdateService', 'orders')).toBeUndefined();
    expect(sent('CreateService', 'inventory-sc')).toBeUndefined();
  });
});
