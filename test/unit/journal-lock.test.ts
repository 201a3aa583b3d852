// One apply or rollback per journal; a journal belongs to one plan.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockJournal } from '../../src/apply/journal-lock.js';
import { JOURNAL_FORMAT_VERSION, JournalStore, openJournal, type Journal } from '../../src/apply/journal.js';

const fresh = (fingerprint: string): Journal => ({
  formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: fingerprint, region: 'us-east-1', target: 'service-connect', mesh: '',
  startedAt: 'now', updatedAt: '', services: {}, steps: {}, created: [],
});

describe('journal lock', () => {
  it('refuses a second holder, naming the first, and is free again once released', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'meshctl-lock-')), '.meshctl', 'journal-abc.json');
    const release = await lockJournal(path, 'meshctl apply');
    const owner = JSON.parse(await readFile(`${path}.lock`, 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: 'meshctl apply' });
    await expect(lockJournal(path, 'meshctl rollback')).rejects.toThrow(new RegExp(`meshctl apply \\(pid ${process.pid} on ${hostname()}, since .*\\) holds the journal`));
    await release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    await (await lockJournal(path, 'meshctl rollback'))();
  });

  it('takes over the lock of a process that died without releasing it (kill -9)', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'meshctl-lock-')), 'journal-abc.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(`${path}.lock`, JSON.stringify({ pid: Number(dead), host: hostname(), startedAt: 'then', command: 'meshctl apply' }));
    const release = await lockJournal(path, 'meshctl apply');
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    await release();
  });

  it('refuses a lock held on another host: it cannot tell whether that process lives', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'meshctl-lock-')), 'journal-abc.json');
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 1, host: 'build-agent-7', startedAt: 'then', command: 'meshctl apply' }));
    await expect(lockJournal(path, 'meshctl apply')).rejects.toThrow(/meshctl apply \(pid 1 on build-agent-7, since then\) holds the journal .*remove .*\.lock/);
  });

  it('says so when .meshctl is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-lock-'));
    await writeFile(join(dir, '.meshctl'), 'not a directory');
    await expect(lockJournal(join(dir, '.meshctl', 'journal-abc.json'), 'meshctl apply')).rejects.toThrow(/\.meshctl is a file, not a directory/);
  });
});

describe('a journal belongs to one plan', () => {
  it('resumes the plan\'s own journal and refuses another plan\'s', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'meshctl-journal-')), 'journal-abc.json');
    await new JournalStore(path, fresh('sha256:aaaa')).save();
    expect((await openJournal(path, 'sha256:aaaa', () => fresh('sha256:aaaa'))).resumed).toBe(true);
    await expect(openJournal(path, 'sha256:bbbb', () => fresh('sha256:bbbb'))).rejects.toThrow(/belongs to another plan/);
  });
});
