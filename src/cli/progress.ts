// Progress while apply and rollback run: an ora spinner with a line per
// waiting service on a terminal, plain lines on stderr otherwise; a line
// whenever the services in flight or waiting change.
import chalk from 'chalk';
import ora, { type Ora } from 'ora';
import type { ScheduleView } from '../apply/apply-plan.js';
import type { RolloutProgress } from '../apply/wait.js';
import type { PlanStep } from '../core/plan/model.js';

export interface Progress {
  step(step: PlanStep, status: 'start' | 'done' | 'adopted' | 'failed', detail?: string): void;
  note(line: string): void;
  rollouts(progress: RolloutProgress[]): void;
  schedule(view: ScheduleView): void;
  stop(): void;
}

/** Names beyond this many are counted, not listed: a 1000-service run stays one readable line. */
const LISTED = 8;

const listed = (names: string[]) => (names.length > LISTED ? `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more` : names.join(', '));

/** `in flight: a, b · waiting: c (on a), d (for a slot)` */
export function scheduleLine(view: ScheduleView): string {
  const waiting = view.waiting.map((w) => `${w.label} (${w.on.length > 0 ? `on ${w.on.join(', ')}` : 'for a slot'})`);
  return [`in flight: ${view.inFlight.length > 0 ? listed(view.inFlight) : 'none'}`, ...(waiting.length > 0 ? [`waiting: ${listed(waiting)}`] : [])].join(' · ');
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

export function createProgress(quiet: boolean): Progress {
  // A terminal reporting no width cannot be redrawn (ora would loop writing it): plain lines instead.
  const interactive = !quiet && process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
  // discardStdin off: ora would put the terminal into raw mode, and Ctrl-C would no longer interrupt.
  const spinner: Ora | undefined = interactive ? ora({ stream: process.stderr, discardStdin: false }) : undefined;
  const lastState = new Map<string, string>();
  let lastSchedule = '';
  const print = (line: string) => {
    if (quiet) return;
    if (spinner?.isSpinning) spinner.clear();
    process.stderr.write(`${line}\n`);
    if (spinner?.isSpinning) spinner.render();
  };
  return {
    step(step, status, detail) {
      if (status === 'start') return;
      const mark = status === 'failed' ? chalk.red('×') : status === 'adopted' ? chalk.cyan('↺') : chalk.green('✔');
      print(`${mark} ${step.service} ${step.operation} ${step.resource}${status === 'adopted' ? ' (already done by an earlier run)' : ''}${detail ? `: ${detail}` : ''}`);
    },
    note: print,
    schedule(view) {
      const line = scheduleLine(view);
      if (line !== lastSchedule) print(chalk.dim(line));
      lastSchedule = line;
    },
    rollouts(progress) {
      const lines = progress.map((p) => `${p.label}: ${p.running}/${p.desired} running, ${p.rolloutState}, ${seconds(p.elapsedMs)}`);
      if (spinner) {
        if (lines.length === 0) spinner.stop();
        else {
          spinner.text = `waiting for ${lines.length} deployment(s)\n${lines.map((l) => `  ${l}`).join('\n')}`;
          if (!spinner.isSpinning) spinner.start();
        }
        return;
      }
      for (const p of progress) {
        const state = `${p.running}/${p.desired} ${p.rolloutState}`;
        if (lastState.get(p.label) !== state) print(`… ${p.label}: ${state}, ${seconds(p.elapsedMs)}`);
        lastState.set(p.label, state);
      }
    },
    stop() {
      spinner?.stop();
    },
  };
}
