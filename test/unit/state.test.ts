// The state behind journals and locks: URLs, the lock rules (a dead local
// process, or an S3 lock's TTL), heartbeats, and a journal save that fails
// stopping the executor before its next mutation.
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../src/apply/executor.js';
import { lockJournal, unlockById } from '../../src/apply/journal-lock.js';
import { JOURNAL_FORMAT_VERSION, JournalSaveError, JournalStore } from '../../src/apply/journal.js';
import { AwsCallError, type AwsCaller } from '../../src/aws/caller.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { parseStateUrl, splitLocation, StateConflictError, staleLock, type LockRecord, type StateBackend, type WriteCondition } from '../../src/core/state.js';

/** An S3-like state in memory: versions, conditional writes, and writes that fail on demand. */
function memoryState(lockTtlMs?: number) {
  const docs = new Map<string, { text: string; etag: string }>();
  let version = 0;
  const failing = { writes: 0 };
  const backend: StateBackend = {
    kind: 's3', where: 's3://bucket/prefix', ...(lockTtlMs !== undefined && { lockTtlMs }),
    locate: (name) => `s3://bucket/prefix/${name}`,
    list: async () => [...docs.keys()].sort(),
    read: async (name) => docs.get(name),
    async write(name, text, condition?: WriteCondition) {
      if (failing.writes > 0) {
        failing.writes -= 1;
        throw new AwsCallError('s3', 'PutObject', 'InternalError', 'We encountered an internal error. Please try again.');
      }
      const current = docs.get(name);
      if (condition && 'ifNoneMatch' in condition && current) throw new StateConflictError(name, condition);
      if (condition && 'ifMatch' in condition && current?.etag !== condition.ifMatch) throw new StateConflictError(name, condition);
      version += 1;
      docs.set(name, { text, etag: `"v${version}"` });
      return `"v${version}"`;
    },
    async delete(name, ifMatch) {
      const current = docs.get(name);
      if (!current) return;
      if (ifMatch && current.etag !== ifMatch) throw new StateConflictError(name, { delete: ifMatch });
      docs.delete(name);
    },
  };
  return { backend, docs, failing };
}

const lockOf = (docs: Map<string, { text: string }>, name = 'journal-abc.json.lock') => JSON.parse(docs.get(name)!.text) as LockRecord;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('state URLs', () => {
  it('takes s3://BUCKET/PREFIX or a directory, and says what is wrong with anything else', () => {
    expect(parseStateUrl('s3://acme-meshctl/teams/shop/')).toEqual({ kind: 's3', bucket: 'acme-meshctl', prefix: 'teams/shop' });
    expect(parseStateUrl('.meshctl')).toEqual({ kind: 'local', dir: '.meshctl' });
    expect(() => parseStateUrl('s3://acme-meshctl')).toThrow(/has no prefix: give s3:\/\/acme-meshctl\/PREFIX/);
    expect(() => parseStateUrl('s3://Acme_State/x')).toThrow(/Acme_State is not an S3 bucket name/);
    expect(() => parseStateUrl('gs://bucket/x')).toThrow(/is not a state URL: expected s3:\/\/BUCKET\/PREFIX/);
  });

  it('splits a document location into its state and name', () => {
    expect(splitLocation('s3://b-1/a/b/journal-1.json')).toEqual({ state: { kind: 's3', bucket: 'b-1', prefix: 'a/b' }, name: 'journal-1.json' });
    expect(splitLocation('.meshctl/journal-1.json')).toEqual({ state: { kind: 'local', dir: '.meshctl' }, name: 'journal-1.json' });
    expect(splitLocation('plan.json')).toEqual({ state: { kind: 'local', dir: '.' }, name: 'plan.json' });
  });
});

describe('when a lock may be taken over', () => {
  const lock: LockRecord = { id: 'x', journal: 'j', command: 'meshctl apply', user: 'u', host: 'runner-1', pid: 42, startedAt: '2026-12-03T10:00:00.000Z', heartbeatAt: '2026-12-03T10:00:00.000Z', ttlSeconds: 600 };
  const at = (iso: string) => Date.parse(iso);

  it('S3: only once its heartbeat is older than the TTL it states, whatever its pid says', () => {
    const here = { host: 'runner-1', alive: () => false };
    expect(staleLock(lock, at('2026-12-03T10:09:59Z'), here, true)).toBeUndefined();
    expect(staleLock(lock, at('2026-12-03T10:10:01Z'), here, true)).toMatch(/older than its 600s TTL/);
    expect(staleLock({ ...lock, heartbeatAt: undefined }, at('2027-01-01T00:00:00Z'), here, true)).toBeUndefined();
  });

  it('locally: only when its process on this host is gone; never on another host', () => {
    expect(staleLock(lock, 0, { host: 'runner-1', alive: () => false }, false)).toMatch(/process 42 on this host is gone/);
    expect(staleLock(lock, 0, { host: 'runner-1', alive: () => true }, false)).toBeUndefined();
    expect(staleLock(lock, 0, { host: 'laptop', alive: () => false }, false)).toBeUndefined();
  });
});

describe('S3 lock: heartbeat, TTL and unlock', () => {
  const ref = (backend: StateBackend) => ({ state: backend, name: 'journal-abc.json' });

  it('refuses a live lock naming its holder, id and expiry; takes over an expired one', async () => {
    const { backend, docs } = memoryState(60_000);
    const first = await lockJournal(ref(backend), 'meshctl apply');
    expect(lockOf(docs)).toMatchObject({ id: first.id, ttlSeconds: 60, heartbeatAt: expect.any(String), journal: 's3://bucket/prefix/journal-abc.json' });
    await expect(lockJournal(ref(backend), 'meshctl apply')).rejects.toThrow(new RegExp(`meshctl apply \\(.*pid ${process.pid} .*expires .* without one\\) holds the journal s3://bucket/prefix/journal-abc.json \\(lock ${first.id}\\).*meshctl unlock ${first.id}, or wait until it expires`));
    // Its holder vanished ten minutes ago.
    const old = new Date(Date.now() - 600_000).toISOString();
    docs.set('journal-abc.json.lock', { text: JSON.stringify({ ...lockOf(docs), heartbeatAt: old }), etag: '"stale"' });
    const second = await lockJournal(ref(backend), 'meshctl apply');
    expect(second.tookOver).toMatchObject({ holder: { id: first.id }, why: expect.stringMatching(/older than its 60s TTL/) });
    // The first holder's release leaves the new holder's lock alone (it deletes only its own version).
    await first.release();
    expect(lockOf(docs).id).toBe(second.id);
    await second.release();
    expect(docs.has('journal-abc.json.lock')).toBe(false);
  });

  it('refreshes its heartbeat while held, conditional on its own version; a lock freed under it stops the run', async () => {
    const { backend, docs } = memoryState(400);
    const lock = await lockJournal(ref(backend), 'meshctl apply');
    const firstBeat = lockOf(docs).heartbeatAt!;
    await sleep(250);
    expect(Date.parse(lockOf(docs).heartbeatAt!)).toBeGreaterThan(Date.parse(firstBeat));
    expect(() => lock.check()).not.toThrow();
    // Someone ran meshctl unlock on it (they thought it was gone).
    expect((await unlockById(backend, lock.id)).id).toBe(lock.id);
    await sleep(200);
    expect(() => lock.check()).toThrow(/the lock .* was freed or taken over while this run held it.*stopped before its next change/);
    const store = new JournalStore(ref(backend), { formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '', services: {}, steps: {}, created: [] }, undefined, () => lock.check());
    await expect(store.save()).rejects.toBeInstanceOf(JournalSaveError);
    expect(docs.has('journal-abc.json')).toBe(false);
    await lock.release();
  });

  it('a lock that cannot be refreshed for its TTL expires for its holder too', async () => {
    const { backend, failing } = memoryState(300);
    const lock = await lockJournal(ref(backend), 'meshctl apply');
    failing.writes = 100;
    await sleep(450);
    expect(() => lock.check()).toThrow(/expired/);
    failing.writes = 0;
    await lock.release();
  });
});

describe('a journal save that fails', () => {
  const step = (id: string): PlanStep => ({ id, service: 'ecs', operation: 'RegisterTaskDefinition', input: { family: id }, dependsOn: [], action: 'create', resource: id });

  it('stops the executor before its next mutation, keeping in memory what AWS already has', async () => {
    const { backend, failing } = memoryState();
    const sent: string[] = [];
    const aws = { call: async (_s: string, _o: string, input: { family: string }) => { sent.push(input.family); return { taskDefinition: {} }; } } as unknown as AwsCaller;
    // Independent steps: nothing but the failed save keeps b and c from being sent.
    const steps = [step('a'), step('b'), step('c')];
    const store = new JournalStore({ state: backend, name: 'journal-x.json' }, { formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '', services: {}, steps: {}, created: [] });
    await store.save();
    // a's "running" lands, a is sent, then saving a's "done" fails (after the SDK's retries); the state would take the next write.
    const save = backend.write.bind(backend);
    let writes = 0;
    backend.write = (name, text, condition) => { writes += 1; if (writes === 2) failing.writes = 1; return save(name, text, condition); };
    const run = runSteps(steps, { callerOf: () => aws, plan: { steps } as Plan, store, outputs: new Map(), sourceTaskDefinitions: {}, concurrency: 1 });
    await expect(run).rejects.toThrow(/could not save the journal s3:\/\/bucket\/prefix\/journal-x\.json: AWS s3:PutObject failed \(InternalError\)/);
    expect(sent).toEqual(['a']);
    expect(store.journal.steps.a?.status).toBe('done');
    // b and c were never sent: neither running nor failed.
    expect([store.journal.steps.b?.status, store.journal.steps.c?.status]).toEqual(['pending', 'pending']);
    // The state still says a was running: a re-run adopts rather than sends it twice.
    expect(JSON.parse((await backend.read('journal-x.json'))!.text).steps.a.status).toBe('running');
  });
});
