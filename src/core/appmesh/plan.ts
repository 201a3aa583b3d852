// Plans a migration onto App Mesh: from the estate, the config and the specs
// of existing mesh resources to an ordered list of AWS operations. Pure.
import { plannedUsage, usageHeadroom } from '../usage.js';
import { ownerRules, type MeshctlConfig } from '../../config/config.js';
import { stableStringify } from '../../util/stable-json.js';
import { isSubset } from '../../util/subset.js';
import type { Finding } from '../checks/rule.js';
import { egressIgnoredPorts } from '../checks/db-egress-ports.js';
import { scanDbEndpoints } from '../db-endpoints.js';
import { accountOfArn, partitionOf } from '../arn.js';
import type { Estate } from '../estate.js';
import { observedDeployments } from '../plan/drift.js';
import { idempotencyToken, observedDigest, sealPlan } from '../plan/fingerprint.js';
import { PLAN_FORMAT_VERSION, type BlockedService, type ObservedState, type Plan, type PlannedBackend, type PlannedService, type PlanStep } from '../plan/model.js';
import { checkService } from '../precheck.js';
import { redactDeep } from '../redact.js';
import { shareCommand } from '../sharing.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import { registrationInput } from '../task-definition-input.js';
import { inferBackends } from './backends.js';
import { envoyImage, XRAY_DAEMON_IMAGE } from './envoy-image.js';
import { resolveServices, type ResolvedService } from './resolve.js';
import { rewriteForAppMesh } from './rewrite.js';
import { appMeshNode, placement } from '../service-facts.js';
import {
  routeName, routerName, routeSpec, virtualNodeSpec, virtualRouterSpec, virtualServiceSpec,
  type ExistingMeshResource, type MeshSpecs,
} from './specs.js';

export interface AppMeshPlanInput {
  estate: Estate;
  config: MeshctlConfig;
  specs: MeshSpecs;
  createdAt: string;
  /** The run's own account, where a mesh or namespace the plan creates lives (default: the first cluster's). */
  account?: string;
}

function accountOf(estate: Estate): string {
  return accountOfArn(estate.clusters[0]?.arn ?? '');
}

const isArn = (ref: string) => ref.startsWith('arn:');

function blockingFinding(resolved: ResolvedService, rule: string, message: string, hint: string): Finding {
  return { rule, severity: 'error', cluster: resolved.cluster.name, service: resolved.service.name, message, hint, blocking: true };
}

interface ServiceDecision {
  resolved: ResolvedService;
  findings: Finding[];
  blocking: Finding[];
}

/** Why the service's namespace cannot be used by this plan, as a blocking finding: none, unknown, or made by another account's plan. */
function namespaceProblem(estate: Estate, config: MeshctlConfig, resolved: ResolvedService, home: string): Finding | undefined {
  const cm = resolved.cloudMap;
  if (!cm) {
    return blockingFinding(resolved, 'service-discovery', 'no Cloud Map namespace to register the service in',
      'Set cloudMap.namespace in meshctl.yaml to an existing private DNS namespace.');
  }
  if (cm.namespaceId) return undefined;
  const account = accountOfArn(resolved.service.arn);
  // A namespace named by its ARN is never created: it is another account's, or must already exist.
  if (isArn(cm.namespaceName)) {
    const owner = accountOfArn(cm.namespaceName);
    return blockingFinding(resolved, 'shared-namespace', `Cloud Map namespace ${cm.namespaceName} ${owner === account ? 'does not exist' : `of account ${owner} is not shared with this account`}`,
      owner === account ? 'Name an existing namespace in cloudMap.namespace, or give a name (not an ARN) and set cloudMap.vpc so the plan creates it.'
        : `Add account ${owner} under accounts: in meshctl.yaml (meshctl then plans the RAM share), or share it by hand: ${shareCommand(cm.namespaceName, account)}, then plan again.`);
  }
  if (!config.cloudMap.vpc) {
    return blockingFinding(resolved, 'service-discovery', `Cloud Map namespace ${cm.namespaceName} does not exist`,
      'Set cloudMap.vpc in meshctl.yaml so the plan creates it as a private DNS namespace, or set cloudMap.namespace to an existing one.');
  }
  // The plan creates it in the run's own account; another account can use it only once it exists and is shared.
  if (estate.accounts && account !== home) {
    return blockingFinding(resolved, 'shared-namespace', `Cloud Map namespace ${cm.namespaceName} does not exist yet; this plan creates it in account ${home}`,
      `Apply the plan for account ${home} first (meshctl apply with --account ${estate.accounts[home] ?? home}), then plan again: meshctl shares the namespace with this account through AWS RAM.`);
  }
  return undefined;
}

function decide(estate: Estate, config: MeshctlConfig, resolved: ResolvedService, home: string): ServiceDecision {
  // The configured ports count toward the 15-port limit exactly as precheck counts them.
  const findings = checkService(estate, resolved.cluster, resolved.service, {
    target: 'appmesh', sizing: config.sidecars, configuredEgressPorts: () => resolved.overrides?.egressIgnoredPorts ?? [], headroom: usageHeadroom(config), owners: ownerRules(config),
  });
  const blocking = findings.filter((f) => f.blocking);
  const problem = namespaceProblem(estate, config, resolved, home);
  if (problem) blocking.push(problem);
  return { resolved, findings: findings.filter((f) => !f.blocking && f.severity !== 'info'), blocking };
}

/**
 * The Cloud Map CreateService input for a node's registry. It is made in the
 * node's own account (a virtual node references only Cloud Map services of
 * its account: App Mesh User Guide, "Working with shared meshes"), naming a
 * namespace another account shared by its ARN (Cloud Map API Reference,
 * CreateService NamespaceId). An HTTP namespace takes no DnsConfig (Cloud Map
 * answers InvalidInput).
 */
function cloudMapServiceInput(r: ResolvedService, namespaceStep: string | undefined, token: string): Record<string, unknown> {
  const cm = r.cloudMap!;
  const foreign = cm.namespaceArn !== undefined && accountOfArn(cm.namespaceArn) !== accountOfArn(r.service.arn);
  return {
    Name: cm.serviceName,
    NamespaceId: foreign ? cm.namespaceArn : cm.namespaceId ?? { $ref: namespaceStep, path: 'NamespaceId' },
    ...(cm.namespaceType !== 'HTTP' && { DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] } }),
    HealthCheckCustomConfig: { FailureThreshold: 1 },
    CreatorRequestId: token,
  };
}

/** App Mesh clients resolve a virtual-service name through DNS before Envoy takes the connection; an HTTP namespace publishes none. */
function httpNamespaceWarnings(ready: ServiceDecision[]): string[] {
  const byNamespace = new Map<string, string[]>();
  for (const { resolved } of ready.filter((d) => d.resolved.cloudMap?.namespaceType === 'HTTP')) {
    const names = byNamespace.get(resolved.cloudMap!.namespaceName) ?? [];
    byNamespace.set(resolved.cloudMap!.namespaceName, [...names, resolved.virtualServiceName!]);
  }
  return [...byNamespace].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, names]) =>
    `Cloud Map namespace ${namespace} is an HTTP namespace: App Mesh names in it (${[...new Set(names)].sort().join(', ')}) do not resolve through DNS, and a client's lookup fails before Envoy sees the request. Give each name a DNS record its callers resolve (a Route 53 private hosted zone in their VPCs; any address does, Envoy routes by name), or use a private DNS namespace.`);
}

function servicePorts(resolved: ResolvedService): number[] {
  return egressIgnoredPorts(scanDbEndpoints(resolved.taskDefinition, [ENVOY_CONTAINER, XRAY_CONTAINER]).ports, resolved.overrides?.egressIgnoredPorts ?? []);
}

export function planAppMesh({ estate, config, specs, createdAt, account = accountOf(estate) }: AppMeshPlanInput): Plan {
  const meshName = config.mesh.name;
  const all = resolveServices(estate, config);
  // Services already in another App Mesh mesh are left as they are; --target service-connect moves them.
  const inOtherMesh = all.filter((r) => {
    const node = appMeshNode(r.taskDefinition);
    return node !== undefined && node.mesh !== meshName;
  });
  const decisions = all.filter((r) => !inOtherMesh.includes(r)).map((r) => decide(estate, config, r, account));
  const ready = decisions.filter((d) => d.blocking.length === 0);
  const existingMesh = estate.appMesh.meshes.find((m) => m.name === meshName);
  // Resource ARNs in a mesh name the mesh owner's account, whoever creates them: Envoy's APPMESH_RESOURCE_ARN too.
  const meshOwner = existingMesh ? accountOfArn(existingMesh.arn) : account;
  const arnPrefix = `arn:${partitionOf(estate.region)}:appmesh:${estate.region}:${meshOwner}:mesh/${meshName}`;

  const knownVirtualServices = new Set<string>([
    ...ready.map((d) => d.resolved.virtualServiceName!),
    ...(existingMesh?.virtualServices.map((s) => s.name) ?? []),
  ]);

  // The observed state is known before any step: idempotency tokens derive from it.
  const observed = observe(config, decisions.map((d) => d.resolved), specs);
  const tokenSeed = observedDigest(observed);
  const token = (stepId: string) => idempotencyToken(tokenSeed, stepId);

  const steps: PlanStep[] = [];
  let unchanged = 0;
  const stepIds = new Set<string>();
  const add = (step: PlanStep) => {
    if (stepIds.has(step.id)) return;
    stepIds.add(step.id);
    steps.push(step);
  };
  /** Adds a create or update step for a mesh resource, or counts it unchanged; returns the step id if any. */
  const upsert = (kind: string, name: string, existing: ExistingMeshResource | undefined, spec: Record<string, unknown>, identity: Record<string, unknown>, dependsOn: string[], ecsService?: string): string | undefined => {
    const id = `${kind}:${name}`;
    const label = kind === 'mesh' ? 'mesh ' : `${kind.replace(/-/g, ' ')} ${meshName}/`;
    const upper = kind.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
    if (!existing) {
      add({ id, service: 'appmesh', operation: `Create${upper}`, input: { ...identity, spec, clientToken: token(id) }, dependsOn, action: 'create', resource: `${label}${name}`, ecsService });
      return id;
    }
    if (isSubset(spec, existing.spec)) {
      unchanged += 1;
      return undefined;
    }
    add({ id, service: 'appmesh', operation: `Update${upper}`, input: { ...identity, spec }, dependsOn, action: 'update', resource: `${label}${name}`, ecsService, before: existing.spec });
    return id;
  };

  const meshSpec = { egressFilter: { type: config.mesh.egressFilter } };
  const meshStep = ready.length > 0 ? upsert('mesh', meshName, specs.mesh, meshSpec, { meshName }, []) : undefined;
  const meshDeps = meshStep ? [meshStep] : [];

  const plannedServices: PlannedService[] = [];
  const perService: { decision: ServiceDecision; backends: PlannedBackend[]; registryStep?: string; virtualServiceStep?: string }[] = [];

  // Phase 1: Cloud Map services, virtual nodes, routers and routes, virtual services.
  for (const decision of ready) {
    const r = decision.resolved;
    const cm = r.cloudMap!;
    const label = `${r.cluster.name}/${r.service.name}`;
    let registryStep: string | undefined;
    // A namespace that does not exist yet is created (private DNS: App Mesh virtual-service names must resolve).
    const namespaceStep = cm.namespaceId ? undefined : `cloudmap-namespace:${cm.namespaceName}`;
    if (namespaceStep) {
      add({
        id: namespaceStep, service: 'servicediscovery', operation: 'CreatePrivateDnsNamespace', dependsOn: [], action: 'create',
        resource: `Cloud Map private DNS namespace ${cm.namespaceName} in ${config.cloudMap.vpc}`,
        input: { Name: cm.namespaceName, Vpc: config.cloudMap.vpc, CreatorRequestId: token(namespaceStep) },
      });
    }
    if (!cm.registryArn) {
      registryStep = `cloudmap-service:${cm.namespaceName}/${cm.serviceName}`;
      add({
        id: registryStep, service: 'servicediscovery', operation: 'CreateService', dependsOn: namespaceStep ? [namespaceStep] : [], action: 'create',
        resource: `Cloud Map service ${cm.serviceName}.${cm.namespaceName}`, ecsService: label,
        input: cloudMapServiceInput(r, namespaceStep, token(registryStep)),
      });
    }
    const backends: PlannedBackend[] = r.overrides?.backends
      ? r.overrides.backends.map((b) => ({ virtualService: b, inferred: false }))
      : inferBackends(r.taskDefinition, knownVirtualServices, r.virtualServiceName!);
    const nodeDeps = [...meshDeps, ...(registryStep ? [registryStep] : [])];
    upsert('virtual-node', r.virtualNodeName, specs.virtualNodes[r.virtualNodeName], virtualNodeSpec(r, backends),
      { meshName, virtualNodeName: r.virtualNodeName }, nodeDeps, label);
    let providerStep = stepIds.has(`virtual-node:${r.virtualNodeName}`) ? `virtual-node:${r.virtualNodeName}` : undefined;
    if (r.overrides?.canary) {
      const router = routerName(r);
      const route = routeName(r);
      const routerStep = upsert('virtual-router', router, specs.virtualRouters[router], virtualRouterSpec(r), { meshName, virtualRouterName: router }, meshDeps, label);
      const targetDeps = r.overrides.canary.map((t) => `virtual-node:${t.virtualNode}`).filter((id) => stepIds.has(id));
      upsert('route', `${router}/${route}`, specs.routes[`${router}/${route}`], routeSpec(r),
        { meshName, virtualRouterName: router, routeName: route }, [...(routerStep ? [routerStep] : []), ...targetDeps], label);
      providerStep = routerStep;
    }
    const virtualServiceStep = upsert('virtual-service', r.virtualServiceName!, specs.virtualServices[r.virtualServiceName!], virtualServiceSpec(r),
      { meshName, virtualServiceName: r.virtualServiceName }, [...meshDeps, ...(providerStep ? [providerStep] : [])], label);
    perService.push({ decision, backends, registryStep, virtualServiceStep });
  }

  // Phase 2: task definitions and service updates, once the mesh can serve them.
  for (const { decision, backends, registryStep } of perService) {
    const r = decision.resolved;
    const label = `${r.cluster.name}/${r.service.name}`;
    const rewritten = rewriteForAppMesh(r.taskDefinition, {
      virtualNodeArn: `${arnPrefix}/virtualNode/${r.virtualNodeName}`,
      launch: r.launch,
      sizing: config.sidecars,
      envoyImage: config.sidecars.envoy.image ?? envoyImage(estate.region, config.sidecars.envoy.tag),
      xrayImage: config.sidecars.xray.image ?? XRAY_DAEMON_IMAGE,
      egressIgnoredPorts: servicePorts(r),
      egressIgnoredIPs: [...config.egressIgnoredIPs, ...(r.overrides?.egressIgnoredIPs ?? [])],
    });
    const registerStep = `task-definition:${label}`;
    const tdChanged = stableStringify(rewritten) !== stableStringify(registrationInput(r.taskDefinition));
    if (tdChanged) {
      add({
        id: registerStep, service: 'ecs', operation: 'RegisterTaskDefinition', input: redactDeep(rewritten), dependsOn: [], action: 'create',
        resource: `task definition ${r.taskDefinition.family} (new revision from ${r.taskDefinition.family}:${r.taskDefinition.revision})`, ecsService: label,
        sourceTaskDefinition: r.taskDefinition.taskDefinitionArn,
      });
    } else {
      unchanged += 1;
    }
    if (tdChanged || registryStep) {
      const meshReady = [r.virtualServiceName!, ...backends.map((b) => b.virtualService)]
        .map((name) => `virtual-service:${name}`)
        .filter((id) => stepIds.has(id));
      add({
        id: `ecs-service:${label}`, service: 'ecs', operation: 'UpdateService', action: 'update', resource: `ECS service ${label}`, ecsService: label,
        dependsOn: [...(tdChanged ? [registerStep] : []), ...(registryStep ? [registryStep] : []), ...meshReady],
        input: {
          cluster: r.cluster.name,
          service: r.service.name,
          ...(tdChanged && { taskDefinition: { $ref: registerStep, path: 'taskDefinition.taskDefinitionArn' } }),
          ...(registryStep && { serviceRegistries: [{ registryArn: { $ref: registryStep, path: 'Service.Arn' } }] }),
        },
        before: { taskDefinition: r.service.taskDefinitionArn, serviceRegistries: r.service.serviceRegistries },
      });
    } else {
      unchanged += 1;
    }
    const status = steps.some((s) => s.ecsService === label) ? 'change' : 'unchanged';
    const usage = plannedUsage(estate, r.service, r.taskDefinition);
    plannedServices.push({
      cluster: r.cluster.name,
      service: r.service.name,
      status,
      taskDefinition: `${r.taskDefinition.family}:${r.taskDefinition.revision}`,
      launch: r.launch,
      ...placement(r.service, r.cluster),
      desiredCount: r.service.desiredCount,
      virtualNode: r.virtualNodeName,
      virtualService: r.virtualServiceName!,
      ...(r.overrides?.canary && { router: { name: routerName(r), targets: r.overrides.canary } }),
      backends,
      findings: decision.findings,
      ...(usage && { usage }),
    });
  }

  for (const r of inOtherMesh) {
    const node = appMeshNode(r.taskDefinition)!;
    plannedServices.push({
      cluster: r.cluster.name, service: r.service.name, status: 'unchanged', taskDefinition: `${r.taskDefinition.family}:${r.taskDefinition.revision}`,
      virtualNode: node.node, virtualService: r.virtualServiceName ?? node.node, mesh: node.mesh, backends: [], findings: [],
      notes: [`already on App Mesh in mesh ${node.mesh}; left alone (App Mesh support ended: plan --target service-connect moves it)`],
    });
  }

  const blocked: BlockedService[] = decisions
    .filter((d) => d.blocking.length > 0)
    .map((d) => ({ cluster: d.resolved.cluster.name, service: d.resolved.service.name, findings: d.blocking }));
  const warnings = httpNamespaceWarnings(ready);

  return sealPlan({
    formatVersion: PLAN_FORMAT_VERSION,
    tool: 'meshctl',
    target: 'appmesh',
    region: estate.region,
    account,
    createdAt,
    mesh: meshName,
    observed,
    steps,
    services: plannedServices,
    blocked,
    ...(warnings.length > 0 && { warnings }),
    summary: {
      create: steps.filter((s) => s.action === 'create').length,
      update: steps.filter((s) => s.action === 'update').length,
      delete: 0,
      unchanged,
      blocked: blocked.length,
    },
  });
}

function observe(config: MeshctlConfig, resolved: ResolvedService[], specs: MeshSpecs): ObservedState {
  const services: ObservedState['services'] = {};
  const cloudMap: ObservedState['cloudMap'] = {};
  const meshResources: ObservedState['meshResources'] = { [`mesh/${config.mesh.name}`]: specs.mesh?.version ?? null };
  const version = (kind: string, record: Record<string, ExistingMeshResource>, name: string) => {
    meshResources[`${kind}/${name}`] = record[name]?.version ?? null;
  };
  for (const r of resolved) {
    services[r.service.arn] = {
      taskDefinition: r.service.taskDefinitionArn,
      deployments: observedDeployments(r.service),
    };
    if (r.cloudMap) {
      cloudMap[`namespace/${r.cloudMap.namespaceName}`] = r.cloudMap.namespaceId ?? null;
      cloudMap[`service/${r.cloudMap.namespaceName}/${r.cloudMap.serviceName}`] = r.cloudMap.registryArn ?? null;
    }
    version('virtualNode', specs.virtualNodes, r.virtualNodeName);
    if (r.virtualServiceName) version('virtualService', specs.virtualServices, r.virtualServiceName);
    if (r.overrides?.canary) {
      version('virtualRouter', specs.virtualRouters, routerName(r));
      version('route', specs.routes, `${routerName(r)}/${routeName(r)}`);
    }
  }
  return { services, meshResources, cloudMap };
}
