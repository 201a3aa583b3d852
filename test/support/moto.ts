// Starts moto's server on 127.0.0.1 for integration tests and stops it after.
// Under vitest each worker process keeps one server for the files it runs:
// startMoto() hands it to a file reset (moto's /moto-api/reset: no state from
// the file before), and the file's stop() gives it back. Starting a server
// and warming its services costs ~3 s of CPU; a reset ~0.1 s. A second
// startMoto() while the first is out (or outside vitest) starts a server of
// its own, stopped by stop(). Servers exit with the process that started
// them, however it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  url: string;
  reset(): Promise<void>;
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

// moto's server (python3 -m moto.server), made to exit when the process that
// started it is gone: a SIGKILLed vitest worker must not leave it behind.
const MOTO_SERVER = `
import os, sys, threading, time
parent = os.getppid()
def exit_with_parent():
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
threading.Thread(target=exit_with_parent, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
`;

async function startMotoServer(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('python3', ['-c', MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], {
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
