// Plans a migration onto ECS Service Connect. Services not on a mesh move in
// place (new task definition, Service Connect configuration). Services on App
// Mesh follow AWS's published path: an ECS service cannot be in an App Mesh
// mesh and a Service Connect namespace at once, so by default each gets a
// parallel "green" service in the namespace and traffic moves at the edge;
// an in-place switch of a whole dependency group is offered explicitly, for
// estates whose App Mesh control plane is already gone. Pure.
import type { MeshctlConfig } from '../../config/config.js';
import { stableStringify } from '../../util/stable-json.js';
import { inferBackends } from '../appmesh/backends.js';
import { resolveServices, type ResolvedService } from '../appmesh/resolve.js';
import type { MeshSpecs } from '../appmesh/specs.js';
import type { Finding } from '../checks/rule.js';
import { weightedActions, type EdgeState } from '../edge.js';
import type { ContainerDefinition, Estate, Service } from '../estate.js';
import { fingerprint, idempotencyToken } from '../plan/fingerprint.js';
import { PLAN_FORMAT_VERSION, type BlockedService, type ObservedState, type Plan, type PlannedService, type PlanStep } from '../plan/model.js';
import { checkService } from '../precheck.js';
import { redactDeep } from '../redact.js';
import { appMeshNode, meshStatus } from '../service-facts.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import { registrationInput } from '../task-definition-input.js';
import { rewriteForServiceConnect, portName, type AppProtocol } from './rewrite.js';

export type MigrationStrategy = 'blue-green' | 'in-place';

export interface ServiceConnectPlanInput {
  estate: Estate;
  config: MeshctlConfig;
  /** Specs of the App Mesh virtual nodes and virtual services the meshed services use. */
  specs: MeshSpecs;
  createdAt: string;
  /** For services on App Mesh. */
  strategy: MigrationStrategy;
  /** Delete the App Mesh resources of the migrated services (after a completed cut-over, or in place). */
  removeMeshResources: boolean;
  /** Target groups of the blue services and the listener rules forwarding to them. */
  edge?: EdgeState;
}

export const GREEN_SUFFIX = '-sc';

const IN_PLACE_RISK = 'in-place switch: every service of the dependency group moves at once, and while the deployments roll, App Mesh tasks and Service Connect tasks cannot reach each other (an ECS service cannot be in a mesh and a namespace at once); expect failed calls for the length of the rollout. Use it only where the App Mesh control plane is already gone.';

interface Decision {
  resolved: ResolvedService;
  onAppMesh: boolean;
  /** App Mesh virtual node of the service, from Envoy's APPMESH_RESOURCE_ARN. */
  meshNode?: { mesh: string; node: string };
  namespace?: string;
  findings: Finding[];
  blocking: Finding[];
}

function appProtocolOf(resolved: ResolvedService): AppProtocol | undefined {
  const protocol = resolved.overrides?.protocol ?? 'http';
  return protocol === 'tcp' ? undefined : protocol;
}

function logConfiguration(containers: ContainerDefinition[]): Record<string, unknown> | undefined {
  const source = containers.find((c) => c.name !== ENVOY_CONTAINER && c.name !== XRAY_CONTAINER && c.logConfiguration?.logDriver === 'awslogs')?.logConfiguration;
  return source ? { logDriver: 'awslogs', options: { ...source.options, 'awslogs-stream-prefix': 'service-connect' } } : undefined;
}

/** Names callers use today: the App Mesh virtual services this node provides, else the Cloud Map DNS name. */
function aliasNames(decision: Decision, specs: MeshSpecs): string[] {
  if (decision.meshNode) {
    const provided = Object.entries(specs.virtualServices)
      .filter(([, vs]) => {
        const provider = (vs.spec as { provider?: { virtualNode?: { virtualNodeName?: string } } }).provider;
        return provider?.virtualNode?.virtualNodeName === decision.meshNode!.node;
      })
      .map(([name]) => name)
      .sort();
    if (provided.length > 0) return provided;
  }
  return decision.resolved.virtualServiceName ? [decision.resolved.virtualServiceName] : [];
}

/** Services on App Mesh connected by backends move together: connected components of the backend graph. */
function dependencyGroups(decisions: Decision[], specs: MeshSpecs): Map<string, number> {
  const meshed = decisions.filter((d) => d.onAppMesh && d.meshNode);
  const parent = new Map(meshed.map((d) => [d.meshNode!.node, d.meshNode!.node]));
  const find = (x: string): string => (parent.get(x) === x ? x : find(parent.get(x)!));
  const providerOf = (vsName: string) => (specs.virtualServices[vsName]?.spec as { provider?: { virtualNode?: { virtualNodeName?: string } } } | undefined)?.provider?.virtualNode?.virtualNodeName;
  for (const d of meshed) {
    const backends = ((specs.virtualNodes[d.meshNode!.node]?.spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] } | undefined)?.backends ?? []);
    for (const b of backends) {
      const provider = providerOf(b.virtualService?.virtualServiceName ?? '');
      if (provider && parent.has(provider)) parent.set(find(provider), find(d.meshNode!.node));
    }
  }
  const roots = [...new Set(meshed.map((d) => find(d.meshNode!.node)))].sort();
  return new Map(meshed.map((d) => [`${d.resolved.cluster.name}/${d.resolved.service.name}`, roots.indexOf(find(d.meshNode!.node)) + 1]));
}

function namespaceFor(resolved: ResolvedService, estate: Estate, config: MeshctlConfig): string | undefined {
  if (resolved.service.serviceConnect?.namespace) {
    const ns = resolved.service.serviceConnect.namespace;
    return estate.cloudMap.namespaces.find((n) => n.arn === ns || n.name === ns)?.name ?? ns;
  }
  if (config.cloudMap.namespace) return config.cloudMap.namespace;
  if (resolved.cloudMap) return resolved.cloudMap.namespaceName;
  const defaults = resolved.cluster.serviceConnectDefaultsNamespace;
  return defaults ? estate.cloudMap.namespaces.find((n) => n.arn === defaults || n.name === defaults)?.name : undefined;
}

function serviceConnectConfiguration(decision: Decision, specs: MeshSpecs, input: { containerDefinitions: ContainerDefinition[] }, existingCloudMapNames: Set<string>): Record<string, unknown> {
  const r = decision.resolved;
  const apps = input.containerDefinitions.filter((c) => c.name !== XRAY_CONTAINER);
  const ports = apps.flatMap((c) => (c.portMappings ?? [])
    .filter((p) => p.containerPort !== undefined && (p.protocol ?? 'tcp') === 'tcp')
    .map((p) => ({ name: p.name ?? portName(c.name, p.containerPort!), port: p.containerPort! })));
  const names = aliasNames(decision, specs);
  const services = ports.map((p, i) => {
    // Cloud Map service names are unique per namespace: a DNS registry already holding the name gets a -sc twin.
    const base = ports.length > 1 ? `${r.service.name}-${p.port}` : r.service.name;
    const discoveryName = existingCloudMapNames.has(base) ? `${base}${GREEN_SUFFIX}` : base;
    const dnsName = names[i] ?? names[0];
    return {
      portName: p.name,
      discoveryName,
      ...(dnsName && { clientAliases: [{ port: p.port, dnsName }] }),
    };
  });
  const logs = logConfiguration(input.containerDefinitions);
  return {
    enabled: true,
    namespace: decision.namespace,
    ...(services.length > 0 && { services }),
    ...(logs && { logConfiguration: logs }),
  };
}

export function planServiceConnect({ estate, config, specs, createdAt, strategy, removeMeshResources, edge = { targetGroups: {}, forwards: [] } }: ServiceConnectPlanInput): Plan {
  const account = estate.clusters[0]?.arn.split(':')[4] ?? '';
  const decisions: Decision[] = resolveServices(estate, config).map((resolved) => {
    const findings = checkService(estate, resolved.cluster, resolved.service, { target: 'service-connect', sizing: config.sidecars });
    const blocking = findings.filter((f) => f.blocking);
    const namespace = namespaceFor(resolved, estate, config);
    if (!namespace) {
      blocking.push({
        rule: 'service-discovery', severity: 'error', blocking: true, cluster: resolved.cluster.name, service: resolved.service.name,
        message: 'no Cloud Map namespace for Service Connect', hint: 'Set cloudMap.namespace in meshctl.yaml (meshctl creates it as an HTTP namespace when missing).',
      });
    }
    const onAppMesh = meshStatus(resolved.service, resolved.taskDefinition) === 'appmesh';
    return { resolved, onAppMesh, meshNode: onAppMesh ? appMeshNode(resolved.taskDefinition) : undefined, namespace, findings: findings.filter((f) => !f.blocking && f.severity !== 'info'), blocking };
  });
  const ready = decisions.filter((d) => d.blocking.length === 0);
  const groups = dependencyGroups(ready, specs);

  const observed = observe(decisions, estate, specs, edge);
  const planFingerprint = fingerprint(observed);
  const token = (id: string) => idempotencyToken(planFingerprint, id);
  const steps: PlanStep[] = [];
  const services: PlannedService[] = [];
  let unchanged = 0;

  // Namespaces that do not exist yet become HTTP namespaces (no VPC needed; Service Connect discovers through the API).
  for (const ns of [...new Set(ready.map((d) => d.namespace!))].sort()) {
    if (estate.cloudMap.namespaces.some((n) => n.name === ns)) continue;
    steps.push({
      id: `cloudmap-namespace:${ns}`, service: 'servicediscovery', operation: 'CreateHttpNamespace', action: 'create', dependsOn: [],
      resource: `Cloud Map HTTP namespace ${ns}`, input: { Name: ns, CreatorRequestId: token(`cloudmap-namespace:${ns}`) },
    });
  }

  if (config.serviceConnect.setClusterDefaults) {
    for (const cluster of estate.clusters) {
      const namespace = ready.find((d) => d.resolved.cluster === cluster)?.namespace;
      if (!namespace) continue;
      const current = cluster.serviceConnectDefaultsNamespace;
      const currentName = current && (estate.cloudMap.namespaces.find((n) => n.arn === current || n.name === current)?.name ?? current);
      if (currentName === namespace) continue;
      const namespaceStep = steps.find((s) => s.id === `cloudmap-namespace:${namespace}`)?.id;
      steps.push({
        id: `ecs-cluster-defaults:${cluster.name}`, service: 'ecs', operation: 'UpdateCluster', action: 'update', dependsOn: namespaceStep ? [namespaceStep] : [],
        resource: `ECS cluster ${cluster.name} (Service Connect default namespace ${namespace})`,
        input: { cluster: cluster.name, serviceConnectDefaults: { namespace } }, before: { serviceConnectDefaults: current ? { namespace: current } : null },
      });
    }
  }

  const knownAliases = new Set(ready.flatMap((d) => aliasNames(d, specs)));
  for (const decision of ready) {
    const r = decision.resolved;
    const label = `${r.cluster.name}/${r.service.name}`;
    const alreadyOnServiceConnect = r.service.serviceConnect?.enabled === true;
    const rewritten = rewriteForServiceConnect(r.taskDefinition, {
      launch: r.launch, sizing: config.sidecars, appProtocol: appProtocolOf(r),
      keepXray: config.serviceConnect.keepXray, addAgent: !alreadyOnServiceConnect,
    });
    const namespaceStep = steps.find((s) => s.id === `cloudmap-namespace:${decision.namespace}`)?.id;
    const cloudMapNames = new Set(estate.cloudMap.services
      .filter((s) => estate.cloudMap.namespaces.find((n) => n.id === s.namespaceId)?.name === decision.namespace)
      .map((s) => s.name));
    const scConfig = serviceConnectConfiguration(decision, specs, rewritten, cloudMapNames);
    const registerStep = `task-definition:${label}`;
    const tdChanged = stableStringify(rewritten) !== stableStringify(registrationInput(r.taskDefinition));
    const scChanged = stableStringify(r.service.serviceConnect ?? null) !== stableStringify(scConfig);
    const blueGreen = decision.onAppMesh && strategy === 'blue-green';
    const green = `${r.service.name}${GREEN_SUFFIX}`;
    const notes: string[] = [];

    if (tdChanged) {
      steps.push({
        id: registerStep, service: 'ecs', operation: 'RegisterTaskDefinition', action: 'create', dependsOn: [], ecsService: label,
        resource: `task definition ${r.taskDefinition.family} (new revision from ${r.taskDefinition.family}:${r.taskDefinition.revision})`,
        input: redactDeep(rewritten), sourceTaskDefinition: r.taskDefinition.taskDefinitionArn,
      });
    } else unchanged += 1;
    const taskDefinition = tdChanged ? { $ref: registerStep, path: 'taskDefinition.taskDefinitionArn' } : r.service.taskDefinitionArn;
    const deps = [...(tdChanged ? [registerStep] : []), ...(namespaceStep ? [namespaceStep] : [])];

    if (blueGreen) {
      const existingGreen = r.cluster.services.find((s) => s.name === green);
      if (!existingGreen) {
        const greenStep = `ecs-green-service:${label}`;
        const edgeSteps = edgeCutOver(r.service, label, greenStep, edge);
        steps.push(...edgeSteps.targetGroups.map((e) => e.step));
        steps.push({
          id: greenStep, service: 'ecs', operation: 'CreateService', action: 'create', dependsOn: [...deps, ...edgeSteps.targetGroups.map((e) => e.step.id)], ecsService: label,
          resource: `ECS service ${r.cluster.name}/${green} (green, beside ${r.service.name})`,
          input: {
            ...greenServiceInput(r.service, r.cluster.name, green, taskDefinition, scConfig, token(greenStep)),
            ...(edgeSteps.targetGroups.length > 0 && { loadBalancers: edgeSteps.targetGroups.map((e) => e.loadBalancer) }),
          },
        });
        steps.push(...edgeSteps.weights);
        for (const w of edgeSteps.weights) {
          notes.push(`weighted routing ready on ${w.resource.replace(/ \(.*$/, '')}: ${r.service.name} weight 100, ${green} weight 0; raise ${green}'s weight (aws elbv2 ${w.operation === 'ModifyRule' ? 'modify-rule' : 'modify-listener'}) to shift traffic`);
        }
      } else unchanged += 1;
      if (edge.forwards.every((f) => !r.service.loadBalancers.some((lb) => lb.targetGroupArn === f.targetGroupArn))) {
        notes.push(`cut-over: ${green} runs beside ${r.service.name} in namespace ${decision.namespace}; shift traffic at the edge (weighted target groups on a load balancer, Route 53 weighted records or CloudFront continuous deployment)`);
      }
      notes.push(`after the cut-over: scale ${r.service.name} to 0, then meshctl plan --target service-connect --remove-mesh-resources removes its App Mesh resources`);
    } else if (tdChanged || scChanged) {
      steps.push({
        id: `ecs-service:${label}`, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: deps, ecsService: label,
        resource: `ECS service ${label}`,
        input: { cluster: r.cluster.name, service: r.service.name, ...(tdChanged && { taskDefinition }), serviceConnectConfiguration: scConfig },
        before: { taskDefinition: r.service.taskDefinitionArn, serviceConnectConfiguration: r.service.serviceConnect ?? { enabled: false } },
      });
      if (decision.onAppMesh) notes.push(`${IN_PLACE_RISK} (group ${groups.get(label)})`);
    } else unchanged += 1;

    const group = groups.get(label);
    if (group !== undefined) notes.unshift(`App Mesh dependency group ${group}: ${[...groups.entries()].filter(([, g]) => g === group).map(([l]) => l).join(', ')}`);
    services.push({
      cluster: r.cluster.name,
      service: r.service.name,
      status: steps.some((s) => s.ecsService === label) ? 'change' : 'unchanged',
      taskDefinition: `${r.taskDefinition.family}:${r.taskDefinition.revision}`,
      serviceConnect: {
        namespace: decision.namespace!,
        strategy: blueGreen ? 'blue-green' : 'in-place',
        ...(blueGreen && { greenService: green }),
        aliases: ((scConfig.services ?? []) as { clientAliases?: { port: number; dnsName: string }[] }[]).flatMap((s) => (s.clientAliases ?? []).map((a) => `${a.dnsName}:${a.port}`)),
      },
      backends: inferBackends(r.taskDefinition, knownAliases, aliasNames(decision, specs)[0] ?? ''),
      findings: decision.findings,
      ...(notes.length > 0 && { notes }),
    });
  }

  if (removeMeshResources) steps.push(...meshDeletions(ready, specs, steps, strategy));

  const blocked: BlockedService[] = decisions.filter((d) => d.blocking.length > 0)
    .map((d) => ({ cluster: d.resolved.cluster.name, service: d.resolved.service.name, findings: d.blocking }));
  return {
    formatVersion: PLAN_FORMAT_VERSION, tool: 'meshctl', target: 'service-connect', region: estate.region, account, createdAt,
    // The App Mesh mesh the migrated services leave (drift checks read it again); none for fresh migrations.
    mesh: decisions.find((d) => d.meshNode)?.meshNode!.mesh ?? '',
    fingerprint: planFingerprint, observed, steps, services, blocked,
    summary: {
      create: steps.filter((s) => s.action === 'create').length,
      update: steps.filter((s) => s.action === 'update').length + steps.filter((s) => s.operation.startsWith('Delete')).length,
      unchanged,
      blocked: blocked.length,
    },
  };
}

/** Target groups for the green service (copies of the blue ones, for awsvpc tasks) and weighted forwards on the rules. */
function edgeCutOver(service: Service, label: string, greenStep: string, edge: EdgeState): { targetGroups: { step: PlanStep; loadBalancer: Record<string, unknown> }[]; weights: PlanStep[] } {
  const targetGroups: { step: PlanStep; loadBalancer: Record<string, unknown> }[] = [];
  const weights: PlanStep[] = [];
  for (const lb of service.loadBalancers) {
    const blue = lb.targetGroupArn ? edge.targetGroups[lb.targetGroupArn] : undefined;
    if (!blue) continue;
    const name = `${blue.name.slice(0, 32 - GREEN_SUFFIX.length)}${GREEN_SUFFIX}`;
    const id = `elbv2-target-group:${label}:${blue.name}`;
    targetGroups.push({
      step: {
        id, service: 'elbv2', operation: 'CreateTargetGroup', action: 'create', dependsOn: [], ecsService: label,
        resource: `target group ${name} (green twin of ${blue.name})`,
        input: { Name: name, Protocol: blue.protocol, Port: blue.port, VpcId: blue.vpcId, TargetType: 'ip', ...blue.healthCheck },
      },
      loadBalancer: { targetGroupArn: { $ref: id, path: 'TargetGroups.0.TargetGroupArn' }, containerName: lb.containerName, containerPort: lb.containerPort },
    });
    for (const forward of edge.forwards.filter((f) => f.targetGroupArn === blue.arn)) {
      const actions = weightedActions(forward, { $ref: id, path: 'TargetGroups.0.TargetGroupArn' });
      weights.push({
        id: `elbv2-weights:${forward.arn}`, service: 'elbv2', operation: forward.kind === 'rule' ? 'ModifyRule' : 'ModifyListener', action: 'update',
        dependsOn: [greenStep], ecsService: label, before: forward.actions,
        resource: `${forward.kind === 'rule' ? 'listener rule' : 'listener'} ${forward.arn.split('/').slice(-2).join('/')} (weighted: ${blue.name} 100, ${name} 0)`,
        input: forward.kind === 'rule' ? { RuleArn: forward.arn, Actions: actions } : { ListenerArn: forward.arn, DefaultActions: actions },
      });
    }
  }
  return { targetGroups, weights };
}

function greenServiceInput(service: Service, cluster: string, name: string, taskDefinition: unknown, scConfig: Record<string, unknown>, clientToken: string): Record<string, unknown> {
  return {
    cluster,
    serviceName: name,
    taskDefinition,
    desiredCount: service.desiredCount,
    ...(service.capacityProviderStrategy.length > 0 ? { capacityProviderStrategy: service.capacityProviderStrategy } : service.launchType ? { launchType: service.launchType } : {}),
    ...(service.platformVersion && { platformVersion: service.platformVersion }),
    ...(service.awsvpcConfiguration && { networkConfiguration: { awsvpcConfiguration: service.awsvpcConfiguration } }),
    deploymentConfiguration: { maximumPercent: service.maximumPercent, minimumHealthyPercent: service.minimumHealthyPercent },
    serviceConnectConfiguration: scConfig,
    clientToken,
  };
}

/**
 * Deletes the App Mesh resources of migrated services: in place, after the
 * group's updates; blue-green, only once the green service exists (the
 * cut-over already happened in an earlier apply).
 */
function meshDeletions(ready: Decision[], specs: MeshSpecs, steps: PlanStep[], strategy: MigrationStrategy): PlanStep[] {
  const deletions: PlanStep[] = [];
  for (const d of ready.filter((x) => x.onAppMesh && x.meshNode)) {
    const label = `${d.resolved.cluster.name}/${d.resolved.service.name}`;
    const greenExists = d.resolved.cluster.services.some((s) => s.name === `${d.resolved.service.name}${GREEN_SUFFIX}`);
    if (strategy === 'blue-green' && !greenExists) continue;
    const after = steps.filter((s) => s.ecsService === label && s.operation !== 'RegisterTaskDefinition').map((s) => s.id);
    const { mesh, node } = d.meshNode!;
    const provided = Object.entries(specs.virtualServices)
      .filter(([, vs]) => (vs.spec as { provider?: { virtualNode?: { virtualNodeName?: string } } }).provider?.virtualNode?.virtualNodeName === node)
      .map(([name]) => name);
    const serviceSteps = provided.map((virtualServiceName): PlanStep => ({
      id: `delete-virtual-service:${virtualServiceName}`, service: 'appmesh', operation: 'DeleteVirtualService', action: 'update', dependsOn: after,
      ecsService: label, resource: `virtual service ${mesh}/${virtualServiceName} (delete)`, input: { meshName: mesh, virtualServiceName },
    }));
    deletions.push(...serviceSteps, {
      id: `delete-virtual-node:${node}`, service: 'appmesh', operation: 'DeleteVirtualNode', action: 'update', dependsOn: [...after, ...serviceSteps.map((s) => s.id)],
      ecsService: label, resource: `virtual node ${mesh}/${node} (delete)`, input: { meshName: mesh, virtualNodeName: node },
    });
  }
  return deletions;
}

function observe(decisions: Decision[], estate: Estate, specs: MeshSpecs, edge: EdgeState): ObservedState {
  const services: ObservedState['services'] = {};
  const cloudMap: ObservedState['cloudMap'] = {};
  const meshResources: ObservedState['meshResources'] = {};
  for (const d of decisions) {
    const s = d.resolved.service;
    services[s.arn] = {
      taskDefinition: s.taskDefinitionArn,
      deployments: s.deployments.map((x) => `${x.id} ${x.status} ${x.taskDefinition} ${x.rolloutState ?? ''}`.trim()),
    };
    if (d.namespace) cloudMap[`namespace/${d.namespace}`] = estate.cloudMap.namespaces.find((n) => n.name === d.namespace)?.id ?? null;
    if (d.meshNode) meshResources[`virtualNode/${d.meshNode.node}`] = specs.virtualNodes[d.meshNode.node]?.version ?? null;
  }
  for (const [name, vs] of Object.entries(specs.virtualServices)) meshResources[`virtualService/${name}`] = vs.version;
  if (edge.forwards.length === 0) return { services, meshResources, cloudMap };
  return { services, meshResources, cloudMap, edge: Object.fromEntries(edge.forwards.map((f) => [f.arn, stableStringify(f.actions)])) };
}
