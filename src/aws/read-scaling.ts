// Reads the Application Auto Scaling of the services a blue-green plan
// copies: scalable targets 50 per call, then the policies of the services
// that have one.
import { ECS_DESIRED_COUNT, type ServiceScaling } from '../core/scaling.js';
import { chunks, paginate } from './batch.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** ResourceIds per call (Application Auto Scaling API Reference, DescribeScalableTargets). */
const DESCRIBE_SCALABLE_TARGETS_MAX = 50;
/** What PutScalingPolicy takes back from a described policy. */
const POLICY_FIELDS = ['PolicyName', 'PolicyType', 'TargetTrackingScalingPolicyConfiguration', 'StepScalingPolicyConfiguration'];

/** By resource id (service/<cluster>/<service>); services without a scalable target are left out. */
export async function readScaling(aws: AwsCaller, resourceIds: string[]): Promise<Record<string, ServiceScaling>> {
  const unique = [...new Set(resourceIds)].sort();
  if (unique.length === 0) return {};
  const targets = (await Promise.all(chunks(unique, DESCRIBE_SCALABLE_TARGETS_MAX).map((batch) => paginate(async (NextToken) => {
    const page = await aws.call<Raw>('application-autoscaling', 'DescribeScalableTargets', {
      ServiceNamespace: 'ecs', ResourceIds: batch, ScalableDimension: ECS_DESIRED_COUNT, ...(NextToken && { NextToken }),
    });
    return { items: page.ScalableTargets as Raw[] | undefined, next: page.NextToken };
  })))).flat();
  const scaling: Record<string, ServiceScaling> = {};
  await Promise.all(targets.map(async (target) => {
    const policies = await paginate(async (NextToken) => {
      const page = await aws.call<Raw>('application-autoscaling', 'DescribeScalingPolicies', {
        ServiceNamespace: 'ecs', ResourceId: target.ResourceId, ScalableDimension: ECS_DESIRED_COUNT, ...(NextToken && { NextToken }),
      });
      return { items: page.ScalingPolicies as Raw[] | undefined, next: page.NextToken };
    });
    scaling[target.ResourceId] = {
      minCapacity: target.MinCapacity, maxCapacity: target.MaxCapacity,
      ...(target.SuspendedState && { suspendedState: target.SuspendedState }),
      // Only this resource's policies, whatever else an endpoint returns (moto ignores the ResourceId filter).
      policies: policies.filter((p) => p.ResourceId === undefined || p.ResourceId === target.ResourceId)
        .map((p) => Object.fromEntries(POLICY_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]])))
        .sort((a, b) => String(a.PolicyName).localeCompare(String(b.PolicyName))),
    };
  }));
  return Object.fromEntries(Object.entries(scaling).sort(([a], [b]) => a.localeCompare(b)));
}
