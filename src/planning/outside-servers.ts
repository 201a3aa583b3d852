// plan and precheck narrowed with --cluster/--service: who outside the
// selection serves the names it calls, read in the account that owns each
// name's Cloud Map service (names of an account the run cannot act in stay
// unidentified). The whole estate read needs none of this.
import { accountOfArn, type AccountSession } from '../aws/accounts.js';
import { readPerAccount } from '../aws/read-accounts.js';
import { readOutsideServers, type CalledName } from '../aws/read-outside-servers.js';
import type { Estate } from '../core/estate.js';
import { callsOutside, cloudMapNames } from '../core/outside-servers.js';

export async function readServersOutsideSelection(
  accounts: AccountSession[], estate: Estate, selection: { cluster?: string[]; service?: string[] }, declared: Map<string, string[]> = new Map(),
): Promise<void> {
  if (!selection.cluster?.length && !selection.service?.length) return;
  const registries = cloudMapNames(estate);
  const called: CalledName[] = [...callsOutside(estate, declared)].map(([name, clients]) => ({ name, registry: registries.get(name)!, clients }));
  const reachable = called.filter((c) => accounts.length === 1 || accounts.some((a) => a.id === accountOfArn(c.registry.arn)));
  const found = await readPerAccount(accounts, reachable, (c) => accountOfArn(c.registry.arn), readOutsideServers, (parts) => parts.flat());
  estate.outsideServers = called.map((c) => found.find((f) => f.name === c.name) ?? { name: c.name, clients: c.clients, onServiceConnect: false });
}
