// Re-records fixtures/demo: starts moto on 127.0.0.1, seeds the demo estate,
// and runs `meshctl record` against it. Run with `npm run record-demo`.
import { rm } from 'node:fs/promises';
import { startAwsProxy } from '../test/support/aws-proxy.js';
import { isolatedEnv, motoEnv, ROOT, runCli } from '../test/support/cli.js';
import { seedDemoEstate } from '../test/support/demo-estate.js';
import { startMoto } from '../test/support/moto.js';

const out = process.argv[2] ?? 'fixtures/demo';
const moto = await startMoto();
const proxy = await startAwsProxy(moto.url);
try {
  await seedDemoEstate(moto.url, proxy.url);
  // moto never ends a deployment; the demo's services are steady, as on AWS: their rollouts read COMPLETED.
  proxy.endRollouts('*', 'COMPLETED');
  await rm(out, { recursive: true, force: true });
  const result = await runCli(['record', '--out', out], isolatedEnv(motoEnv(proxy.url)), ROOT);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code ?? 1;
} finally {
  await proxy.stop();
  await moto.stop();
}
