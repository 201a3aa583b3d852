// The README is for users: every rule meshctl runs is in its table, it names
// no internal issue, the notes on the test emulator live in a contributors'
// document it links, and it says how long the test suite takes.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/checks/index.js';

const readme = readFileSync('README.md', 'utf8');
const section = (heading: string) => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

describe('the README', () => {
  it('lists every precheck rule in its table', () => {
    const listed = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(RULES.map((r) => r.id).filter((id) => !listed.includes(id))).toEqual([]);
  });

  it('names no issue of the project\'s tracker', () => {
    expect(readme.match(/.{0,40}\bissue #\d+.{0,20}/gi) ?? []).toEqual([]);
  });

  it('leaves the notes on moto\'s gaps to docs/testing.md, which it links', () => {
    expect(readme).not.toMatch(/moto (writes|requires|refuses|ignores|keeps)/);
    expect(readme).toContain('(docs/testing.md)');
    expect(existsSync('docs/testing.md')).toBe(true);
    expect(readFileSync('docs/testing.md', 'utf8')).toContain('Service Connect');
  });

  it('keeps the performance section free of work-log wording', () => {
    expect(section('Performance')).not.toMatch(/of the day|morning|that day|where it re-read .* before/);
  });

  it('says how long npm test takes', () => {
    expect(readme).toMatch(/`npm test` takes about \d+ minutes?/);
  });
});
