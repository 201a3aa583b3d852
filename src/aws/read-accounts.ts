// Reads the estate of every account of the run at once (each within its own
// limits) and merges them; a one-account run reads as it always did.
import { mergeEstates } from '../core/merge-estates.js';
import type { Estate } from '../core/estate.js';
import { accountOfArn, callerFor, type AccountSession } from './accounts.js';
import { paginate } from './batch.js';
import type { AwsCaller } from './caller.js';
import { NotFoundError } from './errors.js';
import { readEstate, type EstateSelection } from './read-estate.js';

export async function readAccountsEstate(accounts: AccountSession[], region: string, selection: EstateSelection = {}): Promise<Estate> {
  if (accounts.length === 1 && accounts[0]!.id === undefined) {
    const only = accounts[0]!;
    return readEstate(only.aws, region, { ...selection, clusters: selection.clusters ?? only.clusters });
  }
  const wanted = (account: AccountSession) => {
    if (!account.clusters) return selection.clusters;
    return selection.clusters ? selection.clusters.filter((c) => account.clusters!.includes(c)) : account.clusters;
  };
  const parts = await Promise.all(accounts.map(async (account) => {
    const clusters = wanted(account);
    // An account none of whose clusters were asked for is not read.
    if (clusters && clusters.length === 0) return undefined;
    // A cluster or service asked for lives in one of the accounts: the others may lack it.
    const estate = await readEstate(account.aws, region, { ...selection, clusters, account: account.id, allowMissing: true });
    return { name: account.name, estate };
  }));
  const read = parts.filter((p): p is NonNullable<typeof p> => p !== undefined);
  const estate = read.length > 0 ? mergeEstates(read) : emptyEstate(region);
  estate.accounts = Object.fromEntries(accounts.map((a) => [a.id!, a.name]));
  await readShares(accounts, estate);
  if (!selection.allowMissing) {
    const clusters = new Set(estate.clusters.map((c) => c.name));
    const missing = (selection.clusters ?? []).filter((c) => !clusters.has(c) && !estate.clusters.some((x) => x.arn === c));
    if (missing.length > 0) throw new NotFoundError(`cluster ${missing.join(', ')} not found in accounts ${accounts.map((a) => a.name).join(', ')} (clusters: ${[...clusters].join(', ') || 'none'}); check --cluster, --account and accounts: in meshctl.yaml`);
    const services = new Set(estate.clusters.flatMap((c) => c.services.map((s) => s.name)));
    const absent = (selection.services ?? []).filter((s) => !services.has(s));
    if (absent.length > 0) throw new NotFoundError(`service ${absent.join(', ')} not found in accounts ${accounts.map((a) => a.name).join(', ')}; check --service (meshctl inspect lists the services)`);
  }
  return estate;
}

export function emptyEstate(region: string): Estate {
  return { region, clusters: [], taskDefinitions: {}, instanceTypes: {}, awsvpcTrunking: false, cloudMap: { namespaces: [], services: [] }, appMesh: { meshes: [] } };
}

/**
 * Runs a read once per account over the items that belong to it (by the
 * account their ARN or cluster names), and merges the answers.
 */
export async function readPerAccount<T, R>(
  accounts: AccountSession[], items: T[], accountOf: (item: T) => string | undefined, read: (aws: AwsCaller, items: T[]) => Promise<R>, merge: (parts: R[]) => R,
): Promise<R> {
  const groups = new Map<string | undefined, T[]>();
  for (const item of items) {
    const account = accounts.length > 1 ? accountOf(item) : undefined;
    groups.set(account, [...(groups.get(account) ?? []), item]);
  }
  if (groups.size === 0) return read(callerFor(accounts, undefined), []);
  return merge(await Promise.all([...groups].map(([account, group]) => read(callerFor(accounts, account), group))));
}

/**
 * The RAM shares that already hold a namespace or mesh some account of the
 * run does not see yet: the plan adds the account to that share rather than
 * make another. One ListResources per owner account.
 */
async function readShares(accounts: AccountSession[], estate: Estate): Promise<void> {
  const ids = accounts.map((a) => a.id!);
  const unshared = [...estate.cloudMap.namespaces, ...estate.appMesh.meshes]
    .filter((r) => ids.includes(accountOfArn(r.arn)) && ids.some((id) => id !== accountOfArn(r.arn) && !(r.sharedWith ?? []).includes(id)));
  await Promise.all(accounts.map(async (account) => {
    const owned = unshared.filter((r) => accountOfArn(r.arn) === account.id);
    if (owned.length === 0) return;
    const resources = await paginate(async (nextToken) => {
      const page = await account.aws.call<{ resources?: { arn: string; resourceShareArn: string; status?: string }[]; nextToken?: string }>('ram', 'ListResources', {
        resourceOwner: 'SELF', resourceArns: owned.map((r) => r.arn).sort(), ...(nextToken && { nextToken }),
      });
      return { items: page.resources, next: page.nextToken };
    });
    for (const r of owned) {
      const held = resources.find((x) => x.arn === r.arn && (x.status ?? 'AVAILABLE') === 'AVAILABLE');
      if (held) r.resourceShare = held.resourceShareArn;
    }
  }));
}
