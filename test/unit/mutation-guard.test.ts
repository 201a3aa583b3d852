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
});
