// A Route 53 weighted pair as shift moves it, against a scripted Route 53
// (before: only a moto run of 6–10 s showed it): the pair found by name and
// set identifiers among other records, and each record sent back whole but
// for its weight, both in one change batch.
import { describe, expect, it } from 'vitest';
import type { AwsCaller, AwsInput } from '../../src/aws/caller.js';
import { greenShare, readWeightedPair, setWeightedPair } from '../../src/aws/route53-weights.js';

const PAIR = { hostedZoneId: 'Z1', name: 'API.shop.example.com', blue: 'blue', green: 'green' };
const record = (id: string, weight: number, extra: Record<string, unknown> = {}) => ({ Name: 'api.shop.example.com.', Type: 'A', SetIdentifier: id, Weight: weight, TTL: 60, ResourceRecords: [{ Value: `10.0.0.${weight}` }], ...extra });

function scripted(sets: Record<string, unknown>[]) {
  const sent: AwsInput[] = [];
  const aws: AwsCaller = {
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      if (operation === 'ListResourceRecordSets') return { ResourceRecordSets: sets } as T;
      sent.push(input);
      return {} as T;
    },
  };
  return { aws, sent };
}

describe('a Route 53 weighted pair', () => {
  it('is found by name (any case, with or without the final dot) and set identifier among other records', async () => {
    const blue = record('blue', 100, { HealthCheckId: 'hc-1' });
    const green = record('green', 0);
    const { aws } = scripted([{ Name: 'api.shop.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [] }, record('canary', 5, { Name: 'other.shop.example.com.' }), blue, green]);
    expect(await readWeightedPair(aws, PAIR)).toEqual({ blue, green });
    expect(greenShare({ blue, green })).toBe(0);
    expect(greenShare({ blue: record('blue', 3), green: record('green', 1) })).toBe(25);
    await expect(readWeightedPair(aws, { ...PAIR, green: 'canary' })).rejects.toThrow('no weighted records with set identifiers blue and canary (weighted set identifiers there: blue, green)');
  });

  it('moves both weights in one batch, each record UPSERTed as it is but for its weight', async () => {
    const records = { blue: record('blue', 100, { HealthCheckId: 'hc-1' }), green: record('green', 0, { MultiValueAnswer: false }) };
    const original = structuredClone(records);
    const { aws, sent } = scripted([]);
    await setWeightedPair(aws, PAIR, records, 30);
    expect(sent).toEqual([{ HostedZoneId: 'Z1', ChangeBatch: { Comment: 'meshctl shift: green 30%', Changes: [
      { Action: 'UPSERT', ResourceRecordSet: { ...original.blue, Weight: 70 } },
      { Action: 'UPSERT', ResourceRecordSet: { ...original.green, Weight: 30 } },
    ] } }]);
    expect(greenShare(records)).toBe(30);
  });
});
