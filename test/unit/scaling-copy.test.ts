// A green twin scales as its blue service does, on green's own metrics: the
// request-count label of the green target group, step-scaling alarms on
// green's dimensions acting on green's policies, predictive scaling and
// scheduled actions, the suspended state; what cannot be copied is said.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../src/apply/executor.js';
import { JOURNAL_FORMAT_VERSION, JournalStore } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import type { Plan } from '../../src/core/plan/model.js';
import { resolveRefs, showRefs } from '../../src/core/plan/refs.js';
import type { ServiceScaling } from '../../src/core/scaling.js';
import { planScalingCopy, type ScalingCopyInput } from '../../src/core/serviceconnect/scaling-copy.js';
import { validateInput } from '../support/sdk-shapes.js';

const BLUE_TG = 'targetgroup/pricing/0123456789abcdef';
const LB = 'app/shop-internal/50dc6c495c0c9188';
const TG_STEP = 'elbv2-target-group:c/pricing:pricing';
const STEP_ARN = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1111:resource/ecs/service/c/pricing:policyName/pricing-step';
const REQUESTS_ARN = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:2222:resource/ecs/service/c/pricing:policyName/pricing-requests';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pricing-oncall';
const GREEN_TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing-sc/fedcba9876543210';

const target = { ServiceNamespace: 'ecs', ResourceId: 'service/c/pricing-sc', ScalableDimension: 'ecs:service:DesiredCount' };

function blue(overrides: Partial<ServiceScaling> = {}): ServiceScaling {
  return {
    minCapacity: 2, maxCapacity: 6,
    suspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    policies: [
      { PolicyName: 'pricing-requests', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 500, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: `${LB}/${BLUE_TG}` } } },
      { PolicyName: 'pricing-step', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }], Cooldown: 60 } },
    ],
    policyArns: { 'pricing-requests': REQUESTS_ARN, 'pricing-step': STEP_ARN },
    stepAlarms: [{
      AlarmName: 'pricing-cpu-high', Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Statistic: 'Average', Period: 60, EvaluationPeriods: 3, Threshold: 75,
      ComparisonOperator: 'GreaterThanThreshold', Dimensions: [{ Name: 'ClusterName', Value: 'c' }, { Name: 'ServiceName', Value: 'pricing' }],
      AlarmActions: [STEP_ARN, TOPIC], Tags: [{ Key: 'team', Value: 'pricing' }],
    }],
    scheduledActions: [{ ScheduledActionName: 'pricing-nightly', Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 3 } }],
    ...overrides,
  };
}

const input = (scaling: ServiceScaling, twins: Record<string, string | undefined> = { [BLUE_TG]: TG_STEP }): ScalingCopyInput => ({
  blue: scaling, label: 'c/pricing', cluster: 'c', blueService: 'pricing', green: 'pricing-sc', greenStep: 'ecs-green-service:c/pricing', targetGroupTwins: twins, suffix: '-sc',
});

const byId = (steps: { id: string }[], id: string) => steps.find((s) => s.id === id) as ReturnType<typeof planScalingCopy>['steps'][number];
const placeholders = (value: unknown): unknown => JSON.parse(JSON.stringify(showRefs(value)));

describe('copying a blue service\'s scaling to its green twin', () => {
  it('keeps the scalable target\'s bounds and its suspended state', () => {
    const { steps } = planScalingCopy(input(blue()));
    expect(byId(steps, 'scaling-target:c/pricing')).toMatchObject({
      operation: 'RegisterScalableTarget', dependsOn: ['ecs-green-service:c/pricing'],
      input: { ...target, MinCapacity: 2, MaxCapacity: 6, SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false } },
    });
  });

  it('points an ALBRequestCountPerTarget policy at the green target group, whose label is known once it exists', () => {
    const { steps } = planScalingCopy(input(blue()));
    const policy = byId(steps, 'scaling-policy:c/pricing:pricing-requests');
    const label = (policy.input.TargetTrackingScalingPolicyConfiguration as { PredefinedMetricSpecification: { ResourceLabel: unknown } }).PredefinedMetricSpecification.ResourceLabel;
    expect(label).toEqual({ $ref: TG_STEP, path: 'TargetGroups.0.TargetGroupArn', arnResource: true, prefix: `${LB}/` });
    // Apply puts the green target group's own label there.
    const outputs = new Map([[TG_STEP, { TargetGroups: [{ TargetGroupArn: GREEN_TG_ARN }] }]]);
    expect(resolveRefs(label, outputs)).toBe(`${LB}/targetgroup/pricing-sc/fedcba9876543210`);
    expect(validateInput('application-autoscaling', 'PutScalingPolicy', placeholders(policy.input))).toEqual([]);
  });

  it('copies each step-scaling alarm on green\'s dimensions, acting on green\'s policy, keeping its other actions and tags', () => {
    const { steps } = planScalingCopy(input(blue()));
    const alarm = byId(steps, 'scaling-alarm:c/pricing:pricing-cpu-high');
    expect(alarm).toMatchObject({ service: 'cloudwatch', operation: 'PutMetricAlarm', dependsOn: ['scaling-policy:c/pricing:pricing-step'], ecsService: 'c/pricing' });
    expect(alarm.input).toEqual({
      ...blue().stepAlarms[0], AlarmName: 'pricing-cpu-high-sc',
      Dimensions: [{ Name: 'ClusterName', Value: 'c' }, { Name: 'ServiceName', Value: 'pricing-sc' }],
      AlarmActions: [{ $ref: 'scaling-policy:c/pricing:pricing-step', path: 'PolicyARN' }, TOPIC],
    });
    expect(validateInput('cloudwatch', 'PutMetricAlarm', placeholders(alarm.input))).toEqual([]);
  });

  it('names the green target group in an ALB metric\'s TargetGroup dimension and a metric-math alarm\'s metrics', () => {
    const alb = {
      AlarmName: 'pricing-5xx-rate', EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [STEP_ARN], ThresholdMetricId: undefined,
      Metrics: [
        { Id: 'errors', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [{ Name: 'TargetGroup', Value: BLUE_TG }, { Name: 'LoadBalancer', Value: LB }] }, Period: 60, Stat: 'Sum' } },
        { Id: 'rate', Expression: 'errors / 60', ReturnData: true },
      ],
    };
    const { steps } = planScalingCopy(input(blue({ stepAlarms: [alb] })));
    const metrics = byId(steps, 'scaling-alarm:c/pricing:pricing-5xx-rate').input.Metrics as { MetricStat?: { Metric: { Dimensions: unknown[] } } }[];
    expect(metrics[0]!.MetricStat!.Metric.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: { $ref: TG_STEP, path: 'TargetGroups.0.TargetGroupArn', arnResource: true } }, { Name: 'LoadBalancer', Value: LB },
    ]);
  });

  it('copies predictive scaling (its ALBRequestCount pair on the green group) and scheduled actions', () => {
    const predictive = {
      PolicyName: 'pricing-forecast', PolicyType: 'PredictiveScaling',
      PredictiveScalingPolicyConfiguration: { Mode: 'ForecastAndScale', MetricSpecifications: [{ TargetValue: 1000, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ALBRequestCount', ResourceLabel: `${LB}/${BLUE_TG}` } }] },
    };
    const { steps } = planScalingCopy(input(blue({ policies: [predictive], policyArns: {}, stepAlarms: [] })));
    const policy = byId(steps, 'scaling-policy:c/pricing:pricing-forecast');
    expect((policy.input.PredictiveScalingPolicyConfiguration as { MetricSpecifications: { PredefinedMetricPairSpecification: { ResourceLabel: unknown } }[] }).MetricSpecifications[0]!.PredefinedMetricPairSpecification.ResourceLabel)
      .toMatchObject({ $ref: TG_STEP, prefix: `${LB}/` });
    expect(validateInput('application-autoscaling', 'PutScalingPolicy', placeholders(policy.input))).toEqual([]);
    const scheduled = byId(steps, 'scaling-schedule:c/pricing:pricing-nightly');
    expect(scheduled).toMatchObject({ operation: 'PutScheduledAction', dependsOn: ['scaling-target:c/pricing'], input: { ...target, ...blue().scheduledActions[0] } });
    expect(validateInput('application-autoscaling', 'PutScheduledAction', scheduled.input)).toEqual([]);
  });

  it('renames only this service in ServiceName dimensions: another cluster\'s service of the same name stays', () => {
    const custom = {
      PolicyName: 'pricing-queue', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, CustomizedMetricSpecification: { Namespace: 'ECS/ContainerInsights', MetricName: 'CpuUtilized', Statistic: 'Average', Dimensions: [{ Name: 'ClusterName', Value: 'other' }, { Name: 'ServiceName', Value: 'pricing' }] } },
    };
    const { steps } = planScalingCopy(input(blue({ policies: [custom], stepAlarms: [] })));
    expect((byId(steps, 'scaling-policy:c/pricing:pricing-queue').input.TargetTrackingScalingPolicyConfiguration as { CustomizedMetricSpecification: { Dimensions: unknown } }).CustomizedMetricSpecification.Dimensions)
      .toEqual([{ Name: 'ClusterName', Value: 'other' }, { Name: 'ServiceName', Value: 'pricing' }]);
  });

  it('names what it cannot copy: a policy on a target group with no green twin, the alarm acting on it, an expression naming blue', () => {
    const expression = { ...blue().stepAlarms[0]!, AlarmName: 'pricing-search', MetricName: undefined, Namespace: undefined, Statistic: undefined, Period: undefined, Dimensions: undefined,
      AlarmActions: [REQUESTS_ARN], Metrics: [{ Id: 'm', Expression: 'SEARCH(\'{AWS/ECS,ClusterName,ServiceName} ServiceName="pricing"\', \'Average\', 60)', ReturnData: true }] };
    const { steps, notes } = planScalingCopy(input(blue({ stepAlarms: [blue().stepAlarms[0]!, expression] }), { [BLUE_TG]: undefined }));
    expect(steps.map((s) => s.id)).toEqual([
      'scaling-target:c/pricing', 'scaling-policy:c/pricing:pricing-step', 'scaling-schedule:c/pricing:pricing-nightly', 'scaling-alarm:c/pricing:pricing-cpu-high',
    ]);
    expect(notes).toEqual([
      'scaling copied to pricing-sc: min 2, max 6, 1 policy, 1 scheduled action(s), 1 step-scaling alarm(s) as <name>-sc; meshctl finalize removes blue\'s scalable target and alarms',
      `scaling policy pricing-requests not copied to pricing-sc: it scales on ${BLUE_TG}, which gets no green twin in this plan; put the policy on pricing-sc by hand once its target group exists`,
      'alarm pricing-search not copied to pricing-sc: it acts on policy pricing-requests, not copied',
    ]);
    // With every policy copied, an expression is copied as written, and said to still name blue.
    const copied = planScalingCopy(input(blue({ stepAlarms: [expression] })));
    expect(copied.notes).toContain('alarm pricing-search: its metric math expression is copied as written and still names blue (SEARCH(\'{AWS/ECS,ClusterName,ServiceName} ServiceName="pricing"\', \'Average\', 60)): check it for pricing-sc');
  });

  it('copies nothing for a service without a scalable target', () => {
    expect(planScalingCopy({ ...input(blue()), blue: undefined })).toEqual({ steps: [], notes: [] });
  });
});

describe('applying a copied scheduled action', () => {
  it('sends its window as timestamps: the plan holds JSON strings, the SDK takes Dates', async () => {
    const sent: Record<string, unknown>[] = [];
    const aws = { async call(_service: string, _operation: string, input: Record<string, unknown>) { sent.push(input); return {}; } } as unknown as AwsCaller;
    const window = { ...blue().scheduledActions[0]!, StartTime: '2027-01-01T00:00:00.000Z', EndTime: '2027-03-01T00:00:00.000Z' };
    const { steps } = planScalingCopy(input(blue({ policies: [], stepAlarms: [], scheduledActions: [window] })));
    const store = new JournalStore({ state: localState(await mkdtemp(join(tmpdir(), 'meshctl-schedule-'))), name: 'journal.json' }, {
      formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: 'now', updatedAt: '', services: {}, steps: {}, created: [],
    });
    const outputs = new Map<string, unknown>([['ecs-green-service:c/pricing', {}]]);
    expect(await runSteps(steps, { callerOf: () => aws, plan: { steps } as Plan, store, outputs, sourceTaskDefinitions: {}, concurrency: 1 })).toEqual([]);
    expect(sent[1]).toMatchObject({ ScheduledActionName: 'pricing-nightly', StartTime: new Date('2027-01-01T00:00:00.000Z'), EndTime: new Date('2027-03-01T00:00:00.000Z') });
  });
});
