// One apply, rollback, finalize or shift per journal at a time. The lock is a
// document created only if none is there (O_EXCL locally, If-None-Match '*'
// on S3) beside the journal, naming its holder (id, user, host, pid, start,
// command). It is released when the run ends. A lock whose holder is gone is
// taken over: locally when its process on this host is dead (a SIGKILLed
// apply); on S3 only once its heartbeat, refreshed while it is held, is older
// than the TTL it states. Otherwise `meshctl unlock LOCK-ID` frees it, as
// `terraform force-unlock` does; the id is in every refusal.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { describeHolder, inState, lockName, locationOf, StateConflictError, staleLock, type LockRecord, type StateBackend, type StateRef } from '../core/state.js';
import { ExpectedError } from '../util/expected-error.js';

export class JournalLockError extends ExpectedError {}

export interface HeldLock {
  id: string;
  /** The lock this run took over, and why it could. */
  tookOver?: { holder: LockRecord; why: string };
  /** Throws once the lock is lost (unlocked, taken over, or expired without a heartbeat): nothing more may be changed. */
  check(): void;
  /** Releases the lock; says why when it could not. */
  release(): Promise<string | undefined>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

const parseLock = (text: string): LockRecord | undefined => {
  try {
    const lock = JSON.parse(text) as LockRecord;
    return typeof lock === 'object' && lock !== null ? lock : undefined;
  } catch {
    return undefined;
  }
};

const text = (lock: LockRecord) => `${JSON.stringify(lock, null, 2)}\n`;

function refusal(ref: StateRef, holder: LockRecord | undefined): JournalLockError {
  const journal = locationOf(ref);
  if (!holder?.id) return new JournalLockError(`another meshctl holds the journal ${journal} (its lock ${locationOf({ ...ref, name: lockName(ref.name) })} is unreadable): wait for it to finish; if it is gone, remove that lock`);
  const expiry = ref.state.lockTtlMs ? ', or wait until it expires' : '';
  return new JournalLockError(`${describeHolder(holder)} holds the journal ${journal} (lock ${holder.id}): wait for it to finish; if it is gone, free it with meshctl unlock ${holder.id}${expiry}`);
}

/** Takes the lock of the journal at `ref` for `command`. */
export async function lockJournal(ref: StateRef, command: string): Promise<HeldLock> {
  const { state } = ref;
  const name = lockName(ref.name);
  const ttlMs = state.lockTtlMs;
  const started = new Date().toISOString();
  const lock: LockRecord = {
    id: randomUUID(), journal: locationOf(ref), command, user: currentUser(), host: hostname(), pid: process.pid, startedAt: started,
    ...(ttlMs && { heartbeatAt: started, ttlSeconds: ttlMs / 1000 }),
  };
  let tookOver: HeldLock['tookOver'];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const etag = await state.write(name, text(lock), { ifNoneMatch: '*' });
      return held(state, name, lock, etag, tookOver);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
    }
    const found = await state.read(name);
    if (!found) continue;
    const holder = parseLock(found.text);
    const why = staleLock(holder, Date.now(), { host: lock.host, alive }, ttlMs !== undefined);
    if (!why) throw refusal(ref, holder);
    // Only the version judged stale goes: a holder that just refreshed it keeps it.
    await state.delete(name, found.etag).catch((error: unknown) => { if (!(error instanceof StateConflictError)) throw error; });
    tookOver = { holder: holder!, why };
  }
  throw new JournalLockError(`could not take the lock of ${locationOf(ref)}: another meshctl took it first; try again`);
}

function held(state: StateBackend, name: string, lock: LockRecord, firstEtag: string, tookOver: HeldLock['tookOver']): HeldLock {
  let etag = firstEtag;
  let lastBeat = Date.now();
  let lost: string | undefined;
  let beating: Promise<void> | undefined;
  const ttlMs = state.lockTtlMs;
  const expired = () => ttlMs !== undefined && Date.now() - lastBeat > ttlMs;
  const beat = async () => {
    const at = new Date();
    const next = { ...lock, heartbeatAt: at.toISOString() };
    try {
      etag = await state.write(name, text(next), { ifMatch: etag });
      lastBeat = at.getTime();
    } catch (error) {
      if (error instanceof StateConflictError) lost = `the lock ${lock.id} of ${lock.journal} was freed or taken over while this run held it (meshctl unlock, or it expired)`;
      else if (expired()) lost = `the lock ${lock.id} of ${lock.journal} expired: no heartbeat could be written for ${ttlMs! / 1000}s (${(error as Error).message})`;
    }
  };
  const timer = ttlMs ? setInterval(() => { beating ??= beat().finally(() => { beating = undefined; }); }, Math.max(ttlMs / 4, 100)) : undefined;
  timer?.unref();
  // A local lock goes with its process, however it exits (but kill -9).
  const releaseOnExit = () => state.deleteNow?.(name);
  if (state.deleteNow) process.once('exit', releaseOnExit);
  return {
    id: lock.id,
    ...(tookOver && { tookOver }),
    check() {
      if (!lost && expired()) lost = `the lock ${lock.id} of ${lock.journal} expired: its last heartbeat is more than ${ttlMs! / 1000}s old`;
      if (lost) throw new JournalLockError(`${lost}; this run stopped before its next change`);
    },
    async release() {
      if (timer) clearInterval(timer);
      process.removeListener('exit', releaseOnExit);
      await beating;
      if (lost) return undefined;
      try {
        await state.delete(name, etag);
        return undefined;
      } catch (error) {
        if (error instanceof StateConflictError) return undefined;
        return `could not release the lock ${lock.id} of ${lock.journal} ${inState(state)} (${(error as Error).message}): free it with meshctl unlock ${lock.id}`;
      }
    },
  };
}

/** `meshctl unlock LOCK-ID`: removes that lock (the version read, so a re-taken lock stays), returning what it said. */
export async function unlockById(state: StateBackend, id: string): Promise<LockRecord> {
  const names = (await state.list()).filter((n) => n.endsWith('.lock'));
  const locks = await Promise.all(names.map(async (name) => {
    const found = await state.read(name);
    return { name, found, lock: found ? parseLock(found.text) : undefined };
  }));
  const match = locks.find((l) => l.lock?.id === id);
  if (!match) {
    const heldNow = locks.filter((l) => l.lock?.id).map((l) => `${l.lock!.id} (${describeHolder(l.lock!)} on ${l.lock!.journal})`);
    throw new JournalLockError(`no lock ${id} ${inState(state)}: ${heldNow.length > 0 ? `the locks held there are ${heldNow.join('; ')}` : 'no lock is held there'}`);
  }
  try {
    await state.delete(match.name, match.found!.etag);
  } catch (error) {
    if (error instanceof StateConflictError) throw new JournalLockError(`the lock ${id} changed while it was being freed (its holder is alive and refreshed it): nothing was unlocked; check who holds it with meshctl status`);
    throw error;
  }
  return match.lock!;
}
