// Finishing a blue-green cut-over, as a plan: the rules forward to green
// alone, the blue service scales to 0 and goes, then its target group, its
// revision and the App Mesh resources only it used. Run by apply's executor
// and journal like any plan.
import type { Service } from '../estate.js';
import { observedDeployments } from '../plan/drift.js';
import { sealPlan } from '../plan/fingerprint.js';
import { PLAN_FORMAT_VERSION, type ObservedState, type Plan, type PlannedService, type PlanStep } from '../plan/model.js';
import type { Target } from '../sidecars.js';
import { stableStringify } from '../../util/stable-json.js';
import type { BlueGreenPair } from './pairs.js';

type Action = Record<string, unknown>;

export interface FinalizeInput {
  region: string;
  account: string;
  createdAt: string;
  target: Target;
  journal: string;
  pairs: { pair: BlueGreenPair; blue: Service; mesh?: { mesh: string; node: string; virtualServices: string[] } }[];
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

export function planFinalize(input: FinalizeInput): Plan {
  const steps: PlanStep[] = [];
  const services: PlannedService[] = [];
  const observed: ObservedState = { services: {}, meshResources: {}, cloudMap: {}, edge: {} };
  for (const { pair, blue, mesh } of input.pairs) {
    const label = pair.label;
    observed.services[blue.arn] = { taskDefinition: blue.taskDefinitionArn, deployments: observedDeployments(blue) };
    const edgeIds: string[] = [];
    for (const edge of pair.edges) {
      const actions = (input.edgeActions[edge.arn] ?? []) as Action[];
      observed.edge![edge.arn] = stableStringify(actions);
      const isRule = edge.arn.includes(':listener-rule/');
      const id = `finalize-edge:${edge.arn}`;
      steps.push({
        id, service: 'elbv2', operation: isRule ? 'ModifyRule' : 'ModifyListener', action: 'update', dependsOn: [], ecsService: label, before: actions,
        input: isRule ? { RuleArn: edge.arn, Actions: withoutBlue(actions, edge.blueTargetGroup) } : { ListenerArn: edge.arn, DefaultActions: withoutBlue(actions, edge.blueTargetGroup) },
        resource: `${isRule ? 'listener rule' : 'listener'} ${edge.arn.split('/').slice(-2).join('/')}: forward to ${pair.green} alone`,
      });
      edgeIds.push(id);
    }
    const scale = `finalize-scale:${label}`;
    steps.push({
      id: scale, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: edgeIds, ecsService: label,
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
      const serviceDeletes = mesh.virtualServices.map((name): PlanStep => ({
        id: `finalize-delete-virtual-service:${mesh.mesh}/${name}`, service: 'appmesh', operation: 'DeleteVirtualService', action: 'delete', dependsOn: [remove],
        input: { meshName: mesh.mesh, virtualServiceName: name }, resource: `App Mesh virtual service ${mesh.mesh}/${name}`,
      }));
      steps.push(...serviceDeletes, {
        id: `finalize-delete-virtual-node:${mesh.mesh}/${mesh.node}`, service: 'appmesh', operation: 'DeleteVirtualNode', action: 'delete',
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
