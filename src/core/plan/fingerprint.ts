import { createHash } from 'node:crypto';
import { stableStringify } from '../../util/stable-json.js';
import type { ObservedState, Plan } from './model.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A digest of what the plan was computed from: the seed of its idempotency tokens, known before any step exists. */
export function observedDigest(observed: ObservedState): string {
  return `sha256:${sha256(stableStringify(observed))}`;
}

/**
 * The plan's fingerprint: a digest of everything apply reads from it (steps
 * and their inputs, observed state, services, target, account, region), all
 * but its creation time and the fingerprint itself. A hand edit anywhere
 * apply looks changes it, and apply refuses the plan.
 */
export function planFingerprint(plan: Omit<Plan, 'fingerprint'> | Plan): string {
  const { fingerprint: _ignored, createdAt: _time, ...content } = plan as Plan;
  return `sha256:${sha256(stableStringify(content))}`;
}

/** The plan with its fingerprint. */
export function sealPlan(plan: Omit<Plan, 'fingerprint'>): Plan {
  return { ...plan, fingerprint: planFingerprint(plan) };
}

/**
 * The token that makes a create step idempotent on AWS (App Mesh clientToken,
 * Cloud Map CreatorRequestId): the same plan and step always send the same
 * token, so a retried create returns the resource the first attempt made.
 * App Mesh takes at most 36 characters.
 */
export function idempotencyToken(seed: string, stepId: string): string {
  return createHash('sha256').update(`${seed} ${stepId}`).digest('hex').slice(0, 36);
}
