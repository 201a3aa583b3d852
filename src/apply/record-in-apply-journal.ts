// What a rollback (or finalize) run did, written back into the apply journal:
// services back on their previous revision are marked rolled back, and the
// resources and listener restores it removed leave the journal, so a second
// rollback neither repeats them nor keeps the mesh for services already back,
// and the plan, once rolled back, is not applied again from its journal.
import type { Plan } from '../core/plan/model.js';
import { ExpectedError } from '../util/expected-error.js';
import type { Journal } from './journal.js';

/** `rollbackJournalPath`: where the rollback's own journal is, named to whoever tries the plan again. */
export function recordRollback(applyJournal: Journal, plan: Plan, rollbackJournal: Journal, rollbackJournalPath: string): void {
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
      applyJournal.rolledBackBy = rollbackJournalPath;
    }
  }
  const deleted = new Set(plan.steps.filter((s) => s.id.startsWith('delete:') && done(s.id)).map((s) => s.id.slice('delete:'.length)));
  applyJournal.created = applyJournal.created.filter((c) => !deleted.has(c.step));
  const restored = new Set(plan.steps.filter((s) => s.id.startsWith('restore:') && done(s.id)).map((s) => s.id.slice('restore:'.length)));
  if (applyJournal.restores) applyJournal.restores = applyJournal.restores.filter((r) => !restored.has(r.step));
}

/** A plan whose services were rolled back: applying it again would resume its finished journal and send nothing. */
export class RolledBackPlanError extends ExpectedError {}

/**
 * Applying a plan again after it was rolled back resumes its journal, whose
 * steps are all done: nothing would be sent, and the wait would find every
 * service on its old revision and call the deployments failed. Refused,
 * saying what happened and what to do instead.
 */
export function refuseRolledBack(applyJournal: Journal, path: string): void {
  const back = Object.entries(applyJournal.services).filter(([, s]) => s.state === 'rolled-back').map(([label]) => label);
  if (back.length === 0) return;
  const by = applyJournal.rolledBackBy ? `the rollback journal ${applyJournal.rolledBackBy}` : 'meshctl status';
  throw new RolledBackPlanError(`this plan was rolled back: ${back.join(', ')} went back to the revisions they ran before (see ${by}), and the journal ${path} records it. A rolled-back plan is not applied again: make a new plan (meshctl plan --out plan.json) and apply that`);
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
