// When long output goes through a pager: the decision, pure.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGER, pagerFor, type PagerSituation } from '../../src/cli/pager.js';

const terminal: PagerSituation = { terminal: true, rows: 24, json: false, noPager: false, lessInstalled: true };
const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');

describe('pagerFor', () => {
  it('pages long text on a terminal through less -FRX, or through PAGER when set', () => {
    expect(DEFAULT_PAGER).toBe('less -FRX');
    expect(pagerFor(long, terminal)).toBe('less -FRX');
    expect(pagerFor(long, { ...terminal, pagerEnv: 'most -s' })).toBe('most -s');
  });

  it('never when piped, for JSON, with --no-pager, with PAGER empty or cat, or without less', () => {
    expect(pagerFor(long, { ...terminal, terminal: false })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, json: true })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, noPager: true })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, pagerEnv: '' })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, pagerEnv: 'cat' })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, lessInstalled: false })).toBeUndefined();
    expect(pagerFor(long, { ...terminal, lessInstalled: false, pagerEnv: 'more' })).toBe('more');
  });

  it('not for text that fits the screen, nor when the terminal gives no size', () => {
    expect(pagerFor(long.split('\n').slice(0, 23).join('\n'), terminal)).toBeUndefined();
    expect(pagerFor(long.split('\n').slice(0, 24).join('\n'), terminal)).toBe('less -FRX');
    expect(pagerFor(long, { ...terminal, rows: undefined })).toBeUndefined();
  });
});
