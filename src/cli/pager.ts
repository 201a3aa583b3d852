// Long output goes through a pager on a terminal, as git's does: $PAGER, else
// `less -FRX` where less is installed (-F: quit at once when the text fits the
// screen; -R: keep the colors; -X: leave the text on the screen after).
// Never when stdout is not a terminal (piped, CI), for --output json, or with
// --no-pager.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { writeOut } from './context.js';
import { stopReadProgress } from './read-progress.js';

export const DEFAULT_PAGER = 'less -FRX';

export interface PagerSituation {
  /** stdout is a terminal, and how many rows it has. */
  terminal: boolean;
  rows?: number;
  json: boolean;
  /** --no-pager. */
  noPager: boolean;
  /** $PAGER, when set. */
  pagerEnv?: string;
  lessInstalled: boolean;
}

/** The pager to show `text` through, or none. Pure. */
export function pagerFor(text: string, s: PagerSituation): string | undefined {
  if (!s.terminal || s.json || s.noPager) return undefined;
  // Text that fits the screen is printed as it is (a PAGER such as more would hold it).
  if (!s.rows || text.split('\n').length < s.rows) return undefined;
  if (s.pagerEnv !== undefined) return ['', 'cat'].includes(s.pagerEnv.trim()) ? undefined : s.pagerEnv;
  return s.lessInstalled ? DEFAULT_PAGER : undefined;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Writes text people read at length (plans, reports) to stdout, through a pager where one fits. */
export async function writePaged(text: string, options: { output?: string; pager?: boolean }): Promise<void> {
  const out = text.endsWith('\n') ? text : `${text}\n`;
  const command = pagerFor(out.slice(0, -1), {
    terminal: process.stdout.isTTY === true, rows: process.stdout.rows, json: options.output === 'json', noPager: options.pager === false,
    pagerEnv: process.env.PAGER, lessInstalled: onPath('less'),
  });
  if (!command) return writeOut(out);
  stopReadProgress();
  // Ctrl-C belongs to the pager while it shows the text (less stays open), as with git.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    const shown = await new Promise<boolean>((resolve) => {
      // LESS=FRX when unset, as git sets it: a PAGER of plain `less` keeps the colors and quits on short text.
      const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...process.env } });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code !== 127));
      // The reader quit before the end (q in less): the rest is not wanted.
      child.stdin.on('error', () => undefined);
      child.stdin.end(out);
    });
    if (!shown) writeOut(out);
  } finally {
    process.removeListener('SIGINT', ignore);
  }
}
