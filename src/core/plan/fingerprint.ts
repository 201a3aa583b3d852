import { createHash } from 'node:crypto';
import { stableStringify } from '../../util/stable-json.js';
import type { ObservedState } from './model.js';

export function fingerprint(observed: ObservedState): string {
  return `sha256:${createHash('sha256').update(stableStringify(observed)).digest('hex')}`;
}

/**
 * The token that makes a create step idempotent on AWS (App Mesh clientToken,
 * Cloud Map CreatorRequestId): the same plan and step always send the same
 * token, so a retried create returns the resource the first attempt made.
 * App Mesh takes at most 36 characters.
 */
export function idempotencyToken(planFingerprint: string, stepId: string): string {
  return createHash('sha256').update(`${planFingerprint} ${stepId}`).digest('hex').slice(0, 36);
}
