// A journal is read against the estate it was written in: its region and its
// accounts. Read elsewhere, its cluster and service names find nothing
// ("Cluster not found") or, where names match, another estate's services.
// status, rollback, shift and finalize refuse that before reading anything else.
import type { Journal } from '../apply/journal.js';
import { accountOfArn } from '../aws/accounts.js';
import { callerAccount } from '../aws/caller-identity.js';
import type { AwsSession } from '../aws/session.js';
import { UsageError } from '../cli/errors.js';

/** The accounts the journal's services run in. */
export function journalAccounts(journal: Journal): string[] {
  return [...new Set(Object.values(journal.services).map((s) => s.account ?? accountOfArn(s.serviceArn)).filter((id) => !!id))].sort();
}

export async function requireJournalScope(path: string, journal: Journal, session: AwsSession): Promise<void> {
  if (journal.region !== session.region) throw new UsageError(`the journal ${path} is for ${journal.region}; pass --region ${journal.region}`);
  const wanted = journalAccounts(journal);
  if (wanted.length === 0) return;
  // A run over several accounts read their ids when it opened; one account asks STS.
  const known = session.accounts.some((a) => a.id) ? session.accounts.map((a) => a.id ?? '') : [await callerAccount(session.aws)];
  const missing = wanted.filter((id) => !known.includes(id));
  if (missing.length > 0) {
    throw new UsageError(`the journal ${path} is for account ${missing.join(', ')}, but these credentials act in account ${known.join(', ')}: use credentials for ${missing.join(', ')} (--profile, or assume a role there; a run over several accounts names them under accounts: in meshctl.yaml)`);
  }
}
