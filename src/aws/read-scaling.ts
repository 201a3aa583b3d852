// Reads the Application Auto Scaling of the services a blue-green plan
// copies (and finalize removes): scalable targets 50 per call, then for the
// services that have one, their policies and scheduled actions, and the
// CloudWatch alarms that drive their step-scaling policies, with their tags.
import { ALARM_ACTION_FIELDS, ECS_DESIRED_COUNT, type ServiceScaling } from '../core/scaling.js';
import { chunks, paginate } from './batch.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** ResourceIds per call (Application Auto Scaling API Reference, DescribeScalableTargets). */
const DESCRIBE_SCALABLE_TARGETS_MAX = 50;
/** What PutScalingPolicy takes back from a described policy. */
const POLICY_FIELDS = ['PolicyName', 'PolicyType', 'TargetTrackingScalingPolicyConfiguration', 'StepScalingPolicyConfiguration', 'PredictiveScalingPolicyConfiguration'];
/** What PutScheduledAction takes back from a described scheduled action (the target aside). */
const SCHEDULED_ACTION_FIELDS = ['ScheduledActionName', 'Schedule', 'Timezone', 'StartTime', 'EndTime', 'ScalableTargetAction'];
/** What PutMetricAlarm takes back from a described metric alarm (Amazon CloudWatch API Reference, PutMetricAlarm). */
const ALARM_FIELDS = [
  'AlarmName', 'AlarmDescription', 'ActionsEnabled', ...ALARM_ACTION_FIELDS, 'MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic',
  'Dimensions', 'Period', 'Unit', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'ComparisonOperator', 'TreatMissingData',
  'EvaluateLowSampleCountPercentile', 'Metrics', 'ThresholdMetricId',
];

const pick = (raw: Raw, fields: string[]) => Object.fromEntries(fields
  // An empty list is no setting (an empty Metrics beside MetricName would read as both kinds of alarm).
  .filter((f) => raw[f] !== undefined && raw[f] !== null && !(Array.isArray(raw[f]) && raw[f].length === 0))
  .map((f) => [f, raw[f]]));

/** The metric alarms acting on a policy: ActionPrefix matches a prefix, so keep those naming exactly this ARN. */
async function alarmsActingOn(aws: AwsCaller, policyArn: string): Promise<Raw[]> {
  const alarms = await paginate(async (NextToken) => {
    const page = await aws.call<Raw>('cloudwatch', 'DescribeAlarms', { ActionPrefix: policyArn, AlarmTypes: ['MetricAlarm'], ...(NextToken && { NextToken }) });
    return { items: page.MetricAlarms as Raw[] | undefined, next: page.NextToken };
  });
  return alarms.filter((a) => ALARM_ACTION_FIELDS.some((f) => ((a[f] ?? []) as string[]).includes(policyArn)));
}

/** The step-scaling policies' alarms, each once, with its tags (PutMetricAlarm takes them back). */
async function stepAlarms(aws: AwsCaller, policies: Raw[]): Promise<Record<string, unknown>[]> {
  const stepArns = policies.filter((p) => p.PolicyType === 'StepScaling' && p.PolicyARN).map((p) => String(p.PolicyARN));
  const found = (await Promise.all(stepArns.map((arn) => alarmsActingOn(aws, arn)))).flat();
  const unique = [...new Map(found.map((a) => [String(a.AlarmName), a])).values()].sort((a, b) => String(a.AlarmName).localeCompare(String(b.AlarmName)));
  return Promise.all(unique.map(async (alarm) => {
    const tags = await aws.call<Raw>('cloudwatch', 'ListTagsForResource', { ResourceARN: alarm.AlarmArn });
    return { ...pick(alarm, ALARM_FIELDS), ...((tags.Tags ?? []).length > 0 && { Tags: tags.Tags }) };
  }));
}

async function targetScaling(aws: AwsCaller, target: Raw): Promise<ServiceScaling> {
  const resource = { ServiceNamespace: 'ecs', ResourceId: target.ResourceId, ScalableDimension: ECS_DESIRED_COUNT };
  const [described, scheduled] = await Promise.all([
    paginate(async (NextToken) => {
      const page = await aws.call<Raw>('application-autoscaling', 'DescribeScalingPolicies', { ...resource, ...(NextToken && { NextToken }) });
      return { items: page.ScalingPolicies as Raw[] | undefined, next: page.NextToken };
    }),
    paginate(async (NextToken) => {
      const page = await aws.call<Raw>('application-autoscaling', 'DescribeScheduledActions', { ...resource, ...(NextToken && { NextToken }) });
      return { items: page.ScheduledActions as Raw[] | undefined, next: page.NextToken };
    }),
  ]);
  // Only this resource's own, whatever else an endpoint returns (moto ignores DescribeScalingPolicies' ResourceId filter).
  const own = (r: Raw) => r.ResourceId === undefined || r.ResourceId === target.ResourceId;
  const policies = described.filter(own).sort((a, b) => String(a.PolicyName).localeCompare(String(b.PolicyName)));
  return {
    minCapacity: target.MinCapacity, maxCapacity: target.MaxCapacity,
    ...(target.SuspendedState && { suspendedState: target.SuspendedState }),
    policies: policies.map((p) => pick(p, POLICY_FIELDS)),
    policyArns: Object.fromEntries(policies.filter((p) => p.PolicyARN).map((p) => [String(p.PolicyName), String(p.PolicyARN)])),
    stepAlarms: await stepAlarms(aws, policies),
    scheduledActions: scheduled.filter(own).map((a) => pick(a, SCHEDULED_ACTION_FIELDS))
      .sort((a, b) => String(a.ScheduledActionName).localeCompare(String(b.ScheduledActionName))),
  };
}

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
  const scaling = await Promise.all(targets.map(async (target) => [String(target.ResourceId), await targetScaling(aws, target)] as const));
  return Object.fromEntries(scaling.sort(([a], [b]) => a.localeCompare(b)));
}
