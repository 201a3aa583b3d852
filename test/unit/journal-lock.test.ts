// One apply or rollback per journal; a journal belongs to one plan; a journal
// changed behind a run's back is never overwritten.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockJournal, unlockById } from '../../src/apply/journal-lock.js';
import { JOURNAL_FORMAT_VERSION, JournalStore, openJournal, type Journal } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';

const fresh = (fingerprint: string): Journal => ({
  formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: fingerprint, region: 'us-east-1', target: 'service-connect', mesh: '',
  startedAt: 'now', updatedAt: '', services: {}, steps: {}, created: [],
});
const journalIn = async (sub = '') => {
  const dir = join(await mkdtemp(join(tmpdir(), 'meshctl-lock-')), sub);
  return { dir, ref: { state: localState(dir), name: 'journal-abc.json' } };
};

describe('journal lock (local state)', () => {
  it('refuses a second holder, naming the first and its lock id, and is free again once released', async () => {
    const { dir, ref } = await journalIn('.meshctl');
    const lock = await lockJournal(ref, 'meshctl apply');
    const owner = JSON.parse(await readFile(join(dir, 'journal-abc.json.lock'), 'utf8'));
    expect(owner).toMatchObject({ id: lock.id, pid: process.pid, host: hostname(), command: 'meshctl apply', journal: join(dir, 'journal-abc.json') });
    await expect(lockJournal(ref, 'meshctl rollback')).rejects.toThrow(new RegExp(`meshctl apply \\(.*pid ${process.pid} on ${hostname()}, since .*\\) holds the journal .*\\(lock ${lock.id}\\).*meshctl unlock ${lock.id}`));
    expect(await lock.release()).toBeUndefined();
    expect(existsSync(join(dir, 'journal-abc.json.lock'))).toBe(false);
    await (await lockJournal(ref, 'meshctl rollback')).release();
  });

  it('takes over the lock of a process that died without releasing it (kill -9), and says whose it was', async () => {
    const { dir, ref } = await journalIn();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(join(dir, 'journal-abc.json.lock'), JSON.stringify({ id: 'lock-of-the-dead', pid: Number(dead), host: hostname(), startedAt: 'then', command: 'meshctl apply', user: 'alice', journal: 'j' }));
    const lock = await lockJournal(ref, 'meshctl apply');
    expect(lock.tookOver).toMatchObject({ holder: { id: 'lock-of-the-dead' }, why: `its process ${dead} on this host is gone` });
    expect(JSON.parse(await readFile(join(dir, 'journal-abc.json.lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('refuses a lock held on another host, whatever its pid (it cannot tell whether that process lives), until meshctl unlock frees it by id', async () => {
    const { dir, ref } = await journalIn();
    // A pid that is dead here, one that lives here (this process), and init's.
    const deadHere = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    for (const pid of [deadHere, process.pid, 1]) {
      await writeFile(join(dir, 'journal-abc.json.lock'), JSON.stringify({ id: 'f00dfeed-1', pid, host: 'build-agent-7', startedAt: 'then', command: 'meshctl apply', user: 'ci', journal: 'j' }));
      await expect(lockJournal(ref, 'meshctl apply'), `pid ${pid}`).rejects.toThrow(new RegExp(`meshctl apply \\(ci, pid ${pid} on build-agent-7, since then\\) holds the journal .*meshctl unlock f00dfeed-1`));
      expect(JSON.parse(await readFile(join(dir, 'journal-abc.json.lock'), 'utf8')).host).toBe('build-agent-7');
    }
    await expect(unlockById(ref.state, 'no-such-lock')).rejects.toThrow(/no lock no-such-lock under .*: the locks held there are f00dfeed-1 \(meshctl apply/);
    expect(await unlockById(ref.state, 'f00dfeed-1')).toMatchObject({ host: 'build-agent-7' });
    await (await lockJournal(ref, 'meshctl apply')).release();
  });

  it('says so when .meshctl is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-lock-'));
    await writeFile(join(dir, '.meshctl'), 'not a directory');
    await expect(lockJournal({ state: localState(join(dir, '.meshctl')), name: 'journal-abc.json' }, 'meshctl apply')).rejects.toThrow(/\.meshctl is a file, not a directory/);
  });
});

describe('a journal belongs to one plan', () => {
  it('resumes the plan\'s own journal and refuses another plan\'s', async () => {
    const { ref } = await journalIn();
    await new JournalStore(ref, fresh('sha256:aaaa')).save();
    expect((await openJournal(ref, 'sha256:aaaa', () => fresh('sha256:aaaa'))).resumed).toBe(true);
    await expect(openJournal(ref, 'sha256:bbbb', () => fresh('sha256:bbbb'))).rejects.toThrow(/belongs to another plan/);
  });

  it('never overwrites a journal changed behind the run\'s back, and saves nothing after that', async () => {
    const { dir, ref } = await journalIn();
    const store = new JournalStore(ref, fresh('sha256:aaaa'));
    await store.save();
    await writeFile(join(dir, 'journal-abc.json'), JSON.stringify({ ...fresh('sha256:aaaa'), updatedAt: 'by hand' }));
    await expect(store.save()).rejects.toThrow(/could not save the journal .*journal-abc\.json: someone else changed it since this run read it/);
    expect(JSON.parse(await readFile(join(dir, 'journal-abc.json'), 'utf8')).updatedAt).toBe('by hand');
    await expect(store.save()).rejects.toThrow(/someone else changed it/);
    // A second store of the same fresh journal would create it: refused too.
    await expect(new JournalStore(ref, fresh('sha256:aaaa')).save()).rejects.toThrow(/someone else changed it/);
  });
});
