// Starts moto's server on 127.0.0.1 for integration tests and stops it after.
// Under vitest each worker process keeps one server for the files it runs:
// startMoto() hands it to a file reset (moto's /moto-api/reset: no state from
// the file before), and the file's stop() gives it back. Starting a server
// and warming its services costs ~3 s of CPU; a reset ~0.1 s. A second
// startMoto() while the first is out (or outside vitest) starts a server of
// its own, stopped by stop(). Servers exit with the process that started
// them, however it ends, and keep snapshots of their state across resets
// (test/support/seeded.ts restores a seeded estate from one).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Moto {
  url: string;
  reset(): Promise<void>;
  /** Keeps moto's whole state under `name`, for restore (test/support/moto-server.py). */
  snapshot(name: string): Promise<void>;
  /** Resets moto to the state kept under `name`; false when this server has none. */
  restore(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto server did not start within ${timeoutMs} ms`);
}

// moto's server, as python3 -m moto.server runs it, exiting with the process
// that started it and able to snapshot and restore its state.
const MOTO_SERVER = fileURLToPath(new URL('./moto-server.py', import.meta.url));

async function startMotoServer(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('python3', [MOTO_SERVER, '127.0.0.1', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    url,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    },
    async snapshot(name) {
      const res = await fetch(`${url}/meshctl-test/snapshot/${name}`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto could not snapshot ${name}: ${await res.text()}`);
    },
    async restore(name) {
      const res = await fetch(`${url}/meshctl-test/restore/${name}`, { method: 'POST' });
      if (res.status === 404) return false;
      if (!res.ok) throw new Error(`moto could not restore ${name}: ${await res.text()}`);
      return true;
    },
    stop: () => new Promise((resolve) => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** This worker's server, and whether a file holds it now. */
let workerServer: Promise<Moto> | undefined;
let lent = false;

export async function startMoto(): Promise<Moto> {
  if (!process.env.VITEST || lent) return startMotoServer();
  lent = true;
  try {
    workerServer ??= startMotoServer();
    const server = await workerServer;
    await server.reset();
    let returned = false;
    return {
      url: server.url,
      reset: () => server.reset(),
      snapshot: (name) => server.snapshot(name),
      restore: (name) => server.restore(name),
      async stop() {
        if (returned) return;
        returned = true;
        lent = false;
      },
    };
  } catch (error) {
    workerServer = undefined;
    lent = false;
    throw error;
  }
}
