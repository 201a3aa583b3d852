// Runs the built CLI on a pseudo-terminal (run-on-terminal.py): what a person
// at a terminal sees, optionally pressing Ctrl-C once `interruptAt` shows.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, ROOT } from './cli.js';

export function runOnTerminal(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; columns?: number; interruptAt?: string }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const script = join(ROOT, 'test/support/run-on-terminal.py');
    const child = spawn('python3', [script, String(options.columns ?? 100), options.interruptAt ?? '', '--', process.execPath, BIN, ...args], { env: { TERM: 'xterm', ...options.env }, cwd: options.cwd });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolve({ code, output }));
  });
}
