// Finishing a blue-green cut-over, as a plan: green first joins blue's Cloud
// Map registry (DNS callers keep resolving), the rules forward to green
// alone, blue's scaling and its step-scaling alarms go (they would act on a
// deleted service), the blue service scales to 0 and goes, then its target
// group, its revision and the App Mesh resources only it used. Run by apply's
// executor and journal like any plan.
import { accountOfArn } from '../arn.js';
import type { Service } from '../estate.js';
import { observedDeployments } from '../plan/drift.js';
import { sealPlan } from '../plan/fingerprint.js';
import { PLAN_FORMAT_VERSION, type ObservedState, type Plan, type PlannedService, type PlanStep } from '../plan/model.js';
import { ECS_DESIRED_COUNT, scalingResourceId, type ServiceScaling } from '../scaling.js';
import type { Target } from '../sidecars.js';
import { stableStringify } from '../../util/stable-json.js';
import type { BlueGreenPair } from './pairs.js';
import type { ServiceRegistries } from './registries.js';

/** Alarm names per DeleteAlarms call (Amazon CloudWatch API Reference). */
const DELETE_ALARMS_MAX = 100;

type Action = Record<string, unknown>;

export interface FinalizedPair {
  pair: BlueGreenPair;
  blue: Service;
  green: Service;
  mesh?: { mesh: string; node: string; virtualServices: string[] };
  /** Blue's Application Auto Scaling, when it has a scalable target: it goes, with the alarms driving its step policies. */
  blueScaling?: ServiceScaling;
  /** Blue's Cloud Map registries, for green to join before blue goes (and the DNS names they answer). */
  joinRegistries?: { registries: ServiceRegistries; names: string[] };
}

export interface FinalizeInput {
  region: string;
  account: string;
  createdAt: string;
  target: Target;
  journal: string;
  pairs: FinalizedPair[];
  /** The rules and listeners of the pairs as they are now (green at 100). */
  edgeActions: Record<string, unknown>;
  /** Said once: App Mesh resources kept because another service uses them, or App Mesh could not be read. */
  notes: string[];
}

/** The forward without the blue group: green alone (and any other group it had). */
export function withoutBlue(actions: Action[], blue: string): Action[] {
  return actions.map((action) => {
    const config = action.ForwardConfig as { TargetGroups?: { TargetGroupArn?: unknown }[] } | undefined;
    if (action.Type !== 'forward' || !config?.TargetGroups?.some((g) => g.TargetGroupArn === blue)) return action;
    return { ...action, ForwardConfig: { ...config, TargetGroups: config.TargetGroups.filter((g) => g.TargetGroupArn !== blue) } };
  });
}

/** green takes blue's registries: its new deployment registers its tasks where DNS callers look. */
function joinStep(pair: BlueGreenPair, green: Service, join: NonNullable<FinalizedPair['joinRegistries']>): PlanStep {
  return {
    id: `finalize-join-registry:${pair.label}`, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [], ecsService: `${pair.cluster}/${pair.green}`,
    input: { cluster: pair.cluster, service: pair.green, serviceRegistries: join.registries }, before: { serviceRegistries: green.serviceRegistries },
    resource: `ECS service ${pair.cluster}/${pair.green}: joins ${pair.blue}'s Cloud Map registry (${join.names.join(', ')}) before ${pair.blue} goes`,
  };
}

/**
 * Blue's scalable target goes before blue scales to 0 (Application Auto
 * Scaling would otherwise scale it back up to its minimum); its policies and
 * scheduled actions go with it (Application Auto Scaling API Reference,
 * DeregisterScalableTarget), the alarms driving its step policies do not:
 * they would act on a deleted policy of a deleted service, so they go too
 * (green has its copies since apply).
 */
function scalingRemoval(pair: BlueGreenPair, blue: ServiceScaling, after: string[]): PlanStep[] {
  const resourceId = scalingResourceId(pair.cluster, pair.blue);
  const deregister: PlanStep = {
    id: `finalize-deregister-scaling:${pair.label}`, service: 'application-autoscaling', operation: 'DeregisterScalableTarget', action: 'delete', dependsOn: after, ecsService: pair.label,
    input: { ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: ECS_DESIRED_COUNT },
    resource: `scalable target ${resourceId} with its ${blue.policies.length} polic${blue.policies.length === 1 ? 'y' : 'ies'} and ${blue.scheduledActions.length} scheduled action(s) (blue)`,
  };
  const names = blue.stepAlarms.map((a) => String(a.AlarmName));
  const alarms = Array.from({ length: Math.ceil(names.length / DELETE_ALARMS_MAX) }, (_, i) => names.slice(i * DELETE_ALARMS_MAX, (i + 1) * DELETE_ALARMS_MAX))
    .map((batch, i): PlanStep => ({
      id: `finalize-delete-alarms:${pair.label}${i > 0 ? `:${i + 1}` : ''}`, service: 'cloudwatch', operation: 'DeleteAlarms', action: 'delete', dependsOn: [deregister.id], ecsService: pair.label,
      input: { AlarmNames: batch }, resource: `CloudWatch alarm(s) ${batch.join(', ')} (blue's step scaling; ${pair.green} has its copies)`,
    }));
  return [deregister, ...alarms];
}

export function planFinalize(input: FinalizeInput): Plan {
  const steps: PlanStep[] = [];
  const services: PlannedService[] = [];
  const observed: ObservedState = { services: {}, meshResources: {}, cloudMap: {}, edge: {} };
  for (const { pair, blue, green, mesh, blueScaling, joinRegistries } of input.pairs) {
    const label = pair.label;
    observed.services[blue.arn] = { taskDefinition: blue.taskDefinitionArn, deployments: observedDeployments(blue) };
    const join = joinRegistries ? joinStep(pair, green, joinRegistries) : undefined;
    if (join) {
      steps.push(join);
      observed.services[green.arn] = { taskDefinition: green.taskDefinitionArn, deployments: observedDeployments(green) };
      services.push({
        cluster: pair.cluster, service: pair.green, status: 'change', taskDefinition: green.taskDefinitionArn, desiredCount: green.desiredCount, backends: [], findings: [],
        notes: [`joins ${pair.blue}'s Cloud Map registry (${joinRegistries!.names.join(', ')}) and finishes its deployment before ${pair.blue} goes: DNS callers keep resolving`],
      });
    }
    // Everything that removes blue waits for green in blue's registry (a move of its own, whose deployment apply waits for).
    const first = join ? [join.id] : [];
    const edgeIds: string[] = [];
    for (const edge of pair.edges) {
      const actions = (input.edgeActions[edge.arn] ?? []) as Action[];
      observed.edge![edge.arn] = stableStringify(actions);
      const isRule = edge.arn.includes(':listener-rule/');
      const id = `finalize-edge:${edge.arn}`;
      steps.push({
        id, service: 'elbv2', operation: isRule ? 'ModifyRule' : 'ModifyListener', action: 'update', dependsOn: first, ecsService: label, before: actions,
        input: isRule ? { RuleArn: edge.arn, Actions: withoutBlue(actions, edge.blueTargetGroup) } : { ListenerArn: edge.arn, DefaultActions: withoutBlue(actions, edge.blueTargetGroup) },
        resource: `${isRule ? 'listener rule' : 'listener'} ${edge.arn.split('/').slice(-2).join('/')}: forward to ${pair.green} alone`,
      });
      edgeIds.push(id);
    }
    const scaling = blueScaling ? scalingRemoval(pair, blueScaling, [...first, ...edgeIds]) : [];
    steps.push(...scaling);
    const scale = `finalize-scale:${label}`;
    steps.push({
      id: scale, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [...first, ...edgeIds, ...scaling.filter((s) => s.operation === 'DeregisterScalableTarget').map((s) => s.id)], ecsService: label,
      input: { cluster: pair.cluster, service: pair.blue, desiredCount: 0 }, before: { desiredCount: blue.desiredCount },
      resource: `ECS service ${label}: scale to 0 (${pair.green} serves)`,
    });
    const remove = `finalize-delete-service:${label}`;
    steps.push({
      id: remove, service: 'ecs', operation: 'DeleteService', action: 'delete', dependsOn: [scale], ecsService: label,
      input: { cluster: pair.cluster, service: pair.blue, force: true }, resource: `ECS service ${label}`,
    });
    for (const group of [...new Set(pair.edges.map((e) => e.blueTargetGroup).filter(Boolean))]) {
      steps.push({
        id: `finalize-delete-target-group:${label}:${group.split('/').slice(-2, -1)[0]}`, service: 'elbv2', operation: 'DeleteTargetGroup', action: 'delete',
        dependsOn: [...edgeIds, remove], ecsService: label, input: { TargetGroupArn: group }, resource: `target group ${group.split('/').slice(-2, -1)[0]} (blue)`,
      });
    }
    steps.push({
      id: `finalize-deregister:${label}`, service: 'ecs', operation: 'DeregisterTaskDefinition', action: 'delete', dependsOn: [remove], ecsService: label,
      input: { taskDefinition: blue.taskDefinitionArn }, resource: `task definition ${blue.taskDefinitionArn.split('/').pop()} (blue)`,
    });
    if (mesh) {
      // Blue's virtual node and services are its account's, as apply makes them, also in a mesh another
      // account shares: they are deleted from there, and placeInAccounts names the mesh owner (App Mesh
      // User Guide, "Working with shared meshes": an account deletes the resources it created).
      const account = accountOfArn(blue.arn);
      const serviceDeletes = mesh.virtualServices.map((name): PlanStep => ({
        id: `finalize-delete-virtual-service:${mesh.mesh}/${name}`, service: 'appmesh', operation: 'DeleteVirtualService', action: 'delete', dependsOn: [remove], account,
        input: { meshName: mesh.mesh, virtualServiceName: name }, resource: `App Mesh virtual service ${mesh.mesh}/${name}`,
      }));
      steps.push(...serviceDeletes, {
        id: `finalize-delete-virtual-node:${mesh.mesh}/${mesh.node}`, service: 'appmesh', operation: 'DeleteVirtualNode', action: 'delete', account,
        dependsOn: [remove, ...serviceDeletes.map((s) => s.id)], input: { meshName: mesh.mesh, virtualNodeName: mesh.node }, resource: `App Mesh virtual node ${mesh.mesh}/${mesh.node}`,
      });
    }
    services.push({
      cluster: pair.cluster, service: pair.blue, status: 'change', taskDefinition: blue.taskDefinitionArn, desiredCount: 0, backends: [], findings: [],
      notes: [`${pair.green} carries all traffic; ${pair.blue} and what only it used go`],
    });
  }
  const count = (action: PlanStep['action']) => steps.filter((s) => s.action === action).length;
  return sealPlan({
    formatVersion: PLAN_FORMAT_VERSION, tool: 'meshctl', target: input.target, region: input.region, account: input.account, createdAt: input.createdAt,
    mesh: '', observed, steps, services, blocked: [], ...(input.notes.length > 0 && { warnings: input.notes }),
    finalize: { journal: input.journal },
    summary: { create: 0, update: count('update'), delete: count('delete'), unchanged: 0, blocked: 0 },
  });
}
