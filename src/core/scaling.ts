// Application Auto Scaling of an ECS service: its scalable target (min/max)
// and policies. A green twin gets the same, or it would stop scaling the
// moment traffic moves to it.

/** As DescribeScalableTargets and DescribeScalingPolicies report them, for one service's DesiredCount. */
export interface ServiceScaling {
  minCapacity: number;
  maxCapacity: number;
  suspendedState?: Record<string, unknown>;
  /** PolicyName, PolicyType and its configuration: what PutScalingPolicy takes. */
  policies: Record<string, unknown>[];
}

export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

/** Application Auto Scaling names an ECS service service/<cluster>/<service>. */
export const scalingResourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;
