// meshctl status as text, and times for people: pure, no AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { renderStatusText, type ServiceStatus } from '../../src/render/status-text.js';
import { localTime } from '../../src/util/local-time.js';

const zone = process.env.TZ;
beforeAll(() => { process.env.TZ = 'America/New_York'; });
afterAll(() => { if (zone === undefined) delete process.env.TZ; else process.env.TZ = zone; });

const journal: Journal = {
  formatVersion: 1, tool: 'meshctl', planFingerprint: `sha256:${'a'.repeat(64)}`, region: 'us-east-1', target: 'service-connect', mesh: '',
  startedAt: '2026-12-03T14:00:00.000Z', updatedAt: '2026-12-03T14:05:09.000Z', services: {}, steps: {}, created: [],
};

function row(overrides: Partial<ServiceStatus>): ServiceStatus {
  return {
    service: 'c/web', state: 'updated', steps: { done: 2, total: 2, failed: 0, interrupted: 0 },
    revision: { from: 'web:1', to: 'web:2', running: 'web:2' }, running: 3, desired: 3, rollout: 'COMPLETED', ...overrides,
  };
}

describe('times for people', () => {
  it('are local, with the zone; anything unreadable is left as it came', () => {
    expect(localTime('2026-12-03T14:05:09.000Z')).toBe('2026-12-03 09:05:09 EST');
    expect(localTime('2026-07-03T14:05:09.000Z')).toBe('2026-07-03 10:05:09 EDT');
    expect(localTime(new Date('2026-12-03T14:05:09.000Z'))).toBe('2026-12-03 09:05:09 EST');
    expect(localTime('not a time')).toBe('not a time');
  });
});

describe('status text', () => {
  it('says when the run started and was updated, in local time', () => {
    expect(renderStatusText('j.json', journal, [row({})], { awaitingShift: false }).split('\n')[0])
      .toBe(`apply · journal j.json · plan sha256:aaaaaaaaaaaa… · started 2026-12-03 09:00:00 EST · updated 2026-12-03 09:05:09 EST`);
  });

  it('a moved service reads from → to; a rolled-back or finalized one says what happened', () => {
    const text = renderStatusText('j.json', { ...journal, rolledBackBy: '.meshctl/journal-b.json' }, [
      row({}),
      row({ service: 'c/orders', state: 'rolled-back', revision: { from: 'orders:1', to: 'orders:2', running: 'orders:1' } }),
      row({ service: 'c/pricing', greenService: 'pricing-sc', state: 'finalized', revision: { from: 'pricing:1', to: 'pricing:2', running: 'pricing:2' } }),
      row({ service: 'c/gone', running: null, desired: null, rollout: null, revision: { from: 'gone:1', to: 'gone:2', running: null } }),
    ], { awaitingShift: false });
    expect(text).toMatch(/^c\/web\s+updated\s+2\/2 done\s+web:1 → web:2\s+3\/3\s+COMPLETED$/m);
    expect(text).toMatch(/^c\/orders\s+rolled-back\s+2\/2 done\s+rolled back to orders:1 \(from orders:2\)\s+3\/3/m);
    expect(text).toMatch(/^c\/pricing \(green pricing-sc\)\s+finalized\s+2\/2 done\s+blue removed; pricing-sc runs pricing:2\s/m);
    expect(text).toMatch(/^c\/gone\s+updated\s+2\/2 done\s+gone:1 → gone:2\s+gone\s+-$/m);
    expect(text).toContain('rolled back by .meshctl/journal-b.json: a new plan is needed to move these services again');
    expect(text).not.toMatch(/orders:1 → orders:1/);
  });

  it('before any shift, says no traffic has moved yet; after, where it stands since when', () => {
    expect(renderStatusText('j.json', journal, [row({ greenService: 'web-sc' })], { awaitingShift: true }))
      .toContain('traffic: none moved yet: blue carries all of it (meshctl shift moves it to green)');
    const shifted = { ...journal, shift: { steps: [50], weight: 50, since: '2026-12-03T14:10:00.000Z', lastGood: 50, state: 'done' as const } };
    expect(renderStatusText('j.json', shifted, [row({ greenService: 'web-sc' })], { awaitingShift: false }))
      .toContain('traffic: green at 50% since 2026-12-03 09:10:00 EST (shift done)');
  });
});
