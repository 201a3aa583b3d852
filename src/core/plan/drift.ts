// Has the account moved since the plan was made? The plan's observed state is
// recomputed from a fresh read and compared key by key. Keys that steps
// already run (per the journal) have changed on purpose are left out.
import type { MeshResourceNames, MeshSpecs } from '../appmesh/specs.js';
import type { Estate, Service } from '../estate.js';
import { stableStringify } from '../../util/stable-json.js';
import type { ObservedState, Plan, PlanStep } from './model.js';

/** The observed-state keys a step changes when it runs. */
export function keysChangedBy(step: PlanStep, plan: Plan): string[] {
  const input = step.input as Record<string, string>;
  switch (step.operation) {
    case 'CreateMesh': case 'UpdateMesh': return [`meshResources:mesh/${input.meshName}`];
    case 'CreateVirtualNode': case 'UpdateVirtualNode': return [`meshResources:virtualNode/${input.virtualNodeName}`];
    case 'CreateVirtualService': case 'UpdateVirtualService': return [`meshResources:virtualService/${input.virtualServiceName}`];
    case 'CreateVirtualRouter': case 'UpdateVirtualRouter': return [`meshResources:virtualRouter/${input.virtualRouterName}`];
    case 'CreateRoute': case 'UpdateRoute': return [`meshResources:route/${input.virtualRouterName}/${input.routeName}`];
    case 'ModifyRule': return [`edge:${input.RuleArn}`];
    case 'ModifyListener': return [`edge:${input.ListenerArn}`];
    case 'UpdateService': {
      const arn = Object.keys(plan.observed.services).find((a) => a.endsWith(`/${input.cluster}/${input.service}`));
      return arn ? [`services:${arn}`] : [];
    }
    default:
      if (step.service === 'servicediscovery' && step.operation.endsWith('Namespace')) return [`cloudMap:namespace/${input.Name}`];
      if (step.service === 'servicediscovery' && step.operation === 'CreateService') {
        const ns = step.id.replace(/^cloudmap-service:/, '').split('/')[0];
        return [`cloudMap:service/${ns}/${input.Name}`];
      }
      return [];
  }
}

/** Recomputes, from a fresh read, the value of every key the plan observed. */
/**
 * What a plan remembers of a service's deployments: the PRIMARY one (id and
 * task definition). A deployment that completes, or an old one that drains,
 * between plan and apply changes neither: only a new deployment does.
 */
export function observedDeployments(service: Service): string[] {
  return service.deployments.filter((d) => d.status === 'PRIMARY').map((d) => `${d.id} ${d.taskDefinition}`);
}

export function observeAgain(planned: ObservedState, estate: Estate, specs: MeshSpecs, edgeActions: Record<string, unknown> = {}): ObservedState {
  const services: ObservedState['services'] = {};
  const allServices = estate.clusters.flatMap((c) => c.services);
  for (const arn of Object.keys(planned.services)) {
    const service = allServices.find((s) => s.arn === arn);
    if (service) {
      services[arn] = {
        taskDefinition: service.taskDefinitionArn,
        deployments: observedDeployments(service),
      };
    }
  }
  const meshResources: ObservedState['meshResources'] = {};
  for (const key of Object.keys(planned.meshResources)) {
    const [kind, ...rest] = key.split('/');
    const name = rest.join('/');
    const record = kind === 'mesh' ? (specs.mesh ? { [name]: specs.mesh } : {})
      : kind === 'virtualNode' ? specs.virtualNodes
        : kind === 'virtualService' ? specs.virtualServices
          : kind === 'virtualRouter' ? specs.virtualRouters : specs.routes;
    meshResources[key] = record[name]?.version ?? null;
  }
  const cloudMap: ObservedState['cloudMap'] = {};
  for (const key of Object.keys(planned.cloudMap)) {
    // namespace/<name or ARN> and service/<namespace name or ARN>/<name>: an ARN holds a slash itself.
    const [kind, ...rest] = key.split('/');
    const ns = kind === 'namespace' ? rest.join('/') : rest.slice(0, -1).join('/');
    const name = rest[rest.length - 1];
    const namespace = estate.cloudMap.namespaces.find((n) => n.name === ns || n.arn === ns);
    cloudMap[key] = kind === 'namespace'
      ? namespace?.id ?? null
      : estate.cloudMap.services.find((s) => s.name === name && s.namespaceId === namespace?.id)?.arn ?? null;
  }
  if (!planned.edge) return { services, meshResources, cloudMap };
  const edge = Object.fromEntries(Object.keys(planned.edge).map((arn) => [arn, edgeActions[arn] === undefined ? '' : stableStringify(edgeActions[arn])]));
  return { services, meshResources, cloudMap, edge };
}

/** Human-readable differences between what the plan saw and what is there now. */
export function drift(planned: ObservedState, current: ObservedState, ignore: ReadonlySet<string> = new Set()): string[] {
  const changes: string[] = [];
  for (const [arn, was] of Object.entries(planned.services)) {
    if (ignore.has(`services:${arn}`)) continue;
    const now = current.services[arn];
    const name = arn.split('/').slice(-2).join('/');
    if (!now) changes.push(`service ${name} no longer exists`);
    else if (now.taskDefinition !== was.taskDefinition) changes.push(`service ${name} now runs ${now.taskDefinition.split('/').pop()} (planned from ${was.taskDefinition.split('/').pop()})`);
    else if (now.deployments.join('|') !== was.deployments.join('|')) changes.push(`service ${name} has had a deployment since the plan`);
  }
  for (const [key, was] of Object.entries(planned.meshResources)) {
    if (ignore.has(`meshResources:${key}`)) continue;
    const now = current.meshResources[key] ?? null;
    if (now !== was) {
      changes.push(was === null ? `App Mesh ${key} was created since the plan` : now === null ? `App Mesh ${key} was deleted since the plan` : `App Mesh ${key} changed (version ${was} → ${now})`);
    }
  }
  for (const [arn, was] of Object.entries(planned.edge ?? {})) {
    if (ignore.has(`edge:${arn}`)) continue;
    const now = current.edge?.[arn] ?? '';
    if (now !== was) changes.push(`load-balancer ${arn.includes(':listener-rule/') ? 'rule' : 'listener'} ${arn.split('/').slice(-2).join('/')} ${now === '' ? 'was deleted' : 'changed its actions'} since the plan`);
  }
  for (const [key, was] of Object.entries(planned.cloudMap)) {
    if (ignore.has(`cloudMap:${key}`)) continue;
    const now = current.cloudMap[key] ?? null;
    if (now !== was) changes.push(`Cloud Map ${key} ${was === null ? 'was created' : now === null ? 'was deleted' : 'changed'} since the plan`);
  }
  return changes;
}

/** The mesh resources whose versions the plan observed, to read them again. */
export function meshNamesOf(plan: Plan): MeshResourceNames {
  const names: MeshResourceNames = { mesh: plan.mesh, virtualNodes: [], virtualServices: [], virtualRouters: [], routes: [] };
  for (const key of Object.keys(plan.observed.meshResources)) {
    const [kind, ...rest] = key.split('/');
    if (kind === 'virtualNode') names.virtualNodes.push(rest.join('/'));
    if (kind === 'virtualService') names.virtualServices.push(rest.join('/'));
    if (kind === 'virtualRouter') names.virtualRouters.push(rest.join('/'));
    if (kind === 'route') names.routes.push({ router: rest[0]!, route: rest[1]! });
  }
  return names;
}
