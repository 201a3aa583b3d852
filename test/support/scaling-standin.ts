// Test-only stand-in for a moto gap in Application Auto Scaling: moto refuses
// PutScalingPolicy with PolicyType PredictiveScaling (its validation lists
// the type, then rejects it). The stand-in keeps predictive policies in
// memory, answers their PutScalingPolicy with a policy ARN as AWS does, adds
// them to DescribeScalingPolicies answers for their resource, and forgets them
// when their scalable target is deregistered (AWS deletes a target's
// policies with it). Every other call goes to moto untouched.
// Not product code: meshctl talks to AWS exactly as it would without it.
import { randomUUID } from 'node:crypto';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

const resourceKey = (input: Raw) => `${input.ServiceNamespace} ${input.ResourceId} ${input.ScalableDimension}`;

/** What the stand-in keeps (the predictive policies, by resource and name): plain data, which a proxy may start from (AwsProxy.standIns). */
export interface ScalingState {
  predictive: Map<string, Raw>;
}

export const emptyScalingState = (): ScalingState => ({ predictive: new Map() });

export function createScalingStandIn({ predictive }: ScalingState = emptyScalingState()) {
  return {
    /** The answer to a call the stand-in serves itself (a predictive PutScalingPolicy), or undefined to pass it to moto. */
    answer(operation: string, input: Raw | undefined, account: string): Raw | undefined {
      if (operation === 'DeregisterScalableTarget' && input) {
        for (const [key, policy] of predictive) if (resourceKey(policy) === resourceKey(input)) predictive.delete(key);
        return undefined;
      }
      if (operation !== 'PutScalingPolicy' || input?.PolicyType !== 'PredictiveScaling') return undefined;
      const arn = `arn:aws:autoscaling:us-east-1:${account}:scalingPolicy:${randomUUID()}:resource/${input.ServiceNamespace}/${input.ResourceId}:policyName/${input.PolicyName}`;
      predictive.set(`${resourceKey(input)} ${input.PolicyName}`, { ...input, PolicyARN: arn, Alarms: [] });
      return { PolicyARN: arn, Alarms: [] };
    },
    /** A DescribeScalingPolicies answer from moto, with the predictive policies of the resource asked for. */
    describe(input: Raw | undefined, payload: Buffer): Buffer {
      const out = JSON.parse(payload.toString()) as { ScalingPolicies?: Raw[] };
      const own = [...predictive.values()].filter((p) => p.ServiceNamespace === input?.ServiceNamespace && (!input?.ResourceId || p.ResourceId === input.ResourceId));
      out.ScalingPolicies = [...(out.ScalingPolicies ?? []), ...own];
      return Buffer.from(JSON.stringify(out));
    },
  };
}
