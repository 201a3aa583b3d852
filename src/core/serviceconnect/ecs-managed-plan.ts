// The cut-over that keeps the service: ECS's own canary, linear or
// blue/green deployment moves it from its App Mesh revision to its Service
// Connect one, shifting production traffic on the listener rule itself and
// rolling back on its alarms. As plan steps (Amazon ECS Developer Guide,
// "Amazon ECS blue/green deployments", "Required resources for Amazon ECS
// blue/green deployments", "Application Load Balancer resources for
// blue/green, linear, and canary deployments", "Update the deployment
// strategy from rolling update to Amazon ECS blue/green"):
//   1. the alternate target group, a faithful copy of the production one;
//   2. the production rule forwards to both (production 100, alternate 0):
//      "both target groups must be associated with production listener rules";
//   3. UpdateService sets loadBalancers[].advancedConfiguration (alternate
//      group, production rule, infrastructure role) under the service's
//      current ROLLING strategy, and apply waits for the rolling deployment
//      that starts: AWS requires this before a service's strategy changes;
//   4. one UpdateService moves it to its Service Connect revision and
//      configuration with the strategy, its steps, the bake time and the
//      alarms (rollback on). ECS runs the rest. Pure.
import type { Service } from '../estate.js';
import { ECS_STRATEGY, type CutoverSettings, type EcsManagedStrategy } from '../cutover/ecs-strategy.js';
import type { EdgeForward, EdgeState } from '../edge.js';
import type { PlanStep } from '../plan/model.js';
import type { ServiceScaling } from '../scaling.js';
import { copyTargetGroup, weightedForwardStep } from './cutover-plan.js';

export const ALTERNATE_SUFFIX = '-alt';

export interface EcsManagedInput {
  cluster: string;
  service: Service;
  label: string;
  strategy: EcsManagedStrategy;
  production: EdgeForward;
  targetGroupArn: string;
  edge: EdgeState;
  settings: CutoverSettings;
  /** meshctl.yaml services.<name>.alarms. */
  serviceAlarms: string[];
  /** The revision to move to: an ARN, or a reference to its registration; undefined when it does not change. */
  taskDefinition?: unknown;
  serviceConnectConfiguration: Record<string, unknown>;
  /** Steps the move waits for (its registration, its namespace). */
  dependsOn: string[];
  scaling?: ServiceScaling;
  /** Services still on App Mesh that call this one, by cluster/service. */
  appMeshClients: string[];
}

export interface EcsManagedMove {
  steps: PlanStep[];
  moveStep: string;
  notes: string[];
  /** What the deployment will do, for the plan's service entry. */
  deployment: Record<string, unknown>;
}

/** Rolling-only settings ECS refuses beside another strategy. */
const ROLLING_ONLY = ['earlySuccessCriteria', 'canaryConfiguration', 'linearConfiguration'];

/** The service's deployment configuration, kept, with the strategy, its steps, the bake and the alarms (rollback on). */
function deploymentConfiguration(input: EcsManagedInput, alarmNames: string[]): Record<string, unknown> {
  const current = Object.fromEntries(Object.entries(input.service.settings?.deploymentConfiguration ?? {}).filter(([k]) => !ROLLING_ONLY.includes(k)));
  const { canary, linear, bakeMinutes } = input.settings;
  return {
    ...current,
    maximumPercent: input.service.maximumPercent,
    minimumHealthyPercent: input.service.minimumHealthyPercent,
    strategy: ECS_STRATEGY[input.strategy],
    ...(input.strategy === 'ecs-canary' && { canaryConfiguration: { canaryPercent: canary.percent, canaryBakeTimeInMinutes: canary.bakeMinutes } }),
    ...(input.strategy === 'ecs-linear' && { linearConfiguration: { stepPercent: linear.stepPercent, stepBakeTimeInMinutes: linear.stepBakeMinutes } }),
    bakeTimeInMinutes: bakeMinutes,
    ...(alarmNames.length > 0 && { alarms: { alarmNames, enable: true, rollback: true } }),
  };
}

function shiftSaid(input: EcsManagedInput): string {
  const { canary, linear, bakeMinutes } = input.settings;
  const shift = input.strategy === 'ecs-canary' ? `${canary.percent}% for ${canary.bakeMinutes} min, then the rest`
    : input.strategy === 'ecs-linear' ? `${linear.stepPercent}% every ${linear.stepBakeMinutes} min` : 'all at once';
  return `${shift}; the App Mesh revision stays up ${bakeMinutes} min after (bake), to roll back to at once`;
}

/** Scaling that tracks the production group's request count stops seeing traffic once it moved to the alternate group. */
function scalingNotes(input: EcsManagedInput, alternate: string): string[] {
  const tg = input.targetGroupArn.split(':').slice(5).join(':');
  return (input.scaling?.policies ?? [])
    .filter((p) => JSON.stringify(p).includes(tg))
    .map((p) => `scaling policy ${String(p.PolicyName)} tracks the request count of target group ${input.edge.targetGroups[input.targetGroupArn]?.name}; once traffic is on ${alternate} (and ECS alternates the two on each deployment) it sees none: track ECSServiceAverageCPUUtilization instead, or point it at the group carrying traffic after each deployment`);
}

export function planEcsManagedMove(input: EcsManagedInput): EcsManagedMove {
  const { service, label, production, edge } = input;
  const blue = edge.targetGroups[input.targetGroupArn]!;
  const lb = service.loadBalancers[0]!;
  const alternate = copyTargetGroup(blue, label, ALTERNATE_SUFFIX, 'alternate for ECS\'s deployment, copy of');
  const weights = weightedForwardStep(production, label, alternate, blue.name);
  weights.dependsOn = alternate.steps.map((s) => s.id);
  const roleArn = input.settings.infrastructureRoleArn!;
  const advanced = {
    ...lb,
    advancedConfiguration: { alternateTargetGroupArn: alternate.arn, productionListenerRule: production.arn, roleArn },
  };
  const prepare: PlanStep = {
    id: `ecs-service-load-balancer:${label}`, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [weights.id], ecsService: label, awaits: 'rollout',
    resource: `ECS service ${label}: load balancer's advancedConfiguration (alternate ${alternate.name}, production rule, role), rolling out its current revision`,
    input: { cluster: input.cluster, service: service.name, loadBalancers: [advanced] },
    before: { loadBalancers: service.loadBalancers },
  };
  const alarmNames = [...new Set([...((service.settings?.deploymentConfiguration?.alarms as { alarmNames?: string[] } | undefined)?.alarmNames ?? []), ...input.settings.alarms, ...input.serviceAlarms])].sort();
  const configuration = deploymentConfiguration(input, alarmNames);
  const moveStep = `ecs-service:${label}`;
  const move: PlanStep = {
    id: moveStep, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [...input.dependsOn, prepare.id], ecsService: label,
    resource: `ECS service ${label}: ${input.strategy} deployment to Service Connect (keeps its name)`,
    input: {
      cluster: input.cluster, service: service.name, ...(input.taskDefinition !== undefined && { taskDefinition: input.taskDefinition }),
      serviceConnectConfiguration: input.serviceConnectConfiguration, deploymentConfiguration: configuration,
    },
    before: { taskDefinition: service.taskDefinitionArn, serviceConnectConfiguration: service.serviceConnect ?? { enabled: false }, deploymentConfiguration: service.settings?.deploymentConfiguration ?? {} },
  };
  const notes = [
    `${input.strategy}: ECS starts the Service Connect revision beside the App Mesh one (a full second set of tasks) and moves production traffic on rule ${production.arn.split('/').slice(-3).join('/')} from ${blue.name} to ${alternate.name}: ${shiftSaid(input)}; ${service.name} keeps its name`,
    alarmNames.length > 0
      ? `ECS rolls back by itself when ${alarmNames.join(', ')} goes into ALARM; apply then fails naming the alarm`
      : 'no CloudWatch alarm watches the deployment (ECS rolls back only on failed tasks): set cutover.alarms or services.<name>.alarms in meshctl.yaml, or --deployment-alarm',
    `first a rolling deployment of the current revision puts the load balancer's advancedConfiguration in place: AWS requires it before the strategy of a service changes; apply waits for it`,
    ...(input.appMeshClients.length > 0 ? [`risk: ${input.appMeshClients.join(', ')} still call it through App Mesh, not the load balancer: ECS's ${input.strategy.slice(4)} does not govern their calls. They reach the App Mesh tasks until ECS removes them after the bake, then only what the Cloud Map registry holds, without Envoy (no App Mesh TLS, retries or routes); move those clients first, or expect failed calls from them after the bake`] : []),
    ...scalingNotes(input, alternate.name),
  ];
  return {
    steps: [...alternate.steps, weights, prepare, move], moveStep, notes,
    deployment: { strategy: ECS_STRATEGY[input.strategy], productionListenerRule: production.arn, alternateTargetGroup: alternate.name, roleArn, ...pick(configuration) },
  };
}

const pick = (c: Record<string, unknown>) => Object.fromEntries(['canaryConfiguration', 'linearConfiguration', 'bakeTimeInMinutes', 'alarms'].filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
