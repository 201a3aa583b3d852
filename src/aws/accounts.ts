// The accounts of a run: the caller's own, and those meshctl.yaml names, each
// reached by assuming a role or through a profile. Each has its own caller;
// plan steps name their account and run with its caller.
import { HOME_ACCOUNT_NAME, type AccountConfig } from '../config/config.js';
import { ExpectedError } from '../util/expected-error.js';
import { AwsCallError, type AwsCaller } from './caller.js';

export interface AccountSession {
  name: string;
  /** The 12-digit id: read when the run spans several accounts; a one-account run learns it from the estate's ARNs. */
  id?: string;
  aws: AwsCaller;
  /** The caller's own credentials (no role assumed, no other profile). */
  home: boolean;
  roleArn?: string;
  profile?: string;
  /** The clusters meshctl.yaml gives the account (none: all of them). */
  clusters?: string[];
}

/** The caller's own account, when meshctl.yaml does not name it. */
export const HOME_ACCOUNT = HOME_ACCOUNT_NAME;

/** An account of the run cannot be reached: nothing has been read or changed yet. */
export class AccountAccessError extends ExpectedError {}

const isHome = (account: AccountConfig) => !account.roleArn && !account.profile;

/** Opens every configured account (the caller's own first), narrowed by --account, and reads their ids when there are several. */
export async function openAccounts(
  configured: Record<string, AccountConfig>,
  only: string[] | undefined,
  open: (name: string, account: AccountConfig) => Promise<AwsCaller>,
): Promise<AccountSession[]> {
  const entries = Object.entries(configured);
  const homes = entries.filter(([, a]) => isHome(a));
  if (homes.length > 1) {
    throw new AccountAccessError(`meshctl.yaml: accounts ${homes.map(([n]) => n).join(' and ')} both name the caller's own account (no roleArn or profile); keep one`);
  }
  const all: [string, AccountConfig][] = homes.length === 1
    ? [homes[0]!, ...entries.filter(([, a]) => !isHome(a))]
    : [[HOME_ACCOUNT, {}], ...entries];
  const known = all.map(([n]) => n);
  const unknown = (only ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new AccountAccessError(`--account ${unknown.join(', ')}: no such account; the accounts are ${known.join(', ')} (name others under accounts: in meshctl.yaml)`);
  }
  const selected = only && only.length > 0 ? all.filter(([n]) => only.includes(n)) : all;
  const sessions = await Promise.all(selected.map(async ([name, account]): Promise<AccountSession> => ({
    name, aws: await open(name, account), home: isHome(account),
    ...(account.roleArn && { roleArn: account.roleArn }),
    ...(account.profile && { profile: account.profile }),
    ...(account.clusters && { clusters: account.clusters }),
  })));
  if (all.length > 1) await readAccountIds(sessions);
  return sessions;
}

/** Proves every account can be reached before anything is read or changed, and learns its id. */
async function readAccountIds(sessions: AccountSession[]): Promise<void> {
  await Promise.all(sessions.map(async (session) => {
    try {
      const out = await session.aws.call<{ Account?: string }>('sts', 'GetCallerIdentity', {});
      session.id = out.Account;
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const how = session.roleArn ? `cannot assume role ${session.roleArn}` : session.profile ? `cannot use profile ${session.profile}` : 'cannot use the caller\'s credentials';
      const fix = session.roleArn
        ? 'check the role exists, that its trust policy lets the caller assume it (meshctl iam-policy prints one), and externalId'
        : 'check the credentials';
      throw new AccountAccessError(`account ${session.name}: ${how}: ${error.code}: ${error.message.split('\n')[0]}; ${fix}. Nothing was changed`);
    }
  }));
  const byId = new Map<string, string>();
  for (const s of sessions) {
    const other = byId.get(s.id ?? '');
    if (other) throw new AccountAccessError(`accounts ${other} and ${s.name} are the same account (${s.id}); keep one in meshctl.yaml`);
    byId.set(s.id ?? '', s.name);
  }
}

/** The caller of the account a plan step or resource belongs to. */
export function callerFor(accounts: AccountSession[], accountId: string | undefined): AwsCaller {
  if (accounts.length === 1 || accountId === undefined) return (accounts.find((a) => a.home) ?? accounts[0]!).aws;
  const found = accounts.find((a) => a.id === accountId);
  if (!found) {
    const known = accounts.map((a) => `${a.name} (${a.id})`).join(', ');
    throw new AccountAccessError(`account ${accountId} is not one of this run's accounts (${known}): name it under accounts: in meshctl.yaml with a roleArn or profile, or drop --account`);
  }
  return found.aws;
}

export { accountOfArn } from '../core/arn.js';

/**
 * Before a plan runs: every account its steps name must be one this run can
 * act in, or apply would stop half way, after the other accounts' changes.
 */
export function requireAccounts(accounts: AccountSession[], plan: { account: string; accounts?: Record<string, string>; steps: { account?: string }[] }): void {
  const known = accounts.length === 1 && accounts[0]!.id === undefined ? [plan.account] : accounts.map((a) => a.id);
  const missing = [...new Set(plan.steps.map((s) => s.account).filter((a): a is string => !!a && !known.includes(a)))].sort();
  if (missing.length === 0) return;
  const named = missing.map((id) => (plan.accounts?.[id] ? `${plan.accounts[id]} (${id})` : id)).join(', ');
  throw new AccountAccessError(`the plan has steps in account(s) ${named}, which this run cannot act in: name them under accounts: in meshctl.yaml (--config) with a roleArn or profile, and drop any --account that leaves them out. Nothing was changed`);
}
