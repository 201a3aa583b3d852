// Runs the built CLI (bin/meshctl → dist/) the way a user runs it.
//
// How to write a test that stays fast:
// - runCli(args, env, cwd) runs the CLI inside the test's own process (same
//   bundle, same flags), taking ~0.1 s where a spawn takes ~1.2 s, most of it
//   loading the AWS SDK. It falls back to spawning by itself whenever a
//   process would behave differently: colours on (no NO_COLOR, or
//   FORCE_COLOR), SDK shared config or credentials files that exist (the SDK
//   caches them per process), or another CLI already running in this process.
//   So: use runCli, with isolatedEnv(...), and assert on code/stdout/stderr.
// - spawnCli(args, env, cwd) always spawns. Use it when the process itself is
//   the subject: kill/SIGKILL, Ctrl-C and signals, a terminal, pipes, two
//   CLIs at once, or a lock held by another pid.
// - Integration tests: startMoto() hands the file this worker's moto server
//   (started once per worker, reset for each file); seed once per file in
//   beforeAll when the tests only read, and reset + re-seed (seedDemoEstate,
//   ~0.7 s) in beforeEach only when tests change the estate. Give a long file
//   of tests that change the estate a sibling file rather than more tests.
// - MESHCTL_TEST_SPAWN=1 spawns every run (to check that a test does not
//   depend on running in-process).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/meshctl', import.meta.url));
const MAIN = pathToFileURL(fileURLToPath(new URL('../../dist/main.js', import.meta.url))).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no real AWS credentials or config reach the CLI, and no metadata-service lookups. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/meshctl-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/meshctl-test-credentials',
    ...extra,
  };
}

export function motoEnv(endpoint: string): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint };
}

/** Starts the CLI in its own process; the caller may kill it (crash tests) before awaiting `done`. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = isolatedEnv(), cwd = ROOT): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to the end: in this process when that is indistinguishable from spawning it, else spawned. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = isolatedEnv(), cwd = ROOT): Promise<CliResult> {
  return needsOwnProcess(env) ? spawnCli(args, env, cwd).done : runInProcess(args, env, cwd);
}

let running = false;

/** Why a run must be spawned; undefined when it can run in this process. */
function needsOwnProcess(env: NodeJS.ProcessEnv): string | undefined {
  if (process.env.MESHCTL_TEST_SPAWN === '1') return 'MESHCTL_TEST_SPAWN=1';
  if (running) return 'another CLI runs in this process';
  // process.chdir is not allowed in worker threads (vitest's threads pool).
  if (!isMainThread) return 'a worker thread cannot change directory';
  // chalk picks its level once per process, from the terminal and environment it starts with.
  if (env.NO_COLOR === undefined || env.FORCE_COLOR !== undefined) return 'colours depend on the process';
  // The SDK reads the shared config and credentials files once per process and caches them by path.
  const files = [env.AWS_CONFIG_FILE ?? `${env.HOME}/.aws/config`, env.AWS_SHARED_CREDENTIALS_FILE ?? `${env.HOME}/.aws/credentials`];
  if (files.some((file) => existsSync(file))) return 'the SDK would read shared config files';
  return undefined;
}

interface Captured {
  stdout: string;
  stderr: string;
}

/** The output of the in-process run in whose async context a write happens. */
const capture = new AsyncLocalStorage<Captured>();

class ProcessExitCalled extends Error {}

/** Process-wide state a run may change, saved to be put back after it. */
function saveProcessState() {
  const env = { ...process.env };
  const cwd = process.cwd();
  const exitCode = process.exitCode;
  const exit = process.exit;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const streams = [process.stdin, process.stdout, process.stderr] as const;
  const tty = streams.map((s) => Object.getOwnPropertyDescriptor(s, 'isTTY'));
  const watched: [NodeJS.EventEmitter, string][] = [
    ...['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'unhandledRejection', 'warning'].map((e) => [process, e] as [NodeJS.EventEmitter, string]),
    [process.stdout, 'error'], [process.stderr, 'error'],
  ];
  const listeners = watched.map(([emitter, event]) => new Set(emitter.listeners(event)));
  return {
    /** Listeners the run added and did not remove (a spawned CLI loses them when it exits). */
    added: (event: string) => watched.flatMap(([emitter, e], i) => (e === event ? emitter.listeners(e).filter((l) => !listeners[i]!.has(l)).map((l) => ({ emitter, l })) : [])),
    restore() {
      for (const [i, [emitter, event]] of watched.entries()) {
        for (const l of emitter.listeners(event)) if (!listeners[i]!.has(l)) emitter.removeListener(event, l as (...a: unknown[]) => void);
      }
      streams.forEach((s, i) => (tty[i] ? Object.defineProperty(s, 'isTTY', tty[i]!) : delete (s as { isTTY?: boolean }).isTTY));
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
      process.exit = exit;
      process.exitCode = exitCode;
      process.chdir(cwd);
      replaceEnv(env);
    },
  };
}

/** Changes process.env in place: modules that kept a reference to it (the SDK's config loaders) see the change. */
function replaceEnv(next: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key];
  for (const [key, value] of Object.entries(next)) if (value !== undefined) process.env[key] = value;
}

/** process.stdout/stderr.write that keeps what the in-process run writes, and passes everything else through. */
function capturingWrite(stream: 'stdout' | 'stderr', original: typeof process.stdout.write): typeof process.stdout.write {
  return function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const run = capture.getStore();
    if (!run) return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    run[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  } as typeof process.stdout.write;
}

/**
 * Runs bin/meshctl's main in this process, as a spawned CLI would run: its
 * own argv, environment, working directory, exit code, output and no
 * terminal (stdio piped). Everything it changed in the process is put back
 * after: the environment, directory and exit code, and the listeners it left
 * (its 'exit' listeners run first, as they would when its process ended).
 */
async function runInProcess(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  running = true;
  const saved = saveProcessState();
  const output: Captured = { stdout: '', stderr: '' };
  let code: number;
  try {
    // bin/meshctl sets this before loading the bundle.
    replaceEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env });
    process.chdir(cwd);
    process.exitCode = undefined;
    for (const stream of [process.stdin, process.stdout, process.stderr]) Object.defineProperty(stream, 'isTTY', { value: undefined, configurable: true, writable: true });
    process.stdout.write = capturingWrite('stdout', process.stdout.write);
    process.stderr.write = capturingWrite('stderr', process.stderr.write);
    const exit = process.exit;
    process.exit = ((exitCode?: number) => {
      if (!capture.getStore()) return exit(exitCode);
      throw new ProcessExitCalled(`meshctl called process.exit(${exitCode}) in an in-process run; this test needs spawnCli`);
    }) as typeof process.exit;
    try {
      const { main } = (await import(/* @vite-ignore */ MAIN)) as { main: (argv: string[]) => Promise<void> };
      await capture.run(output, () => main([process.execPath, BIN, ...args]));
      code = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
    } catch (error) {
      if (error instanceof ProcessExitCalled) throw error;
      // As Node does for an error that escapes the CLI's top-level await.
      output.stderr += `${(error as Error)?.stack ?? String(error)}\n`;
      code = 1;
    }
    for (const { l } of saved.added('exit')) (l as (code: number) => void)(code);
  } finally {
    saved.restore();
    running = false;
  }
  return { code, ...output };
}
