// The blue service's Application Auto Scaling, copied for its green twin once
// the twin exists: its scalable target (bounds and suspended state), every
// policy (target tracking, step, predictive) and scheduled action, and the
// CloudWatch alarms that drive its step-scaling policies. Whatever names the
// blue service in a metric is pointed at green: the ECS ServiceName
// dimension, the TargetGroup dimension and the ALBRequestCountPerTarget /
// ALBRequestCount resource label of the green target group (known once it
// exists: an output reference), and each alarm's action on a blue policy
// becomes the green policy's ARN. What cannot be copied is said, never
// dropped. Pure.
import type { PlanStep, StepOutputRef } from '../plan/model.js';
import { ALARM_ACTION_FIELDS, ECS_DESIRED_COUNT, scalingResourceId, type ServiceScaling } from '../scaling.js';

export interface ScalingCopyInput {
  blue: ServiceScaling | undefined;
  /** cluster/service of the blue service. */
  label: string;
  cluster: string;
  blueService: string;
  green: string;
  /** The twin's CreateService step: scaling is registered once it exists. */
  greenStep: string;
  /**
   * Blue's target groups by their CloudWatch dimension value
   * (targetgroup/<name>/<id>), each with the step that creates its green
   * twin, or none when the plan makes none.
   */
  targetGroupTwins: Record<string, string | undefined>;
  /** Appended to a copied alarm's name: alarm names are unique in a Region. */
  suffix: string;
}

export interface ScalingCopy {
  steps: PlanStep[];
  notes: string[];
}

type Node = Record<string, unknown>;

const TARGET_GROUP_ARN = 'TargetGroups.0.TargetGroupArn';

/** Rewrites one value toward green; records what it could not. */
class TowardGreen {
  /** Blue target groups named where no green twin exists. */
  readonly unmapped = new Set<string>();
  /** Metric math expressions copied as written that still name blue. */
  readonly expressions: string[] = [];

  constructor(private readonly input: ScalingCopyInput) {}

  value(node: unknown, key?: string): unknown {
    if (Array.isArray(node)) return key === 'Dimensions' ? this.dimensions(node as Node[]) : node.map((n) => this.value(n));
    if (typeof node === 'string') return key === 'ResourceLabel' ? this.resourceLabel(node) : this.expression(node, key);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.value(v, k)]));
    return node;
  }

  private twin(dimension: string): StepOutputRef | undefined {
    const step = this.input.targetGroupTwins[dimension];
    if (step) return { $ref: step, path: TARGET_GROUP_ARN, arnResource: true };
    this.unmapped.add(dimension);
    return undefined;
  }

  /** ServiceName (of this cluster) and TargetGroup name green; LoadBalancer and ClusterName stay. */
  private dimensions(list: Node[]): Node[] {
    const cluster = list.find((d) => d.Name === 'ClusterName')?.Value;
    return list.map((d) => {
      if (d.Name === 'ServiceName' && d.Value === this.input.blueService && (cluster === undefined || cluster === this.input.cluster)) return { ...d, Value: this.input.green };
      if (d.Name === 'TargetGroup' && typeof d.Value === 'string' && d.Value in this.input.targetGroupTwins) return { ...d, Value: this.twin(d.Value) ?? d.Value };
      return d;
    });
  }

  /** app/<lb>/<id>/targetgroup/<name>/<id> (Application Auto Scaling API Reference, PredefinedMetricSpecification). */
  private resourceLabel(label: string): unknown {
    const blue = Object.keys(this.input.targetGroupTwins).find((dimension) => label.endsWith(`/${dimension}`));
    if (!blue) return label;
    const twin = this.twin(blue);
    return twin ? { ...twin, prefix: label.slice(0, label.length - blue.length) } : label;
  }

  private expression(text: string, key?: string): string {
    const names = [this.input.blueService, ...Object.keys(this.input.targetGroupTwins)];
    if (key === 'Expression' && names.some((n) => text.includes(n))) this.expressions.push(text);
    return text;
  }
}

/** The scalable target, policies and scheduled actions of the twin. */
function targetAndPolicies(input: ScalingCopyInput, blue: ServiceScaling, notes: string[]) {
  const { label, green } = input;
  const target = { ServiceNamespace: 'ecs', ResourceId: scalingResourceId(input.cluster, green), ScalableDimension: ECS_DESIRED_COUNT };
  const register: PlanStep = {
    id: `scaling-target:${label}`, service: 'application-autoscaling', operation: 'RegisterScalableTarget', action: 'create', dependsOn: [input.greenStep], ecsService: label,
    resource: `scalable target ${target.ResourceId} (min ${blue.minCapacity}, max ${blue.maxCapacity}${blue.suspendedState ? ', suspended as blue\'s' : ''}, as ${label})`,
    // A scaling suspension (during an incident, a load test) holds on green too.
    input: { ...target, MinCapacity: blue.minCapacity, MaxCapacity: blue.maxCapacity, ...(blue.suspendedState && { SuspendedState: blue.suspendedState }) },
  };
  const policySteps = new Map<string, string>();
  const steps: PlanStep[] = [register];
  for (const policy of blue.policies) {
    const name = String(policy.PolicyName);
    const rewrite = new TowardGreen(input);
    const copied = rewrite.value(policy) as Node;
    if (rewrite.unmapped.size > 0) {
      notes.push(`scaling policy ${name} not copied to ${green}: it scales on ${[...rewrite.unmapped].join(', ')}, which gets no green twin in this plan; put the policy on ${green} by hand once its target group exists`);
      continue;
    }
    for (const expression of rewrite.expressions) notes.push(`scaling policy ${name}: its metric math expression is copied as written and still names blue (${expression.slice(0, 120)}): check it for ${green}`);
    const id = `scaling-policy:${label}:${name}`;
    policySteps.set(name, id);
    steps.push({
      id, service: 'application-autoscaling', operation: 'PutScalingPolicy', action: 'create', dependsOn: [register.id], ecsService: label,
      resource: `scaling policy ${name} on ${target.ResourceId}`, input: { ...target, ...copied },
    });
  }
  for (const action of blue.scheduledActions) {
    const name = String(action.ScheduledActionName);
    steps.push({
      id: `scaling-schedule:${label}:${name}`, service: 'application-autoscaling', operation: 'PutScheduledAction', action: 'create', dependsOn: [register.id], ecsService: label,
      resource: `scheduled action ${name} on ${target.ResourceId} (${String(action.Schedule)})`, input: { ...target, ...action },
    });
  }
  return { steps, policySteps };
}

/** A blue policy named by ARN in an alarm action, if it is one. */
function bluePolicyOf(blue: ServiceScaling, action: unknown): string | undefined {
  return Object.entries(blue.policyArns).find(([, arn]) => arn === action)?.[0];
}

/** Each step-scaling alarm copied on green's metrics, acting on green's policies. */
function alarmCopies(input: ScalingCopyInput, blue: ServiceScaling, policySteps: Map<string, string>, notes: string[]): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const alarm of blue.stepAlarms) {
    const name = String(alarm.AlarmName);
    const named = ALARM_ACTION_FIELDS.flatMap((f) => ((alarm[f] ?? []) as string[]).map((a) => bluePolicyOf(blue, a)).filter((p): p is string => !!p));
    const missing = named.filter((p) => !policySteps.has(p));
    const rewrite = new TowardGreen(input);
    const copied = rewrite.value(alarm) as Node;
    if (missing.length > 0 || rewrite.unmapped.size > 0) {
      notes.push(`alarm ${name} not copied to ${input.green}: ${missing.length > 0 ? `it acts on policy ${missing.join(', ')}, not copied` : `it watches ${[...rewrite.unmapped].join(', ')}, which gets no green twin`}`);
      continue;
    }
    for (const expression of rewrite.expressions) notes.push(`alarm ${name}: its metric math expression is copied as written and still names blue (${expression.slice(0, 120)}): check it for ${input.green}`);
    const others = ALARM_ACTION_FIELDS.flatMap((f) => ((alarm[f] ?? []) as string[]).filter((a) => /:scalingPolicy:/.test(a) && !bluePolicyOf(blue, a)));
    if (others.length > 0) notes.push(`alarm ${name} also acts on scaling policies of other resources (${others.join(', ')}); its green copy does too`);
    for (const field of ALARM_ACTION_FIELDS) {
      if (copied[field]) copied[field] = (copied[field] as string[]).map((a) => (bluePolicyOf(blue, a) ? { $ref: policySteps.get(bluePolicyOf(blue, a)!)!, path: 'PolicyARN' } : a));
    }
    const greenName = `${name.slice(0, 255 - input.suffix.length)}${input.suffix}`;
    steps.push({
      id: `scaling-alarm:${input.label}:${name}`, service: 'cloudwatch', operation: 'PutMetricAlarm', action: 'create',
      dependsOn: [...new Set(named.map((p) => policySteps.get(p)!))], ecsService: input.label,
      resource: `CloudWatch alarm ${greenName} (copy of ${name} on ${input.green}'s metrics, acting on policy ${[...new Set(named)].join(', ')} of ${input.green})`,
      input: { ...copied, AlarmName: greenName },
    });
  }
  return steps;
}

export function planScalingCopy(input: ScalingCopyInput): ScalingCopy {
  const { blue } = input;
  if (!blue) return { steps: [], notes: [] };
  const notes: string[] = [];
  const { steps, policySteps } = targetAndPolicies(input, blue, notes);
  const alarms = alarmCopies(input, blue, policySteps, notes);
  const scheduled = steps.filter((s) => s.operation === 'PutScheduledAction').length;
  notes.unshift(`scaling copied to ${input.green}: min ${blue.minCapacity}, max ${blue.maxCapacity}, ${policySteps.size} polic${policySteps.size === 1 ? 'y' : 'ies'}, ${scheduled} scheduled action(s), ${alarms.length} step-scaling alarm(s) as <name>${input.suffix}; meshctl finalize removes blue's scalable target and alarms`);
  return { steps: [...steps, ...alarms], notes };
}
