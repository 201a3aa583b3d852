import { describe, expect, it } from 'vitest';
import { guardMutations, isReadOnly, MutationRefusedError, type AwsCaller } from '../../src/aws/caller.js';
import { openSession } from '../../src/aws/session.js';

describe('mutation guard', () => {
  const sent: string[] = [];
  const inner: AwsCaller = { call: async (_s, operation) => { sent.push(operation); return {} as never; } };

  it('classifies operations by verb', () => {
    expect(['DescribeServices', 'ListTasks', 'GetNamespace'].every(isReadOnly)).toBe(true);
    expect(['RegisterTaskDefinition', 'UpdateService', 'CreateMesh', 'DeleteVirtualNode', 'DeregisterTaskDefinition', 'TagResource'].some(isReadOnly)).toBe(false);
  });

  it('refuses mutations without sending them, and lets reads through', async () => {
    sent.length = 0;
    const guarded = guardMutations(inner, false);
    await expect(guarded.call('ecs', 'UpdateService', {})).rejects.toBeInstanceOf(MutationRefusedError);
    await guarded.call('ecs', 'DescribeServices', {});
    expect(sent).toEqual(['DescribeServices']);
  });

  it('is applied to every session the AWS layer opens', async () => {
    const session = await openSession({ fixtures: 'fixtures/demo', allowMutations: false });
    await expect(session.aws.call('ecs', 'RegisterTaskDefinition', { family: 'x' })).rejects.toBeInstanceOf(MutationRefusedError);
  });

  it('guards every account of a run over several accounts', async () => {
    const session = await openSession({
      fixtures: 'fixtures/two-accounts', allowMutations: false,
      accounts: { provider: { roleArn: 'arn:aws:iam::111111111111:role/meshctl' } },
    });
    expect(session.accounts.map((a) => [a.name, a.id])).toEqual([['caller', '123456789012'], ['provider', '111111111111']]);
    for (const account of session.accounts) {
      await expect(account.aws.call('ram', 'CreateResourceShare', { name: 'x' })).rejects.toBeInstanceOf(MutationRefusedError);
    }
  });
});
