// The statements iam-policy prints for an S3 state let every call the state
// sends run (each call recorded from the S3 backend itself, its needs read
// off the state's rows of the requirements table, evaluated with the test
// evaluator), and nothing beyond the bucket and the prefix.
import { describe, expect, it } from 'vitest';
import { s3State } from '../../src/aws/s3-state.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import { stateBucketStatements } from '../../src/core/iam-state-policy.js';
import { actionGrants } from '../../src/core/iam/grants.js';
import { STATE_REQUIREMENTS } from '../../src/core/iam/rows/state.js';
import { lockJournal, unlockById } from '../../src/apply/journal-lock.js';
import { isAllowed, type EvaluatedStatement } from '../support/iam-evaluator.js';

const KEY = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Every call the S3 state sends while a run takes, refreshes and frees a lock, writes and lists journals and precheck reads the bucket. */
async function stateCalls(kmsKeyId?: string): Promise<{ operation: string; input: Record<string, unknown> }[]> {
  const calls: { operation: string; input: Record<string, unknown> }[] = [];
  const objects = new Map<string, string>();
  const aws = {
    async call(_service: string, operation: string, input: Record<string, unknown>) {
      calls.push({ operation, input });
      const key = String(input.Key);
      if (operation === 'PutObject') { objects.set(key, String(input.Body)); return { ETag: `"${objects.size}"` }; }
      if (operation === 'GetObject') return { Body: objects.get(key) ?? '', ETag: '"1"' };
      if (operation === 'DeleteObject') { objects.delete(key); return {}; }
      if (operation === 'ListObjectsV2') return { Contents: [...objects.keys()].map((k) => ({ Key: k })) };
      return {};
    },
  } as unknown as AwsCaller;
  const state = s3State(aws, { bucket: 'acme-state', prefix: 'teams/shop', lockTtlMs: 60_000, ...(kmsKeyId && { kmsKeyId }) });
  const lock = await lockJournal({ state, name: 'journal-abc.json' }, 'meshctl apply');
  const etag = await state.write('journal-abc.json', '{}', { ifNoneMatch: '*' });
  await state.write('journal-abc.json', '{"v":2}', { ifMatch: etag });
  await state.read('journal-abc.json');
  await lock.release();
  await lockJournal({ state, name: 'journal-abc.json' }, 'meshctl apply');
  await unlockById(state, (JSON.parse(objects.get('teams/shop/journal-abc.json.lock')!) as { id: string }).id);
  await state.readBucketSettings!();
  return calls;
}

/** What a call needs, as the state's rows say, each as an IAM request. */
function requests(call: { operation: string; input: Record<string, unknown> }) {
  const row = STATE_REQUIREMENTS[`s3 ${call.operation}`];
  if (!row) throw new Error(`no row for s3 ${call.operation} in src/core/iam/rows/state.ts`);
  return actionGrants(row, { partition: 'aws', region: '', account: '', input: call.input, stepOf: () => undefined })
    .flatMap((g) => g.resources.map((resource) => ({ action: g.action, resource, ...(g.context && { context: g.context }) })));
}

const policyOf = (kmsKeyId?: string) => ({ Statement: stateBucketStatements({ bucket: 'acme-state', prefix: 'teams/shop', ...(kmsKeyId && { kmsKeyId }) }, 'aws') as EvaluatedStatement[] });

describe('the IAM statements of an S3 state', () => {
  it('allow every call the state sends, with and without a KMS key', async () => {
    for (const kms of [undefined, KEY]) {
      const calls = await stateCalls(kms);
      expect(new Set(calls.map((c) => c.operation))).toEqual(new Set(['PutObject', 'GetObject', 'DeleteObject', 'ListObjectsV2', 'GetBucketVersioning', 'GetBucketEncryption']));
      const denied = calls.flatMap(requests).filter((r) => !isAllowed(policyOf(kms), r));
      expect(denied, kms ?? 'no key').toEqual([]);
      if (kms) expect(calls.flatMap(requests).map((r) => r.action)).toContain('kms:GenerateDataKey');
    }
  });

  it('allow nothing outside the prefix, no other listing, and no other key', () => {
    const policy = policyOf(KEY);
    expect(isAllowed(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::acme-state/teams/other/journal-1.json' })).toBe(false);
    expect(isAllowed(policy, { action: 's3:PutObject', resource: 'arn:aws:s3:::other-bucket/teams/shop/journal-1.json' })).toBe(false);
    expect(isAllowed(policy, { action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-state', context: { 's3:prefix': 'teams/' } })).toBe(false);
    expect(isAllowed(policy, { action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-state' })).toBe(false);
    expect(isAllowed(policy, { action: 'kms:GenerateDataKey', resource: KEY.replace('1234abcd', 'ffffffff') })).toBe(false);
    expect(policy.Statement.flatMap((s) => s.Action)).not.toContain('kms:Encrypt');
  });
});
