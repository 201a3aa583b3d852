// Reading a blue service's scaling for its green twin, against a scripted
// Application Auto Scaling: what PutScalingPolicy and RegisterScalableTarget
// take back, suspended scaling included; only the service's own policies
// (a target-tracking policy: no step alarms to read).
import { describe, expect, it } from 'vitest';
import type { AwsCaller, AwsInput } from '../../src/aws/caller.js';
import { readScaling } from '../../src/aws/read-scaling.js';

const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: true };
const POLICY = { PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 } };

function scripted(calls: { operation: string; input: AwsInput }[]): AwsCaller {
  return {
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      calls.push({ operation, input });
      if (operation === 'DescribeScalableTargets') {
        return { ScalableTargets: [{ ResourceId: 'service/c/pricing', MinCapacity: 2, MaxCapacity: 6, SuspendedState: SUSPENDED, RoleARN: 'arn:role', CreationTime: 1 }] } as T;
      }
      if (operation === 'DescribeScheduledActions') return { ScheduledActions: [] } as T;
      return { ScalingPolicies: [
        { ...POLICY, ResourceId: 'service/c/pricing', PolicyARN: 'arn:policy', Alarms: [], CreationTime: 1 },
        // An endpoint that ignores the ResourceId filter (moto) answers another service's too.
        { ...POLICY, PolicyName: 'other', ResourceId: 'service/c/quotes' },
      ] } as T;
    },
  };
}

describe('readScaling', () => {
  it('keeps capacity, suspended scaling and the policies\' own fields, for the service alone', async () => {
    const calls: { operation: string; input: AwsInput }[] = [];
    expect(await readScaling(scripted(calls), ['service/c/pricing', 'service/c/pricing'])).toEqual({
      'service/c/pricing': { minCapacity: 2, maxCapacity: 6, suspendedState: SUSPENDED, policies: [POLICY], policyArns: { cpu: 'arn:policy' }, stepAlarms: [], scheduledActions: [] },
    });
    expect(calls.map((c) => c.operation)).toEqual(['DescribeScalableTargets', 'DescribeScalingPolicies', 'DescribeScheduledActions']);
    expect(calls[0]!.input.ResourceIds).toEqual(['service/c/pricing']);
  });
});
