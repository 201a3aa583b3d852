// runCli runs the CLI inside the test's process: it must give what a spawned
// CLI gives, and leave the process as it found it, run after run.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, ROOT, runCli, spawnCli } from '../support/cli.js';

const DEMO = ['--fixtures', join(ROOT, 'fixtures/demo')];

/** Sets a property for a while; returns what puts it back. */
function setFor(target: object, key: string, value: unknown): () => void {
  const saved = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, configurable: true, writable: true, enumerable: true });
  return () => (saved ? Object.defineProperty(target, key, saved) : delete (target as Record<string, unknown>)[key]);
}

function processState() {
  return {
    cwd: process.cwd(),
    env: { ...process.env },
    exitCode: process.exitCode,
    exit: process.exit,
    writes: [process.stdout.write, process.stderr.write],
    tty: [process.stdin.isTTY, process.stdout.isTTY, process.stderr.isTTY],
    listeners: ['exit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e)),
    streamListeners: [process.stdout.listenerCount('error'), process.stderr.listenerCount('error')],
  };
}

describe('runCli in-process', () => {
  it('gives the exit code, stdout and stderr a spawned CLI gives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-runner-'));
    for (const args of [['plan', ...DEMO, '--target', 'appmesh'], ['precheck', ...DEMO, '--format', 'json'], ['plan', '--bogus'], ['inspect'], ['--version'], ['rollback', ...DEMO, '--dry-run']]) {
      const [inProcess, spawned] = [await runCli(args, isolatedEnv(), dir), await spawnCli(args, isolatedEnv(), dir).done];
      expect(inProcess, args.join(' ')).toEqual(spawned);
    }
  });

  it('leaves the process as it found it: directory, environment, exit code, streams, terminal and listeners', async () => {
    process.env.MESHCTL_RUNNER_TEST = 'kept';
    const before = processState();
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-runner-'));
    expect((await runCli(['plan', ...DEMO, '--out', 'plan.json'], isolatedEnv({ AWS_REGION: 'eu-west-3' }), dir)).code).toBe(0);
    expect((await runCli(['precheck', ...DEMO], isolatedEnv(), dir)).code).toBe(1);
    expect((await runCli(['apply', 'plan.json', ...DEMO, '--dry-run'], isolatedEnv(), dir)).code).toBe(0);
    expect(processState()).toEqual(before);
    expect(process.env.MESHCTL_RUNNER_TEST).toBe('kept');
    delete process.env.MESHCTL_RUNNER_TEST;
    // The run's relative paths were the run's directory.
    expect(await readdir(dir)).toContain('plan.json');
  });

  it('gives each run its own environment and directory, and no terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-runner-'));
    await writeFile(join(dir, 'meshctl.yaml'), 'target: appmesh\n');
    // The configured target in one directory, the default in the other; a region in one environment, none in the next.
    expect((await runCli(['plan', ...DEMO, '--output', 'json'], isolatedEnv(), dir)).stdout).toContain('"target": "appmesh"');
    expect((await runCli(['plan', ...DEMO, '--output', 'json'], isolatedEnv(), ROOT)).stdout).toContain('"target": "service-connect"');
    const credentials = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' };
    expect((await runCli(['inspect'], isolatedEnv({ ...credentials, AWS_REGION: 'us-east-1' }), dir)).stderr).not.toContain('no AWS region');
    // This process has a region and a terminal; the run has neither (so no progress: stderr is a pipe).
    const restore = [setFor(process.env, 'AWS_REGION', 'us-west-2'), setFor(process.stderr, 'isTTY', true), setFor(process.stderr, 'columns', 100)];
    try {
      expect((await runCli(['inspect'], isolatedEnv(credentials), dir)).stderr).toContain('no AWS region');
      expect(await runCli(['inspect', ...DEMO], isolatedEnv(), dir)).toMatchObject({ code: 0, stderr: '' });
    } finally {
      for (const put of restore.reverse()) put();
    }
  });

  it('runs CLIs started at once each in its own directory (the second and later in processes of their own)', async () => {
    const appmesh = await mkdtemp(join(tmpdir(), 'meshctl-runner-'));
    await writeFile(join(appmesh, 'meshctl.yaml'), 'target: appmesh\n');
    const dirs = [appmesh, ROOT, appmesh, ROOT];
    const results = await Promise.all(dirs.map((dir) => runCli(['plan', ...DEMO, '--output', 'json'], isolatedEnv(), dir)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.map((r) => (JSON.parse(r.stdout) as { target: string }).target)).toEqual(['appmesh', 'service-connect', 'appmesh', 'service-connect']);
  });
});
