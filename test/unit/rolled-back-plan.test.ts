// A plan applied again after it was rolled back: refused, naming the rollback.
import { describe, expect, it } from 'vitest';
import type { Journal, JournalService } from '../../src/apply/journal.js';
import { recordRollback, refuseRolledBack, RolledBackPlanError } from '../../src/apply/record-in-apply-journal.js';
import type { Plan } from '../../src/core/plan/model.js';

const TD = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

function entry(name: string, state: JournalService['state']): JournalService {
  return { cluster: 'c', service: name, serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/c/${name}`, previousTaskDefinition: TD(name, 1), previousServiceRegistries: [], newTaskDefinition: TD(name, 2), state };
}

function applyJournal(states: Record<string, JournalService['state']>): Journal {
  return {
    formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:apply', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '',
    services: Object.fromEntries(Object.entries(states).map(([name, state]) => [`c/${name}`, entry(name, state)])), steps: {}, created: [],
  };
}

/** The rollback plan of c/web: its update back, then the deregistration of the revision it leaves. */
const rollbackPlan = {
  services: [{ cluster: 'c', service: 'web' }],
  steps: [
    { id: 'rollback:c/web', ecsService: 'c/web', operation: 'UpdateService' },
    { id: 'deregister:c/web', ecsService: 'c/web', operation: 'DeregisterTaskDefinition' },
  ],
} as unknown as Plan;

describe('a plan applied again after its rollback', () => {
  it('the rollback records its own journal in the apply journal', () => {
    const applied = applyJournal({ web: 'stable' });
    const rollback = { ...applyJournal({}), steps: { 'rollback:c/web': { status: 'done' as const } } };
    recordRollback(applied, rollbackPlan, rollback, '.meshctl/journal-bbbb.json');
    expect(applied.services['c/web']!.state).toBe('rolled-back');
    expect(applied.rolledBackBy).toBe('.meshctl/journal-bbbb.json');
  });

  it('a rollback that did not bring the service back records nothing', () => {
    const applied = applyJournal({ web: 'stable' });
    recordRollback(applied, rollbackPlan, { ...applyJournal({}), steps: { 'rollback:c/web': { status: 'failed' } } }, '.meshctl/journal-bbbb.json');
    expect(applied.rolledBackBy).toBeUndefined();
    expect(() => refuseRolledBack(applied, '.meshctl/journal-aaaa.json')).not.toThrow();
  });

  it('is refused, naming the services, the rollback journal and the way forward', () => {
    const applied = { ...applyJournal({ web: 'rolled-back', orders: 'stable' }), rolledBackBy: '.meshctl/journal-bbbb.json' };
    expect(() => refuseRolledBack(applied, '.meshctl/journal-aaaa.json')).toThrow(RolledBackPlanError);
    expect(() => refuseRolledBack(applied, '.meshctl/journal-aaaa.json')).toThrow(
      'this plan was rolled back: c/web went back to the revisions they ran before (see the rollback journal .meshctl/journal-bbbb.json), and the journal .meshctl/journal-aaaa.json records it. A rolled-back plan is not applied again: make a new plan (meshctl plan --out plan.json) and apply that',
    );
  });

  it('a journal none of whose services was rolled back resumes', () => {
    expect(() => refuseRolledBack(applyJournal({ web: 'failed', orders: 'updated' }), '.meshctl/journal-aaaa.json')).not.toThrow();
  });
});
