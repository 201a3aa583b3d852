// One apply or rollback per journal at a time. The lock is a file created
// atomically (O_EXCL) beside the journal, naming its owner (pid, host, start
// time, command); it is removed on exit. A lock whose owner is a dead process
// on this host (a SIGKILLed apply) is taken over; any other held lock is
// refused, naming the holder.
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ExpectedError } from '../util/expected-error.js';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export class JournalLockError extends ExpectedError {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the journal's directory, saying clearly when it cannot. */
export async function ensureJournalDir(journalPath: string): Promise<void> {
  const dir = dirname(journalPath);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new JournalLockError(`${dir} is a file, not a directory: meshctl keeps its journals there; move the file away`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new JournalLockError(`cannot write ${dir} (${code}): meshctl keeps its journals there; run from a writable directory`);
    throw error;
  }
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
    await handle.close();
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new JournalLockError(`cannot write ${lockPath} (${code}); run from a writable directory`);
    throw error;
  }
}

/** Takes the journal's lock for `command`; returns its release. */
export async function lockJournal(journalPath: string, command: string): Promise<() => Promise<void>> {
  await ensureJournalDir(journalPath);
  const lockPath = `${journalPath}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (await tryCreate(lockPath, owner)) {
      const releaseOnExit = () => { try { unlinkSync(lockPath); } catch { /* already gone */ } };
      process.once('exit', releaseOnExit);
      return async () => {
        process.removeListener('exit', releaseOnExit);
        await unlink(lockPath).catch(() => undefined);
      };
    }
    let holder: LockOwner | undefined;
    try {
      holder = JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
    } catch {
      holder = undefined;
    }
    const dead = holder && holder.host === owner.host && !alive(holder.pid);
    if (!dead) {
      const who = holder ? `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})` : 'another meshctl (unreadable lock)';
      throw new JournalLockError(`${who} holds the journal ${journalPath}: wait for it to finish; if that process is gone, remove ${lockPath}`);
    }
    // The owner died without releasing (kill -9): take the lock over.
    await unlink(lockPath).catch(() => undefined);
  }
  throw new JournalLockError(`could not take the lock ${lockPath}: another meshctl took it first; try again`);
}
