// The blue-green cut-over of a service leaving App Mesh, as plan steps: a
// green twin beside the blue service in the Service Connect namespace (AWS's
// App Mesh to Service Connect migration guide: an ECS service cannot be in a
// mesh and a namespace at once), green target groups copied from the blue
// ones, every forward to blue made a weighted forward (blue 100, green 0) for
// meshctl shift, and the blue service's scaling copied (scaling-copy.ts). Pure.
import { weightedActions, type EdgeForward, type EdgeState, type TargetGroup } from '../edge.js';
import type { Cluster, Service } from '../estate.js';
import type { PlanStep, StepOutputRef } from '../plan/model.js';
import type { ServiceScaling } from '../scaling.js';
import { planScalingCopy } from './scaling-copy.js';

export const GREEN_SUFFIX = '-sc';

export interface TwinInput {
  cluster: Cluster;
  service: Service;
  /** cluster/service of the blue service. */
  label: string;
  namespace: string;
  /** The task definition the twin runs: an ARN, or a reference to the registration step. */
  taskDefinition: unknown;
  serviceConnectConfiguration: Record<string, unknown>;
  /** Steps the twin's creation waits for (its registration, its namespace). */
  dependsOn: string[];
  edge: EdgeState;
  scaling: ServiceScaling | undefined;
  clientToken: string;
}

export interface TwinPlan {
  steps: PlanStep[];
  /** The step that moves the service (the twin's CreateService), none when the twin exists already. */
  moveStep?: string;
  notes: string[];
}

export const greenName = (service: string) => `${service}${GREEN_SUFFIX}`;

/** Plans the green twin of one blue service, its target groups, scaling and weighted forwards. */
export function planGreenTwin(input: TwinInput): TwinPlan {
  const { cluster, service, label, edge } = input;
  const green = greenName(service.name);
  const steps: PlanStep[] = [];
  const notes: string[] = [];
  let moveStep: string | undefined;
  if (!cluster.services.some((s) => s.name === green)) {
    moveStep = `ecs-green-service:${label}`;
    const edgeSteps = edgeCutOver(service, label, edge);
    steps.push(...edgeSteps.targetGroups.map((e) => e.step));
    // ECS refuses a target group no load balancer forwards to (CreateService: "does not have an associated
    // load balancer"): the weighted forwards, green at 0, come first.
    steps.push(...edgeSteps.weights);
    const loadBalancers = edgeSteps.targetGroups.flatMap((e) => (e.loadBalancer ? [e.loadBalancer] : []));
    steps.push({
      id: moveStep, service: 'ecs', operation: 'CreateService', action: 'create',
      dependsOn: [...input.dependsOn, ...edgeSteps.targetGroups.map((e) => e.step.id), ...edgeSteps.weights.map((w) => w.id)], ecsService: label,
      resource: `ECS service ${cluster.name}/${green} (green, beside ${service.name})`,
      input: {
        ...greenServiceInput(service, cluster.name, green, input.taskDefinition, input.serviceConnectConfiguration, input.clientToken),
        ...(loadBalancers.length > 0 && { loadBalancers }),
      },
    });
    const scaling = planScalingCopy({
      blue: input.scaling, label, cluster: cluster.name, blueService: service.name, green, greenStep: moveStep,
      targetGroupTwins: edgeSteps.twins, suffix: GREEN_SUFFIX,
    });
    steps.push(...scaling.steps);
    notes.push(...scaling.notes);
    for (const w of edgeSteps.weights) {
      notes.push(`weighted routing ready on ${w.resource.replace(/ \(.*$/, '')}: ${service.name} weight 100, ${green} weight 0; meshctl shift moves the traffic to ${green} in steps`);
    }
  }
  const behindLoadBalancer = edge.forwards.some((f) => service.loadBalancers.some((lb) => lb.targetGroupArn === f.targetGroupArn));
  if (!behindLoadBalancer) {
    notes.push(`cut-over: ${green} runs beside ${service.name} in namespace ${input.namespace}; shift traffic at the edge (weighted target groups on a load balancer, Route 53 weighted records or CloudFront continuous deployment)`);
  }
  notes.push(behindLoadBalancer
    ? `after the cut-over: meshctl finalize removes ${service.name}, its target group and its App Mesh resources`
    : `after the cut-over: scale ${service.name} to 0, then meshctl plan --remove-mesh-resources removes its App Mesh resources`);
  return { steps, ...(moveStep && { moveStep }), notes };
}

/** A target group's CloudWatch dimension value and resource-label tail: targetgroup/<name>/<id>, its ARN's resource part. */
const targetGroupDimension = (arn: string) => arn.split(':').slice(5).join(':');

interface EdgeCutOver {
  targetGroups: { step: PlanStep; loadBalancer?: Record<string, unknown> }[];
  weights: PlanStep[];
  /** Each blue target group (by dimension value) with the step creating its green twin, if the plan makes one. */
  twins: Record<string, string | undefined>;
}

/** A copy of a target group under another name, and the output reference to its ARN. */
export interface TargetGroupCopy {
  /** CreateTargetGroup, then ModifyTargetGroupAttributes when the original has attributes. */
  steps: PlanStep[];
  createStep: string;
  name: string;
  arn: StepOutputRef;
}

/**
 * A faithful copy of a target group (protocol, port, VPC, protocol version —
 * HTTP2 or GRPC —, address type, health check, and its attributes:
 * deregistration delay, stickiness, slow start, algorithm), for awsvpc
 * tasks: the green twin's, or the alternate group of an ECS-managed deployment.
 */
export function copyTargetGroup(blue: TargetGroup, label: string, suffix: string, what: string): TargetGroupCopy {
  const name = `${blue.name.slice(0, 32 - suffix.length)}${suffix}`;
  const id = `elbv2-target-group:${label}:${blue.name}`;
  const arn: StepOutputRef = { $ref: id, path: 'TargetGroups.0.TargetGroupArn' };
  const steps: PlanStep[] = [{
    id, service: 'elbv2', operation: 'CreateTargetGroup', action: 'create', dependsOn: [], ecsService: label,
    resource: `target group ${name} (${what} ${blue.name})`,
    input: {
      Name: name, Protocol: blue.protocol, Port: blue.port, VpcId: blue.vpcId, TargetType: 'ip',
      ...(blue.protocolVersion && { ProtocolVersion: blue.protocolVersion }), ...(blue.ipAddressType && { IpAddressType: blue.ipAddressType }),
      ...blue.healthCheck,
    },
  }];
  // Deregistration delay, stickiness, slow start, algorithm: set before any task registers.
  if (Object.keys(blue.attributes).length > 0) {
    steps.push({
      id: `elbv2-target-group-attributes:${label}:${blue.name}`, service: 'elbv2', operation: 'ModifyTargetGroupAttributes', action: 'update', dependsOn: [id], ecsService: label,
      resource: `target group ${name}: attributes of ${blue.name}`,
      input: { TargetGroupArn: arn, Attributes: Object.entries(blue.attributes).sort().map(([Key, Value]) => ({ Key, Value })) },
    });
  }
  return { steps, createStep: id, name, arn };
}

/** The rule (or listener default) forwarding to blue made a weighted forward: blue 100, the copy 0. */
export function weightedForwardStep(forward: EdgeForward, label: string, copy: TargetGroupCopy, blueName: string): PlanStep {
  const actions = weightedActions(forward, copy.arn);
  return {
    id: `elbv2-weights:${forward.arn}`, service: 'elbv2', operation: forward.kind === 'rule' ? 'ModifyRule' : 'ModifyListener', action: 'update',
    dependsOn: [copy.createStep], ecsService: label, before: forward.actions,
    resource: `${forward.kind === 'rule' ? 'listener rule' : 'listener'} ${forward.arn.split('/').slice(-2).join('/')} (weighted: ${blueName} 100, ${copy.name} 0)`,
    input: forward.kind === 'rule' ? { RuleArn: forward.arn, Actions: actions } : { ListenerArn: forward.arn, DefaultActions: actions },
  };
}

/** Target groups for the green service (copies of the blue ones, for awsvpc tasks) and weighted forwards on the rules. */
function edgeCutOver(service: Service, label: string, edge: EdgeState): EdgeCutOver {
  const targetGroups: EdgeCutOver['targetGroups'] = [];
  const weights: PlanStep[] = [];
  const twins: EdgeCutOver['twins'] = {};
  for (const lb of service.loadBalancers) {
    if (lb.targetGroupArn) twins[targetGroupDimension(lb.targetGroupArn)] = undefined;
    const blue = lb.targetGroupArn ? edge.targetGroups[lb.targetGroupArn] : undefined;
    if (!blue) continue;
    const copy = copyTargetGroup(blue, label, GREEN_SUFFIX, 'green twin of');
    twins[targetGroupDimension(blue.arn)] = copy.createStep;
    targetGroups.push({ step: copy.steps[0]!, loadBalancer: { targetGroupArn: copy.arn, containerName: lb.containerName, containerPort: lb.containerPort } });
    targetGroups.push(...copy.steps.slice(1).map((step) => ({ step })));
    for (const forward of edge.forwards.filter((f) => f.targetGroupArn === blue.arn)) weights.push(weightedForwardStep(forward, label, copy, blue.name));
  }
  return { targetGroups, weights, twins };
}

/**
 * The green twin: a faithful copy of everything CreateService accepts that
 * the blue service has (without its grace period, a slow-starting app is
 * killed by the load balancer's health checks; without its placement, tags,
 * circuit breaker or alarms, it runs differently), on the new revision and
 * Service Connect.
 */
function greenServiceInput(service: Service, cluster: string, name: string, taskDefinition: unknown, scConfig: Record<string, unknown>, clientToken: string): Record<string, unknown> {
  const settings = service.settings ?? {};
  return {
    ...settings,
    cluster,
    serviceName: name,
    taskDefinition,
    desiredCount: service.desiredCount,
    ...(service.capacityProviderStrategy.length > 0 ? { capacityProviderStrategy: service.capacityProviderStrategy } : service.launchType ? { launchType: service.launchType } : {}),
    ...(service.platformVersion && { platformVersion: service.platformVersion }),
    ...(service.awsvpcConfiguration && { networkConfiguration: { awsvpcConfiguration: service.awsvpcConfiguration } }),
    deploymentConfiguration: { ...settings.deploymentConfiguration, maximumPercent: service.maximumPercent, minimumHealthyPercent: service.minimumHealthyPercent },
    serviceConnectConfiguration: scConfig,
    clientToken,
  };
}
