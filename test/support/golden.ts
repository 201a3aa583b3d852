// Golden files: the expected output of a pure function, reviewed in diffs.
// UPDATE_GOLDEN=1 rewrites them; a missing file fails rather than being created.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { stableStringify } from '../../src/util/stable-json.js';

export function expectGolden(path: string, value: unknown): void {
  const text = `${stableStringify(value, 2)}\n`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, text);
  expect(existsSync(path), `golden file ${path} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(path, 'utf8'));
}
