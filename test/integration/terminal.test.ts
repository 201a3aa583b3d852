// apply on a real terminal (a pseudo-terminal through test/support/run-on-terminal.py):
// Ctrl-C interrupts while it waits, saving the journal and saying how to go
// on; a terminal reporting 0 columns gets plain lines, not an endless
// spinner. And `meshctl … | head` ends quietly.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { BIN, isolatedEnv, motoEnv, ROOT, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded, type Seed } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

function onTerminal(columns: number, interruptAt: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [join(ROOT, 'test/support/run-on-terminal.py'), String(columns), interruptAt, '--', process.execPath, BIN, ...args], { env: { ...env, TERM: 'xterm' }, cwd });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  moto = await startMoto();
});

/** The demo and a plan of catalog alone (its result: the directory holding plan.json). Setting up, not the subject: planned without colours, in-process. */
const CATALOG_PLANNED: Seed<string> = {
  name: 'terminal-catalog-planned',
  from: DEMO,
  async run(_motoUrl, seeding) {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-tty-'));
    expect((await runCli(['plan', '--service', 'catalog', '--out', 'plan.json'], isolatedEnv(motoEnv(seeding.url)), dir)).code).toBe(0);
    return dir;
  },
};

beforeEach(async () => {
  await proxy?.stop();
  let planned: string;
  ({ proxy, seeded: planned } = await seeded(moto, CATALOG_PLANNED));
  env = isolatedEnv(motoEnv(proxy.url));
  delete env.NO_COLOR;
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-tty-'));
  await cp(planned, cwd, { recursive: true });
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('apply on a terminal', () => {
  it('stops on Ctrl-C while waiting for a deployment: journal saved, lock released, the way on printed, exit 130', async () => {
    // catalog's deployment never completes: apply waits, with the spinner, until Ctrl-C.
    const result = await onTerminal(100, 'waiting for', ['apply', 'plan.json', '--force', '--poll-interval', '1s', '--wait-timeout', '60s']);
    expect(result.code, result.output).toBe(130);
    expect(result.output).toMatch(/interrupted: the journal \.meshctl\/journal-[0-9a-f]+\.json is saved\. Finish with: meshctl apply plan\.json; or undo with: meshctl rollback --journal/);
    const files = await readdir(join(cwd, '.meshctl'));
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('.lock'))).toBe(false);
  });

  it('writes plain progress lines on a terminal that reports 0 columns, and finishes', async () => {
    const result = await onTerminal(0, '', ['apply', 'plan.json', '--force', '--poll-interval', '1s', '--wait-timeout', '2s']);
    expect(result.code, result.output.slice(0, 2000)).toBe(1);
    expect(result.output.length).toBeLessThan(100_000);
    expect(result.output).toMatch(/… shop-fargate\/catalog: 0\/2 IN_PROGRESS/);
    expect(result.output).toContain('deployment timeout');
  });
});

describe('reading the estate on a terminal', () => {
  it('says how far it got on stderr, and only on a terminal', async () => {
    // --no-pager: on a terminal, output longer than the screen goes through less, which would wait for a key here.
    const result = await onTerminal(100, '', ['--no-pager', 'inspect']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/reading the estate: \d+ cluster\(s\), \d+ service\(s\), \d+ task definition\(s\)/);
    expect(result.output).toContain('shop-fargate');
    const piped = await runCli(['inspect'], env, cwd);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('reading the estate');
  });
});

describe('rollback on a terminal', () => {
  it('stops on Ctrl-C while waiting for the rollback deployment; run again, it finishes from the saved plan', async () => {
    expect((await runCli(['apply', 'plan.json', '--force', '--no-wait'], { ...env, NO_COLOR: '1' }, cwd)).code).toBe(0);
    // catalog's rollback deployment does not complete: rollback waits until Ctrl-C.
    const interrupted = await onTerminal(100, 'waiting for', ['rollback', '--yes', '--poll-interval', '1s', '--wait-timeout', '60s']);
    expect(interrupted.code, interrupted.output).toBe(130);
    expect(interrupted.output).toMatch(/interrupted: the journal \.meshctl\/journal-[0-9a-f]+\.json is saved\. Finish with: meshctl rollback --journal \.meshctl\/journal-/);
    expect((await readdir(join(cwd, '.meshctl'))).some((f) => f.endsWith('.lock'))).toBe(false);

    proxy.endRollouts('*', 'COMPLETED');
    const finished = await runCli(['rollback', '--yes', '--poll-interval', '1s'], env, cwd);
    expect(finished.code, finished.stdout + finished.stderr).toBe(0);
    expect(finished.stderr).toContain('finishing the interrupted rollback');
    expect(finished.stdout).toMatch(/shop-fargate\/catalog\s+catalog:2 → catalog:1\s+deployment completed/);
    // One UpdateService for the rollback; after its deployment completed, the meshed revision is deregistered.
    expect(proxy.calls.filter((c) => c.operation === 'UpdateService' && c.input?.taskDefinition !== undefined && String(c.input.taskDefinition).endsWith('catalog:1'))).toHaveLength(1);
    expect(proxy.calls.filter((c) => c.operation === 'DeregisterTaskDefinition').map((c) => String(c.input!.taskDefinition).split('/').pop())).toEqual(['catalog:2']);
  });
});

describe('pipes', () => {
  it('meshctl … | head ends quietly when the reader goes away', async () => {
    const child = spawn(process.execPath, [BIN, 'plan', '--fixtures', join(ROOT, 'fixtures/demo')], { env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
