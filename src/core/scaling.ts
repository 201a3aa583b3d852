// Application Auto Scaling of an ECS service: its scalable target (min/max),
// policies, scheduled actions, and the CloudWatch alarms that drive its
// step-scaling policies. A green twin gets the same, or it would stop scaling
// the moment traffic moves to it.

/** As DescribeScalableTargets, DescribeScalingPolicies, DescribeScheduledActions and DescribeAlarms report them, for one service's DesiredCount. */
export interface ServiceScaling {
  minCapacity: number;
  maxCapacity: number;
  suspendedState?: Record<string, unknown>;
  /** PolicyName, PolicyType and its configuration: what PutScalingPolicy takes. */
  policies: Record<string, unknown>[];
  /** Each policy's ARN by name: step-scaling alarms name it as their action. */
  policyArns: Record<string, string>;
  /**
   * The metric alarms whose actions name one of the step-scaling policies
   * (Application Auto Scaling User Guide, "Step scaling policies": the
   * alarm is the user's, not made by the policy), as PutMetricAlarm takes
   * them back, with their Tags.
   */
  stepAlarms: Record<string, unknown>[];
  /** ScheduledActionName, Schedule, Timezone, StartTime, EndTime, ScalableTargetAction: what PutScheduledAction takes. */
  scheduledActions: Record<string, unknown>[];
}

export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

/** Application Auto Scaling names an ECS service service/<cluster>/<service>. */
export const scalingResourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;

/** The actions of an alarm that can name a scaling policy. */
export const ALARM_ACTION_FIELDS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;
