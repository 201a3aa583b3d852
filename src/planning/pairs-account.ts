// shift and finalize work on blue-green pairs of one account at a time: the
// journal says which account each service runs in.
import type { Journal } from '../apply/journal.js';
import { accountOfArn, callerFor, type AccountSession } from '../aws/accounts.js';
import type { AwsCaller } from '../aws/caller.js';
import { UsageError } from '../cli/errors.js';

export function pairsAccount(accounts: AccountSession[], journal: Journal, labels: string[]): { aws: AwsCaller; account?: string } {
  const ids = [...new Set(labels.map((l) => journal.services[l]?.account ?? accountOfArn(journal.services[l]?.serviceArn ?? '')).filter(Boolean))];
  if (ids.length > 1) {
    throw new UsageError(`the blue-green pairs run in accounts ${ids.join(' and ')}: move them one account at a time, naming the services with --service`);
  }
  return { aws: callerFor(accounts, accounts.length > 1 ? ids[0] : undefined), ...(ids[0] && { account: ids[0] }) };
}
