// Re-records the demo fixtures: starts moto on 127.0.0.1, seeds an estate,
// and runs `meshctl record` against it. Run with `npm run record-demo`:
// fixtures/demo (one account, with a meshctl.yaml naming its namespace by ARN
// and the infrastructure role of ECS-managed cut-overs), then
// fixtures/two-accounts (a provider account sharing its namespace with the
// caller's; its meshctl.yaml goes with it).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAwsProxy } from '../test/support/aws-proxy.js';
import { isolatedEnv, motoEnv, ROOT, runCli } from '../test/support/cli.js';
import { demoConfig, seedDemoEstate } from '../test/support/demo-estate.js';
import { startMoto } from '../test/support/moto.js';
import { seedTwoAccounts, TWO_ACCOUNTS_CONFIG } from '../test/support/two-accounts-estate.js';

async function record<T>(out: string, seed: (moto: string, proxy: string) => Promise<T>, configOf?: (seeded: T) => string): Promise<number> {
  const moto = await startMoto();
  const proxy = await startAwsProxy(moto.url);
  try {
    const seeded = await seed(moto.url, proxy.url);
    const config = configOf?.(seeded);
    // moto never ends a deployment; the demo's services are steady, as on AWS: their rollouts read COMPLETED.
    proxy.endRollouts('*', 'COMPLETED');
    await rm(out, { recursive: true, force: true });
    const args = ['record', '--out', out];
    if (config) {
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'meshctl.yaml'), config);
      args.push('--config', join(out, 'meshctl.yaml'));
    }
    const result = await runCli(args, isolatedEnv(motoEnv(proxy.url)), ROOT);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code ?? 1;
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

const only = process.argv[2];
let code = 0;
if (!only || only === 'demo') code ||= await record('fixtures/demo', seedDemoEstate, demoConfig);
if (!only || only === 'two-accounts') code ||= await record('fixtures/two-accounts', (moto) => seedTwoAccounts(moto), () => TWO_ACCOUNTS_CONFIG);
process.exitCode = code;
