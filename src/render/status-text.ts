// meshctl status as text: what the journal records and how the services run
// now, one row per service, each saying in words what happened to it.
import type { Journal, JournalService } from '../apply/journal.js';
import { localTime } from '../util/local-time.js';
import { table } from './table.js';

/** An ECS-managed move (canary, linear, blue/green): where ECS's deployment stands. */
export interface ServiceDeployment {
  arn: string;
  strategy: string;
  status: string;
  stage?: string;
  trafficOnNewRevision: number;
  inProgress: boolean;
  reason?: string;
}

export interface ServiceStatus {
  service: string;
  greenService?: string;
  state: JournalService['state'];
  steps: { done: number; total: number; failed: number; interrupted: number };
  /** from: the revision before the run; to: the one it moves to; running: the one the service runs now (null when it is gone). */
  revision: { from: string; to: string | null; running: string | null };
  running: number | null;
  desired: number | null;
  rollout: string | null;
  message?: string;
  deployment?: ServiceDeployment;
}

function stepsText({ done, total, failed, interrupted }: ServiceStatus['steps']): string {
  return `${done}/${total} done${failed > 0 ? `, ${failed} failed` : ''}${interrupted > 0 ? `, ${interrupted} interrupted` : ''}`;
}

/** The revision column: from → to while the move stands; what happened once it was undone or finished. */
function revisionText(row: ServiceStatus): string {
  const { from, to, running } = row.revision;
  if (row.state === 'rolled-back') return `rolled back to ${running ?? from}${to ? ` (from ${to})` : ''}`;
  if (row.state === 'finalized') return `blue removed; ${row.greenService ?? 'green'} runs ${running ?? to ?? '-'}`;
  return `${from} → ${running ?? to ?? '-'}`;
}

/** The rollout column: ECS's rolling state, or where an ECS-managed deployment stands and how much traffic it moved. */
function rolloutText({ rollout, deployment: d }: ServiceStatus): string {
  if (!d) return rollout ?? '-';
  return `${d.strategy} ${d.status}${d.stage && d.inProgress ? ` ${d.stage}` : ''}, ${d.trafficOnNewRevision}% traffic on new revision`;
}

const heading = (journal: Journal) => (journal.finalizes !== undefined ? `finalize of ${journal.finalizes}` : journal.undoes === undefined ? 'apply' : `rollback${journal.undoes ? ` of ${journal.undoes}` : ''}`);

function trafficLine(journal: Journal, awaitingShift: boolean): string[] {
  const shift = journal.shift;
  if (shift) return [`traffic: green at ${shift.weight}% since ${localTime(shift.since)} (shift ${shift.state}${shift.reason ? `: ${shift.reason}` : ''})`];
  return awaitingShift ? ['traffic: none moved yet: blue carries all of it (meshctl shift moves it to green)'] : [];
}

/** `lock`: who holds the journal now, in words. */
export function renderStatusText(path: string, journal: Journal, rows: ServiceStatus[], options: { awaitingShift: boolean; lock?: string }): string {
  return [
    `${heading(journal)} · journal ${path} · plan ${journal.planFingerprint.slice(0, 19)}… · started ${localTime(journal.startedAt)} · updated ${localTime(journal.updatedAt)}`,
    ...(options.lock ? [options.lock] : []),
    ...(journal.pendingRollback ? [`an interrupted rollback (${journal.pendingRollback}): finish it with meshctl rollback --journal ${path}`] : []),
    ...(journal.rolledBackBy ? [`rolled back by ${journal.rolledBackBy}: a new plan is needed to move these services again`] : []),
    ...trafficLine(journal, options.awaitingShift), '',
    table(['service', 'state', 'steps', 'revision', 'running', 'rollout'], rows.map((r) => [
      r.service + (r.greenService ? ` (green ${r.greenService})` : ''), r.state, stepsText(r.steps), revisionText(r),
      r.running === null ? 'gone' : `${r.running}/${r.desired}`, rolloutText(r),
    ])),
    ...rows.filter((r) => r.message).map((r) => `  ${r.service}: ${r.message}`),
    ...rows.filter((r) => r.deployment?.reason && r.deployment.reason !== r.message).map((r) => `  ${r.service}: ${r.deployment!.reason}`),
  ].join('\n');
}
