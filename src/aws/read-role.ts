// Reads the infrastructure role ECS-managed deployments hand to ECS: does it
// exist, and may ecs.amazonaws.com assume it (iam GetRole; its trust policy
// comes URL-encoded, IAM API Reference, Role.AssumeRolePolicyDocument).
import type { InfrastructureRole } from '../core/cutover/ecs-strategy.js';
import { AwsCallError, type AwsCaller } from './caller.js';

interface Statement { Effect?: string; Action?: string | string[]; Principal?: { Service?: string | string[] } }

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function trustsEcs(document: string | undefined): boolean {
  if (!document) return false;
  let policy: { Statement?: Statement | Statement[] };
  try {
    policy = JSON.parse(decodeURIComponent(document)) as typeof policy;
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  return statements.some((s) => s.Effect === 'Allow'
    && list(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')
    && list(s.Principal?.Service).includes('ecs.amazonaws.com'));
}

export async function readInfrastructureRole(aws: AwsCaller, arn: string): Promise<InfrastructureRole> {
  try {
    const out = await aws.call<{ Role?: { AssumeRolePolicyDocument?: string } }>('iam', 'GetRole', { RoleName: arn.split('/').pop()! });
    return { arn, exists: true, trustsEcs: trustsEcs(out.Role?.AssumeRolePolicyDocument) };
  } catch (error) {
    if (error instanceof AwsCallError && error.code === 'NoSuchEntity' || error instanceof AwsCallError && error.code === 'NoSuchEntityException') return { arn, exists: false, trustsEcs: false };
    throw error;
  }
}
