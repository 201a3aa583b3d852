// The statements an S3 state needs, built from its rows of the requirements
// table (src/core/iam/rows/state.ts) with the inputs the state sends: objects
// under the prefix, the prefix listed, the bucket's settings read, and the
// KMS key when objects are encrypted with one. They go to the policy of the
// account whose credentials reach the bucket.
import { actionGrants } from './iam/grants.js';
import { STATE_REQUIREMENTS } from './iam/rows/state.js';
import { statementsOf, type PolicyStatement } from './iam-policy.js';

export interface StatePolicyInput {
  bucket: string;
  prefix: string;
  kmsKeyId?: string;
}

/** The input of every call the state sends: any object under the prefix, the prefix as listed. */
export function stateCallInput(state: StatePolicyInput): Record<string, unknown> {
  return { Bucket: state.bucket, Key: `${state.prefix}/*`, Prefix: `${state.prefix}/`, ...(state.kmsKeyId && { SSEKMSKeyId: state.kmsKeyId }) };
}

export function stateBucketStatements(state: StatePolicyInput, partition: string): PolicyStatement[] {
  const scope = { partition, region: '', account: '', input: stateCallInput(state), stepOf: () => undefined };
  return statementsOf(Object.values(STATE_REQUIREMENTS).flatMap((row) => actionGrants(row, scope)));
}
