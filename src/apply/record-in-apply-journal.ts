// What a rollback (or finalize) run did, written back into the apply journal:
// services back on their previous revision are marked rolled back, and the
// resources and listener restores it removed leave the journal, so a second
// rollback neither repeats them nor keeps the mesh for services already back.
import type { Plan } from '../core/plan/model.js';
import type { Journal } from './journal.js';

export function recordRollback(applyJournal: Journal, plan: Plan, rollbackJournal: Journal): void {
  const done = (id: string) => rollbackJournal.steps[id]?.status === 'done';
  for (const service of plan.services) {
    const label = `${service.cluster}/${service.service}`;
    const own = plan.steps.filter((s) => s.ecsService === label);
    const state = rollbackJournal.services[label]?.state;
    const back = own.length > 0 && own.every((s) => done(s.id) || s.operation === 'DeregisterTaskDefinition') && state !== 'failed';
    const entry = applyJournal.services[label];
    if (back && entry) {
      entry.state = 'rolled-back';
      delete entry.message;
    }
  }
  const deleted = new Set(plan.steps.filter((s) => s.id.startsWith('delete:') && done(s.id)).map((s) => s.id.slice('delete:'.length)));
  applyJournal.created = applyJournal.created.filter((c) => !deleted.has(c.step));
  const restored = new Set(plan.steps.filter((s) => s.id.startsWith('restore:') && done(s.id)).map((s) => s.id.slice('restore:'.length)));
  if (applyJournal.restores) applyJournal.restores = applyJournal.restores.filter((r) => !restored.has(r.step));
}

/**
 * A finalized pair leaves the apply journal's undo records: green is the
 * service now, so rollback must neither delete it nor restore rules to a
 * blue target group that is gone.
 */
export function recordFinalize(applyJournal: Journal, plan: Plan, finalizeJournal: Journal): void {
  for (const service of plan.services) {
    const label = `${service.cluster}/${service.service}`;
    const own = plan.steps.filter((s) => s.ecsService === label);
    if (own.length === 0 || !own.every((s) => finalizeJournal.steps[s.id]?.status === 'done')) continue;
    const entry = applyJournal.services[label];
    if (entry) entry.state = 'finalized';
    applyJournal.created = applyJournal.created.filter((c) => c.ecsService !== label);
    if (applyJournal.restores) applyJournal.restores = applyJournal.restores.filter((r) => r.ecsService !== label);
  }
}
