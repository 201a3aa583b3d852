// Application Auto Scaling and CloudWatch.
//
// Service Authorization Reference, "Actions, resources, and condition keys
// for Application Auto Scaling": a scalable target's ARN carries an id the
// service generates on registration, so meshctl authorizes its actions on
// "*". Scaling an ECS service also needs ecs:DescribeServices and
// ecs:UpdateService on it, cloudwatch:DescribeAlarms, PutMetricAlarm and
// DeleteAlarms (target tracking makes and removes its alarms, named
// TargetTracking-<resource id>-…), and on first use the service-linked role
// AWSServiceRoleForApplicationAutoScaling_ECSService (Amazon ECS Developer
// Guide, "IAM permissions required for Amazon ECS service auto scaling";
// Application Auto Scaling User Guide, "Service-linked roles").
//
// Service Authorization Reference, "Actions, resources, and condition keys
// for Amazon CloudWatch": PutMetricAlarm and DeleteAlarms are authorized on
// the alarm (alarm:<name>); tags given to PutMetricAlarm need
// cloudwatch:TagResource; GetMetricData and GetMetricStatistics take no resource.
import { alarm, ecsService, text, type Scope } from '../arns.js';
import type { Dependent, Requirement } from '../requirement.js';
import { read } from './read.js';

export const SCALING_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Application Auto Scaling"';
export const CLOUDWATCH_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Amazon CloudWatch"';
const ECS_SCALING = 'Amazon ECS Developer Guide, "IAM permissions required for Amazon ECS service auto scaling"';

/** The ECS service a scalable target scales: ResourceId service/<cluster>/<service>. */
function scaledService(s: Scope): string | undefined {
  const [kind, cluster, service] = (text(s.input.ResourceId) ?? '').split('/');
  return s.input.ServiceNamespace === 'ecs' && kind === 'service' && cluster && service ? ecsService(s, cluster, service) : undefined;
}

const trackingAlarms = (s: Scope) => [alarm(s, `TargetTracking-${text(s.input.ResourceId) ?? '*'}-*`)];
const alarmsDependent = (actions: string[]): Dependent[] => actions.map((action) => ({ action, sid: 'MeshctlScalingAlarms', page: ECS_SCALING, resources: trackingAlarms }));
const describeAlarms: Dependent = { action: 'cloudwatch:DescribeAlarms', access: 'read', sid: 'MeshctlReadEstate', page: ECS_SCALING, resources: trackingAlarms };

const scaling = (op: string, dependent: Dependent[] = [], extra: Partial<Requirement> = {}): Requirement => ({
  action: `application-autoscaling:${op}`, access: 'write', page: SCALING_PAGE, sid: 'MeshctlScaling', resources: () => ['*'], dependent, ...extra,
});

export const SCALING: Record<string, Requirement> = {
  'application-autoscaling RegisterScalableTarget': scaling('RegisterScalableTarget', [
    { action: 'ecs:UpdateService', sid: 'MeshctlScaledServices', page: ECS_SCALING, when: (s) => !!scaledService(s), resources: (s) => [scaledService(s)!] },
    { action: 'ecs:DescribeServices', access: 'read', sid: 'MeshctlReadEstate', page: ECS_SCALING, when: (s) => !!scaledService(s), resources: (s) => [scaledService(s)!] },
  ], {
    linkedRole: { service: 'ecs.application-autoscaling.amazonaws.com', role: 'AWSServiceRoleForApplicationAutoScaling_ECSService', page: 'Application Auto Scaling User Guide, "Service-linked roles for Application Auto Scaling"' },
    undoneBy: 'application-autoscaling DeregisterScalableTarget',
  }),
  'application-autoscaling PutScalingPolicy': scaling('PutScalingPolicy', [...alarmsDependent(['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms']), describeAlarms]),
  'application-autoscaling DeleteScalingPolicy': scaling('DeleteScalingPolicy', [...alarmsDependent(['cloudwatch:DeleteAlarms']), describeAlarms]),
  'application-autoscaling DeregisterScalableTarget': scaling('DeregisterScalableTarget', [...alarmsDependent(['cloudwatch:DeleteAlarms']), describeAlarms]),
  'application-autoscaling PutScheduledAction': scaling('PutScheduledAction'),
  'application-autoscaling DeleteScheduledAction': scaling('DeleteScheduledAction'),
  ...Object.fromEntries(['DescribeScalableTargets', 'DescribeScalingPolicies', 'DescribeScheduledActions']
    .map((op) => [`application-autoscaling ${op}`, read(`application-autoscaling:${op}`, SCALING_PAGE)])),
};

const alarmNames = (s: Scope) => [...((s.input.AlarmNames ?? []) as unknown[]), s.input.AlarmName].map(text).filter((n): n is string => !!n);

export const CLOUDWATCH: Record<string, Requirement> = {
  // Copied step-scaling alarms (green dimensions, the green policy as action): made by name, removed with the blue side or by rollback.
  'cloudwatch PutMetricAlarm': {
    action: 'cloudwatch:PutMetricAlarm', access: 'write', page: CLOUDWATCH_PAGE, sid: 'MeshctlAlarms', resources: (s) => alarmNames(s).map((n) => alarm(s, n)),
    tagOnCreate: { action: 'cloudwatch:TagResource', field: 'Tags', sid: 'MeshctlAlarms', page: CLOUDWATCH_PAGE },
    undoneBy: 'cloudwatch DeleteAlarms',
  },
  'cloudwatch DeleteAlarms': { action: 'cloudwatch:DeleteAlarms', access: 'write', page: CLOUDWATCH_PAGE, sid: 'MeshctlAlarms', resources: (s) => alarmNames(s).map((n) => alarm(s, n)) },
  'cloudwatch DescribeAlarms': read('cloudwatch:DescribeAlarms', CLOUDWATCH_PAGE, (s) => (alarmNames(s).length > 0 ? alarmNames(s).map((n) => alarm(s, n)) : ['*'])),
  // The tags of the step-scaling alarms a green twin's copies take.
  'cloudwatch ListTagsForResource': read('cloudwatch:ListTagsForResource', CLOUDWATCH_PAGE, (s) => [text(s.input.ResourceARN) ?? '*']),
  'cloudwatch GetMetricData': read('cloudwatch:GetMetricData', CLOUDWATCH_PAGE),
  'cloudwatch GetMetricStatistics': read('cloudwatch:GetMetricStatistics', CLOUDWATCH_PAGE),
};
