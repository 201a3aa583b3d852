// Every --cluster and --service selection of the demo replays from its one
// recording, for every command that takes a selection: no selection, each
// cluster, each service, and each service with its cluster. The built CLI runs
// them in two processes (one per core), each calling its main() in turn, so
// the whole matrix takes seconds rather than a process start per run.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, ROOT, runCli } from '../support/cli.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).href;
const DEMO = ['--fixtures', 'fixtures/demo'];

/** Runs each argument list through the CLI's main() in one process; stdout is dropped, stderr and the exit code kept. */
const DRIVER = `
const { main } = await import(process.argv[1]);
const runs = JSON.parse(process.argv[2]);
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
process.stdout.setMaxListeners(0);
process.stderr.setMaxListeners(0);
const results = [];
for (const args of runs) {
  let stderr = '';
  process.stdout.write = () => true;
  process.stderr.write = (chunk) => { stderr += chunk; return true; };
  process.exitCode = undefined;
  await main(['node', 'meshctl', ...args]);
  process.stdout.write = write.out;
  process.stderr.write = write.err;
  results.push({ args, code: process.exitCode ?? 0, stderr });
}
process.exitCode = 0;
write.out(JSON.stringify(results));
`;

interface Result { args: string[]; code: number; stderr: string }

function runAll(runs: string[][]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', DRIVER, MAIN, JSON.stringify(runs)],
      { cwd: ROOT, env: isolatedEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Result[])));
  });
}

describe('every selection of the demo replays', () => {
  it('for inspect, precheck, plan (both targets, both strategies), apply --dry-run and rollback --dry-run', async () => {
    expect(BIN).toBeDefined();
    const inspect = await runCli(['inspect', ...DEMO, '--output', 'json']);
    const clusters = (JSON.parse(inspect.stdout) as { clusters: { cluster: string; services: { service: string }[] }[] }).clusters;
    expect(clusters.length).toBeGreaterThan(1);
    const selections: string[][] = [
      [],
      ...clusters.map((c) => ['--cluster', c.cluster]),
      ...clusters.flatMap((c) => c.services.map((s) => ['--service', s.service])),
      ...clusters.flatMap((c) => c.services.map((s) => ['--cluster', c.cluster, '--service', s.service])),
    ];
    const commands = [['inspect'], ['precheck'], ['precheck', '--target', 'appmesh'], ['plan'], ['plan', '--target', 'appmesh'],
      ['plan', '--strategy', 'in-place', '--remove-mesh-resources'], ['apply', '--dry-run']];
    const runs = selections.flatMap((selection) => [
      ...commands.map((command) => [...command, ...DEMO, ...selection]),
      // Without a journal, rollback needs the services named.
      ...(selection.includes('--service') ? [['rollback', '--dry-run', ...DEMO, ...selection]] : []),
    ]);
    const half = Math.ceil(runs.length / 2);
    const results = (await Promise.all([runAll(runs.slice(0, half)), runAll(runs.slice(half))])).flat();
    expect(results).toHaveLength(runs.length);
    // precheck exits 1 on findings; 2 (could not run) or an error line means the selection did not replay.
    const failed = results.filter((r) => r.code === 2 || r.stderr.includes('error:'));
    expect(failed.map((r) => `meshctl ${r.args.join(' ')}: ${r.stderr.trim()}`)).toEqual([]);
  }, 120_000);
});
