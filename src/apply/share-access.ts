// When a consumer account can use what another account shared with it
// through AWS RAM. Outside the owner's AWS Organization, RAM sends an
// invitation the consumer accepts; inside it (with sharing enabled) none
// comes, and the share's principal association turns ASSOCIATED. Neither is
// there the moment the share is made (RAM associates principals
// asynchronously: AWS RAM API Reference, AssociateResourceShare and
// GetResourceShareAssociations, status ASSOCIATING), so one empty listing
// proves nothing: this waits, bounded, until one of them shows, and says which.
import type { AwsCaller } from '../aws/caller.js';
import { ExpectedError } from '../util/expected-error.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface ShareAccessOptions {
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told each time the wait goes on, with what is seen so far. */
  onWait?: (line: string) => void;
}

export interface ShareAccess {
  /** How the consumer got in: an invitation accepted now or before, or an association RAM made without one. */
  how: 'invitation-accepted' | 'invitation-already-accepted' | 'associated-without-invitation';
  /** Said to people: which, and after how long. */
  detail: string;
  output: Raw;
}

/** RAM turned the share down for this account: waiting longer changes nothing. */
export class ShareAccessError extends ExpectedError {}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/**
 * The consumer's invitation (read and accepted with its own credentials), or
 * else the share's association with it (read in the owner's account: RAM
 * lists associations of shares one owns, GetResourceShareAssociations).
 */
export async function awaitShareAccess(
  callers: { consumer: AwsCaller; owner: AwsCaller }, share: string, consumerAccount: string, options: ShareAccessOptions,
): Promise<ShareAccess> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const started = now();
  for (;;) {
    const listed = await callers.consumer.call<Raw>('ram', 'GetResourceShareInvitations', { resourceShareArns: [share] });
    const invitations = (listed.resourceShareInvitations ?? []) as Raw[];
    const pending = invitations.find((i) => i.status === 'PENDING');
    const waited = seconds(now() - started);
    if (pending) {
      const output = await callers.consumer.call<Raw>('ram', 'AcceptResourceShareInvitation', {
        resourceShareInvitationArn: pending.resourceShareInvitationArn, clientToken: String(pending.resourceShareInvitationArn).slice(-64),
      });
      return { how: 'invitation-accepted', detail: `invitation accepted (it showed after ${waited})`, output };
    }
    if (invitations.some((i) => i.status === 'ACCEPTED')) return { how: 'invitation-already-accepted', detail: 'invitation already accepted', output: { accepted: false, reason: 'already accepted' } };
    const refused = invitations.find((i) => i.status === 'REJECTED' || i.status === 'EXPIRED');
    if (refused) throw new ShareAccessError(`account ${consumerAccount}'s invitation to RAM share ${share} is ${refused.status}: ask the owner to share it again (aws ram associate-resource-share), then run apply again`);

    const associations = await callers.owner.call<Raw>('ram', 'GetResourceShareAssociations', { associationType: 'PRINCIPAL', resourceShareArns: [share], principal: consumerAccount });
    const association = ((associations.resourceShareAssociations ?? []) as Raw[]).find((a) => a.associatedEntity === consumerAccount);
    if (association?.status === 'ASSOCIATED') {
      const reason = `no invitation: the share's association with account ${consumerAccount} is ASSOCIATED (one AWS Organization with RAM sharing enabled)`;
      return { how: 'associated-without-invitation', detail: `${reason}, after ${waited}`, output: { accepted: false, reason } };
    }
    if (association?.status === 'FAILED' || association?.status === 'DISASSOCIATED') {
      throw new ShareAccessError(`RAM share ${share}'s association with account ${consumerAccount} is ${association.status}${association.statusMessage ? ` (${association.statusMessage})` : ''}: fix the share in its owner's account, then run apply again`);
    }
    const seen = `no invitation to account ${consumerAccount} yet, and the share's association is ${association?.status ?? 'not listed'}`;
    if (now() - started >= options.timeoutMs) {
      throw new ShareAccessError(`RAM share ${share}: ${seen} after ${seconds(options.timeoutMs)}; check the share in its owner's account (aws ram get-resource-share-associations --association-type PRINCIPAL) and run apply again`);
    }
    options.onWait?.(`waiting for RAM share ${share.split('/').pop()}: ${seen} (${waited} of ${seconds(options.timeoutMs)})`);
    await sleep(Math.min(options.pollMs, Math.max(0, options.timeoutMs - (now() - started))));
  }
}
