// The plan summary fits the terminal: whole columns are left out, in a set
// order, and a cell is never cut.
import { describe, expect, it } from 'vitest';
import { fittedTable } from '../../src/render/table.js';

const headers = ['service', 'action', 'task CPU/MiB', 'Fargate $/month', 'refused without --force', 'order'];
const rows = [
  ['shop-fargate/recommender', 'update in place', '16384/65536 → 16384/65536', '+$0.00', 'agent-version', '1'],
  ['legacy-mesh/inventory', 'green inventory-sc', '2048/4096 → 2048/4096', '+$144.16', '', '2 (after legacy-mesh/pricing)'],
];
const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('a table fitted to the terminal', () => {
  it('is left whole when it fits, or without a width (not a terminal)', () => {
    expect(fittedTable(headers, rows, undefined, ['Fargate $/month']).dropped).toEqual([]);
    expect(fittedTable(headers, rows, 200, ['Fargate $/month']).dropped).toEqual([]);
  });

  it('leaves out whole columns, in order, until it fits 100 and 80 columns', () => {
    const order = ['Fargate $/month', 'task CPU/MiB', 'action'];
    const at100 = fittedTable(headers, rows, 100, order);
    expect(widest(at100.text)).toBeLessThanOrEqual(100);
    expect(at100.dropped).toEqual(['Fargate $/month', 'task CPU/MiB']);
    const at80 = fittedTable(headers, rows, 80, order);
    expect(widest(at80.text)).toBeLessThanOrEqual(80);
    expect(at80.dropped).toEqual(order);
    // Every kept cell is whole.
    for (const cell of ['shop-fargate/recommender', 'agent-version', '2 (after legacy-mesh/pricing)']) expect(at80.text).toContain(cell);
  });
});
