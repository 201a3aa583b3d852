// A weighted pair of Route 53 records (same name and type, set identifiers
// for blue and green): the entry point of services without a load balancer.
// shift moves their weights with ChangeResourceRecordSets, each record kept
// as it is but for its weight (UPSERT replaces the whole record set: Amazon
// Route 53 API Reference, ChangeResourceRecordSets).
import { ExpectedError } from '../util/expected-error.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface WeightedPair {
  hostedZoneId: string;
  name: string;
  blue: string;
  green: string;
}

export class WeightedPairError extends ExpectedError {}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/** The pair's two record sets as Route 53 holds them. */
export async function readWeightedPair(aws: AwsCaller, pair: WeightedPair): Promise<{ blue: Raw; green: Raw }> {
  const out = await aws.call<Raw>('route53', 'ListResourceRecordSets', { HostedZoneId: pair.hostedZoneId, StartRecordName: fqdn(pair.name), MaxItems: 100 });
  const named = ((out.ResourceRecordSets ?? []) as Raw[]).filter((r) => fqdn(String(r.Name)) === fqdn(pair.name));
  const find = (id: string) => named.find((r) => r.SetIdentifier === id && r.Weight !== undefined);
  const [blue, green] = [find(pair.blue), find(pair.green)];
  if (!blue || !green) {
    const ids = named.filter((r) => r.Weight !== undefined).map((r) => r.SetIdentifier).join(', ') || 'none';
    throw new WeightedPairError(`${pair.name} in hosted zone ${pair.hostedZoneId} has no weighted records with set identifiers ${pair.blue} and ${pair.green} (weighted set identifiers there: ${ids}); check --route53-name, --blue-set-id and --green-set-id`);
  }
  return { blue, green };
}

export function greenShare(records: { blue: Raw; green: Raw }): number {
  const total = Number(records.blue.Weight) + Number(records.green.Weight);
  return total === 0 ? 0 : Math.round((Number(records.green.Weight) / total) * 100);
}

/** Green at `percent`, blue at the rest: one change batch, both records UPSERTed as they are but for their weights. */
export async function setWeightedPair(aws: AwsCaller, pair: WeightedPair, records: { blue: Raw; green: Raw }, percent: number): Promise<void> {
  const upsert = (record: Raw, weight: number) => ({ Action: 'UPSERT', ResourceRecordSet: { ...record, Weight: weight } });
  await aws.call('route53', 'ChangeResourceRecordSets', {
    HostedZoneId: pair.hostedZoneId,
    ChangeBatch: { Comment: `meshctl shift: ${pair.green} ${percent}%`, Changes: [upsert(records.blue, 100 - percent), upsert(records.green, percent)] },
  });
  records.blue.Weight = 100 - percent;
  records.green.Weight = percent;
}
