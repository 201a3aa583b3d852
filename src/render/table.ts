// Left-aligned text columns; widths ignore ANSI color codes.
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (s: string) => s.replace(ANSI, '').length;
const GAP = 2;

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells
    .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
    .join(' '.repeat(GAP))
    .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * A table no wider than `maxWidth` (a terminal's columns): columns are dropped
 * whole, in the order of `droppable`, until it fits; a cell is never cut.
 */
export function fittedTable(headers: string[], rows: string[][], maxWidth: number | undefined, droppable: string[]): { text: string; dropped: string[] } {
  const keep = headers.map(() => true);
  const dropped: string[] = [];
  const render = () => table(headers.filter((_, i) => keep[i]), rows.map((r) => r.filter((_, i) => keep[i])));
  let text = render();
  for (const name of droppable) {
    if (maxWidth === undefined || Math.max(...text.split('\n').map(width)) <= maxWidth) break;
    const index = headers.indexOf(name);
    if (index < 0) continue;
    keep[index] = false;
    dropped.push(name);
    text = render();
  }
  return { text, dropped };
}
