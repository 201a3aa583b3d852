// Waiting for RAM to let a consumer account in: an invitation to accept, or
// an association made without one; never a conclusion from one empty listing.
import { describe, expect, it } from 'vitest';
import { awaitShareAccess, ShareAccessError } from '../../src/apply/share-access.js';
import type { AwsCaller } from '../../src/aws/caller.js';

const SHARE = 'arn:aws:ram:us-east-1:111111111111:resource-share/abc';
const CONSUMER = '123456789012';
const INVITATION = 'arn:aws:ram:us-east-1:111111111111:resource-share-invitation/inv-1';

/** RAM as the consumer and the owner see it, poll after poll: each list gives one answer per poll (the last one repeats). */
function ram(script: { invitations: string[][]; associations: (string | undefined)[] }) {
  const calls: string[] = [];
  let invitationPolls = 0;
  let associationPolls = 0;
  const pick = <T>(list: T[], i: number) => list[Math.min(i, list.length - 1)]!;
  const consumer: AwsCaller = {
    async call<T>(_service: string, operation: string): Promise<T> {
      calls.push(`consumer ${operation}`);
      if (operation === 'AcceptResourceShareInvitation') return { resourceShareInvitation: { resourceShareInvitationArn: INVITATION, status: 'ACCEPTED' } } as T;
      const statuses = pick(script.invitations, invitationPolls++);
      return { resourceShareInvitations: statuses.map((status) => ({ resourceShareInvitationArn: INVITATION, resourceShareArn: SHARE, status })) } as T;
    },
  };
  const owner: AwsCaller = {
    async call<T>(_service: string, operation: string, input: Record<string, unknown>): Promise<T> {
      calls.push(`owner ${operation} ${String(input.associationType)} ${String(input.principal)}`);
      const status = pick(script.associations, associationPolls++);
      return { resourceShareAssociations: status ? [{ resourceShareArn: SHARE, associatedEntity: CONSUMER, associationType: 'PRINCIPAL', status }] : [] } as T;
    },
  };
  return { callers: { consumer, owner }, calls };
}

function clock() {
  let now = 0;
  const slept: number[] = [];
  const waits: string[] = [];
  return { now: () => now, sleep: async (ms: number) => { slept.push(ms); now += ms; }, slept, waits, onWait: (line: string) => waits.push(line) };
}

describe('awaitShareAccess', () => {
  it('waits for an invitation that shows late, then accepts it, with progress while it waits', async () => {
    const { callers, calls } = ram({ invitations: [[], [], ['PENDING']], associations: ['ASSOCIATING'] });
    const time = clock();
    const access = await awaitShareAccess(callers, SHARE, CONSUMER, { timeoutMs: 60_000, pollMs: 5_000, ...time });
    expect(access).toMatchObject({ how: 'invitation-accepted', detail: 'invitation accepted (it showed after 10s)' });
    expect(time.slept).toEqual([5_000, 5_000]);
    expect(time.waits).toEqual([
      'waiting for RAM share abc: no invitation to account 123456789012 yet, and the share\'s association is ASSOCIATING (0s of 60s)',
      'waiting for RAM share abc: no invitation to account 123456789012 yet, and the share\'s association is ASSOCIATING (5s of 60s)',
    ]);
    // The association is read in the owner's account, for this consumer.
    expect(calls.filter((c) => c.startsWith('owner'))).toEqual(Array(2).fill(`owner GetResourceShareAssociations PRINCIPAL ${CONSUMER}`));
    expect(calls.at(-1)).toBe('consumer AcceptResourceShareInvitation');
  });

  it('never concludes "one Organization" from one empty listing: it waits for the association to be ASSOCIATED, and says so', async () => {
    const { callers, calls } = ram({ invitations: [[]], associations: [undefined, 'ASSOCIATING', 'ASSOCIATED'] });
    const time = clock();
    const access = await awaitShareAccess(callers, SHARE, CONSUMER, { timeoutMs: 60_000, pollMs: 5_000, ...time });
    expect(access.how).toBe('associated-without-invitation');
    expect(access.detail).toBe('no invitation: the share\'s association with account 123456789012 is ASSOCIATED (one AWS Organization with RAM sharing enabled), after 10s');
    expect(time.waits[0]).toContain('the share\'s association is not listed');
    expect(calls).not.toContain('consumer AcceptResourceShareInvitation');
  });

  it('gives up after the timeout, bounded, saying what it saw and what to check', async () => {
    const { callers } = ram({ invitations: [[]], associations: ['ASSOCIATING'] });
    const time = clock();
    await expect(awaitShareAccess(callers, SHARE, CONSUMER, { timeoutMs: 12_000, pollMs: 5_000, ...time }))
      .rejects.toThrow(new ShareAccessError(`RAM share ${SHARE}: no invitation to account ${CONSUMER} yet, and the share's association is ASSOCIATING after 12s; check the share in its owner's account (aws ram get-resource-share-associations --association-type PRINCIPAL) and run apply again`));
    // The last sleep stops at the deadline.
    expect(time.slept).toEqual([5_000, 5_000, 2_000]);
  });

  it('an invitation already accepted is access; a rejected one or a failed association stops at once', async () => {
    const time = clock();
    expect((await awaitShareAccess(ram({ invitations: [['ACCEPTED']], associations: [] }).callers, SHARE, CONSUMER, { timeoutMs: 1, pollMs: 1, ...time })).how).toBe('invitation-already-accepted');
    await expect(awaitShareAccess(ram({ invitations: [['REJECTED']], associations: [] }).callers, SHARE, CONSUMER, { timeoutMs: 60_000, pollMs: 1, ...time })).rejects.toThrow(/invitation to RAM share .* is REJECTED: ask the owner to share it again/);
    await expect(awaitShareAccess(ram({ invitations: [[]], associations: ['FAILED'] }).callers, SHARE, CONSUMER, { timeoutMs: 60_000, pollMs: 1, ...time })).rejects.toThrow(/association with account 123456789012 is FAILED/);
    expect(time.slept).toEqual([]);
  });
});
