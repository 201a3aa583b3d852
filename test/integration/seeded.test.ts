// The integration tests start from a seed restored from a snapshot
// (test/support/seeded.ts): here, a restore is shown to be the seed itself.
// meshctl reads the same estate (inspect, and the plan for either target)
// straight after seeding and after a restore that followed an apply, which
// changed moto and the proxy's stand-ins.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { seedDemoEstate } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { seeded, type Seed } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy | undefined;
// A seed of its own: the first call seeds it whatever other files of this worker restored before.
const FAITHFUL: Seed<unknown> = { name: 'demo-faithful', run: (motoUrl, seeding) => seedDemoEstate(motoUrl, seeding.url) };

const READINGS = [['inspect', '--output', 'json'], ['plan', '--output', 'json'], ['plan', '--target', 'appmesh', '--output', 'json']];

/** What meshctl reads of the estate moto holds now, through `through`: `readings` of READINGS. */
async function reading(through: AwsProxy, readings = READINGS): Promise<string[]> {
  const cwd = await mkdtemp(join(tmpdir(), 'meshctl-seeded-'));
  const env = isolatedEnv(motoEnv(through.url));
  const out: string[] = [];
  for (const args of readings) {
    const result = await runCli(args, env, cwd);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    // A plan records when it was made; the rest is the estate's.
    out.push(result.stdout.replace(/"createdAt": "[^"]+"/g, '"createdAt": "…"'));
  }
  return out;
}

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('a restored seed', () => {
  it('reads as the seed did, after a change made since', async () => {
    proxy = (await seeded(moto, FAITHFUL)).proxy;
    const fresh = await reading(proxy);

    // Change moto and the stand-ins (green twins, their settings, the virtual services): apply the Service Connect plan.
    const cwd = await mkdtemp(join(tmpdir(), 'meshctl-seeded-'));
    proxy.endRollouts('*', 'COMPLETED');
    const env = isolatedEnv(motoEnv(proxy.url));
    expect((await runCli(['plan', '--out', 'plan.json'], env, cwd)).code).toBe(0);
    expect((await runCli(['apply', 'plan.json', '--force', '--no-wait'], env, cwd)).code).toBe(0);
    expect(await reading(proxy, READINGS.slice(1, 2))).not.toEqual(fresh.slice(1, 2));
    await proxy.stop();

    proxy = (await seeded(moto, FAITHFUL)).proxy;
    expect(await reading(proxy)).toEqual(fresh);
  });
});
