import { createHash } from 'node:crypto';
import { stableStringify } from '../../util/stable-json.js';
import type { ObservedState } from './model.js';

export function fingerprint(observed: ObservedState): string {
  return `sha256:${createHash('sha256').update(stableStringify(observed)).digest('hex')}`;
}
