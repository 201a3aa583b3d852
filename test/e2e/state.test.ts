// The state without an account: meshctl.yaml's state: validated, the IAM
// statements for an S3 state, --fixtures refusing an S3 state, unlock on a
// local state, and state push from one directory to another.
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, ROOT, runCli } from '../support/cli.js';

const DEMO = ['--fixtures', join(ROOT, 'fixtures/demo')];
const tempDir = () => mkdtemp(join(tmpdir(), 'meshctl-state-e2e-'));

describe('state: in meshctl.yaml', () => {
  it('is validated, naming the field and the fix', async () => {
    const dir = await tempDir();
    const cases: [string, RegExp][] = [
      ['state: s3://acme-state', /state\.url: s3:\/\/acme-state has no prefix: give s3:\/\/acme-state\/PREFIX/],
      ['state: { url: s3://Bad_Bucket/x }', /state\.url: .*Bad_Bucket is not an S3 bucket name/],
      ['state: { url: s3://acme-state/shop, account: nobody }', /state\.account: no account nobody under accounts: \(the accounts are caller\)/],
      ['state: { url: s3://acme-state/shop, kmsKeyId: alias/meshctl }', /state\.kmsKeyId: expected a KMS key ARN/],
      ['state: { url: s3://acme-state/shop, lockTtl: 500ms }', /state\.lockTtl: at least 1s/],
      ['state: { url: .shared-state, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }', /state\.kmsKeyId: kmsKeyId is for an S3 state/],
    ];
    for (const [yaml, error] of cases) {
      await writeFile(join(dir, 'meshctl.yaml'), `${yaml}\n`);
      const result = await runCli(['iam-policy'], isolatedEnv(), dir);
      expect(result.code, yaml).toBe(2);
      expect(result.stderr, yaml).toMatch(error);
    }
    expect((await runCli(['status', ...DEMO, '--state', 'gs://elsewhere/x'], isolatedEnv(), await tempDir())).stderr).toMatch(/gs:\/\/elsewhere\/x is not a state URL: expected s3:\/\/BUCKET\/PREFIX/);
  });

  it('iam-policy covers the state bucket: objects under the prefix, listing the prefix only, its settings, and the KMS key', async () => {
    const dir = await tempDir();
    const key = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await writeFile(join(dir, 'meshctl.yaml'), `state: { url: s3://acme-state/teams/shop, kmsKeyId: "${key}" }\n`);
    const policy = JSON.parse((await runCli(['iam-policy'], isolatedEnv(), dir)).stdout) as { Statement: { Sid: string; Action: string[]; Resource: unknown; Condition?: unknown }[] };
    const sid = (name: string) => policy.Statement.find((s) => s.Sid === name);
    expect(sid('MeshctlStateObjects')).toMatchObject({ Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::acme-state/teams/shop/*'] });
    expect(sid('MeshctlStateList')).toMatchObject({ Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::acme-state'], Condition: { StringEquals: { 's3:prefix': 'teams/shop/' } } });
    expect(sid('MeshctlStateBucketSettings')).toMatchObject({ Action: ['s3:GetBucketVersioning', 's3:GetEncryptionConfiguration'] });
    expect(sid('MeshctlStateKey')).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [key] });
    // --state over the config: the statements follow it; a local state needs none.
    const local = JSON.parse((await runCli(['iam-policy', '--state', '.meshctl'], isolatedEnv(), dir)).stdout) as { Statement: { Sid: string }[] };
    expect(local.Statement.map((s) => s.Sid)).not.toContain('MeshctlStateObjects');
  });

  it('over several accounts, the statements go to the policy of the account that reaches the bucket', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'meshctl.yaml'), [
      'state: { url: s3://acme-state/shop, account: tools }',
      'accounts:',
      '  provider: { roleArn: "arn:aws:iam::111111111111:role/meshctl" }',
      '  tools: { roleArn: "arn:aws:iam::333333333333:role/meshctl-state" }',
    ].join('\n'));
    const policies = JSON.parse((await runCli(['iam-policy'], isolatedEnv(), dir)).stdout) as { account: string; policy: { Statement: { Sid: string }[] } }[];
    const withState = policies.filter((p) => p.policy.Statement.some((s) => s.Sid === 'MeshctlStateObjects')).map((p) => p.account);
    expect(withState).toEqual(['tools']);
  });

  it('--fixtures reaches no S3: an S3 state is refused with the fix', async () => {
    const result = await runCli(['status', ...DEMO, '--state', 's3://acme-state/shop'], isolatedEnv(), await tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--fixtures replays a recording and reaches no S3, so the state s3://acme-state/shop cannot be read: pass --state .meshctl');
  });
});

const journal = (fingerprint: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  formatVersion: 1, tool: 'meshctl', planFingerprint: `sha256:${fingerprint}`, region: 'us-east-1', target: 'service-connect', mesh: '',
  startedAt: '2026-12-03T10:00:00.000Z', updatedAt: '2026-12-03T10:00:00.000Z', services: {}, steps: {}, created: [], ...extra,
}, null, 2);

describe('meshctl unlock and state push on local states', () => {
  it('unlock frees a lock by its id, and only that one', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.meshctl'));
    await writeFile(join(dir, '.meshctl', 'journal-aaaa.json.lock'), JSON.stringify({ id: 'b2c1-dead-runner', journal: '.meshctl/journal-aaaa.json', command: 'meshctl apply', user: 'ci', host: 'runner-9', pid: 77, startedAt: 'then' }));
    const wrong = await runCli(['unlock', 'a0a0-nope'], isolatedEnv(), dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no lock a0a0-nope under .meshctl/: the locks held there are b2c1-dead-runner (meshctl apply (ci, pid 77 on runner-9, since then) on .meshctl/journal-aaaa.json)');
    const freed = await runCli(['unlock', 'b2c1-dead-runner'], isolatedEnv(), dir);
    expect(freed.code, freed.stderr).toBe(0);
    expect(freed.stdout).toContain('freed the lock b2c1-dead-runner on .meshctl/journal-aaaa.json, held by meshctl apply (ci, pid 77 on runner-9');
    expect(await readdir(join(dir, '.meshctl'))).toEqual([]);
  });

  it('state push copies journals and saved plans, pointing the journals at the new place; never overwrites different content', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.meshctl'));
    await writeFile(join(dir, '.meshctl', 'journal-aaaa.json'), journal('aaaa', { pendingRollback: '.meshctl/rollback-bbbb.json' }));
    await writeFile(join(dir, '.meshctl', 'rollback-bbbb.json'), '{"plan":"saved"}\n');
    await writeFile(join(dir, '.meshctl', 'notes.txt'), 'not state');
    const pushed = await runCli(['state', 'push', '--state', 'shared'], isolatedEnv(), dir);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain('2 document(s) pushed to shared');
    expect((await readdir(join(dir, 'shared'))).sort()).toEqual(['journal-aaaa.json', 'rollback-bbbb.json']);
    expect(JSON.parse(await readFile(join(dir, 'shared', 'journal-aaaa.json'), 'utf8')).pendingRollback).toBe('shared/rollback-bbbb.json');
    // Again: nothing new, nothing refused.
    expect((await runCli(['state', 'push', '--state', 'shared'], isolatedEnv(), dir)).stdout).toContain('0 document(s) pushed to shared, 2 already there');
    // A journal that moved on there is never overwritten, and then nothing is pushed.
    await writeFile(join(dir, 'shared', 'journal-aaaa.json'), journal('aaaa', { updatedAt: '2026-12-03T11:00:00.000Z' }));
    await writeFile(join(dir, '.meshctl', 'journal-cccc.json'), journal('cccc'));
    const refused = await runCli(['state', 'push', '--state', 'shared'], isolatedEnv(), dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('shared/journal-aaaa.json already exists with other content: nothing was pushed');
    expect(await readdir(join(dir, 'shared'))).not.toContain('journal-cccc.json');
  });

  it('state push refuses while a run holds a journal here, and when there is nothing to push', async () => {
    const dir = await tempDir();
    expect((await runCli(['state', 'push', '--state', 'shared'], isolatedEnv(), dir)).stderr).toContain('nothing to push: no journal or saved plan under .meshctl/');
    await mkdir(join(dir, '.meshctl'));
    await writeFile(join(dir, '.meshctl', 'journal-aaaa.json'), journal('aaaa'));
    await writeFile(join(dir, '.meshctl', 'journal-aaaa.json.lock'), JSON.stringify({ id: 'c3-live', journal: '.meshctl/journal-aaaa.json', command: 'meshctl apply', user: 'me', host: 'here', pid: 1, startedAt: 'now' }));
    const held = await runCli(['state', 'push', '--state', 'shared'], isolatedEnv(), dir);
    expect(held.code).toBe(2);
    expect(held.stderr).toContain('a run holds .meshctl/journal-aaaa.json by meshctl apply (me, pid 1 on here, since now) (lock c3-live): push once it ended');
    expect((await runCli(['state', 'push'], isolatedEnv(), dir)).stderr).toContain('the state is .meshctl itself');
  });
});
