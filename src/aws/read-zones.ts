// The private hosted zones of the Cloud Map DNS namespaces a plan over several
// accounts (or VPCs) uses, with the VPCs associated with them: read in the namespace's
// account (GetNamespace only when the listing did not name the zone).
import type { HostedZone } from '../core/plan/cross-account.js';
import type { CloudMapNamespace } from '../core/estate.js';
import { accountOfArn, callerFor, type AccountSession } from './accounts.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export async function readHostedZones(accounts: AccountSession[], namespaces: CloudMapNamespace[]): Promise<Record<string, HostedZone>> {
  const zones: Record<string, HostedZone> = {};
  // One account reads its own namespaces (its id may be unknown: a one-account run learns it from ARNs).
  const readable = (ns: CloudMapNamespace) => accounts.length === 1 || accounts.some((a) => a.id === accountOfArn(ns.arn));
  await Promise.all(namespaces.filter((n) => n.type === 'DNS_PRIVATE' && readable(n)).map(async (ns) => {
    const owner = accountOfArn(ns.arn);
    const aws = callerFor(accounts, owner);
    if (!ns.hostedZoneId) {
      const out = await aws.call<Raw>('servicediscovery', 'GetNamespace', { Id: ns.id });
      const zone = out.Namespace?.Properties?.DnsProperties?.HostedZoneId as string | undefined;
      if (zone) ns.hostedZoneId = zone.replace(/^\/hostedzone\//, '');
    }
    if (!ns.hostedZoneId) return;
    const out = await aws.call<Raw>('route53', 'GetHostedZone', { Id: ns.hostedZoneId });
    zones[ns.hostedZoneId] = { owner, vpcs: ((out.VPCs ?? []) as Raw[]).map((v) => v.VPCId as string).sort() };
  }));
  return zones;
}
