// Plans a migration onto ECS Service Connect. Services not on a mesh move in
// place (new task definition, Service Connect configuration). Services on App
// Mesh follow AWS's published path: an ECS service cannot be in an App Mesh
// mesh and a Service Connect namespace at once, so by default each gets a
// parallel "green" service in the namespace and traffic moves at the edge;
// an in-place switch of a whole dependency group is offered explicitly, for
// estates whose App Mesh control plane is already gone. What a service
// already has on Service Connect is kept (merge.ts), servers move before
// their clients (rollout-order.ts), tasks are sized as AWS does (sizing.ts). Pure.
import { ownerRules, serviceOverrides, type MeshctlConfig } from '../../config/config.js';
import { stableStringify } from '../../util/stable-json.js';
import { inferBackends } from '../appmesh/backends.js';
import { accountOfArn } from '../arn.js';
import { resolveServices, type ResolvedService } from '../appmesh/resolve.js';
import type { MeshSpecs } from '../appmesh/specs.js';
import type { Finding } from '../checks/rule.js';
import { chooseStrategy, DEFAULT_CUTOVER, isEcsManaged, type CutoverContext, type CutoverSettings, type CutoverStrategy, type InfrastructureRole, type StrategyChoice } from '../cutover/ecs-strategy.js';
import type { EdgeState } from '../edge.js';
import type { CloudMapNamespace, ContainerDefinition, Estate } from '../estate.js';
import { observedDeployments } from '../plan/drift.js';
import { serversNotMovedYet } from '../outside-servers.js';
import { idempotencyToken, observedDigest, sealPlan } from '../plan/fingerprint.js';
import { scalingResourceId, type ServiceScaling } from '../scaling.js';
import { PLAN_FORMAT_VERSION, type BlockedService, type ObservedState, type Plan, type PlannedBackend, type PlannedService, type PlanStep } from '../plan/model.js';
import { checkService } from '../precheck.js';
import { planSharing, shareCommand, type ShareNeed } from '../sharing.js';
import { redactDeep } from '../redact.js';
import { appMeshNode, meshStatus, placement } from '../service-facts.js';
import { peaksOf, plannedUsage, usageHeadroom } from '../usage.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import { registrationInput, type RegisterTaskDefinitionInput } from '../task-definition-input.js';
import { mergeServiceConnect, type ServiceConnectEntry } from './merge.js';
import { claimAliases, claimDiscoveryName, namesInNamespace, type NamespaceNames } from './names.js';
import { rewriteForServiceConnect, serviceConnectName, ServiceConnectRewriteError, type AppProtocol } from './rewrite.js';
import { greenName, planGreenTwin } from './cutover-plan.js';
import { planEcsManagedMove } from './ecs-managed-plan.js';
import { rolloutOrder, type RolloutOrder } from './rollout-order.js';
import { BUSY_AGENT, serviceConnectSizeOf } from './sizing.js';
import { emptyPolicy, endpointPolicy, forFinalProtocols, providedNames, virtualServiceTargets, type EndpointPolicy } from './traffic-policy.js';

/** How services on App Mesh move: asked for, or (undefined) ECS-managed where it applies and the twin for the rest. */
export type MigrationStrategy = CutoverStrategy;

export interface ServiceConnectPlanInput {
  estate: Estate;
  config: MeshctlConfig;
  /** Specs of the App Mesh virtual nodes, virtual services, routers and routes the meshed services use. */
  specs: MeshSpecs;
  createdAt: string;
  /** For services on App Mesh: the strategy asked for; none, each gets its default (ecs-strategy.ts). */
  strategy?: MigrationStrategy;
  /** ECS-managed deployments' settings (default: ECS's defaults, no role). */
  cutover?: CutoverSettings;
  /** The configured infrastructure role as iam GetRole found it. */
  role?: InfrastructureRole;
  /** Delete the App Mesh resources of the migrated services (after a completed cut-over, or in place). */
  removeMeshResources: boolean;
  /** Target groups of the blue services and the listener rules forwarding to them. */
  edge?: EdgeState;
  /** Application Auto Scaling of the blue services, by resource id: green twins scale the same. */
  scaling?: Record<string, ServiceScaling>;
}

/** ECS service names: at most 255 letters, digits, hyphens and underscores. */
const ECS_SERVICE_NAME_MAX = 255;

const IN_PLACE_RISK = 'in-place switch: every service of the dependency group moves at once, and while the deployments roll, App Mesh tasks and Service Connect tasks cannot reach each other (an ECS service cannot be in a mesh and a namespace at once); expect failed calls for the length of the rollout. Use it only where the App Mesh control plane is already gone.';

interface Decision {
  resolved: ResolvedService;
  label: string;
  onAppMesh: boolean;
  /** App Mesh virtual node of the service, from Envoy's APPMESH_RESOURCE_ARN. */
  meshNode?: { mesh: string; node: string };
  /** The namespace as the service names it: its own account's by name, another account's by ARN, one to create by name. */
  namespace?: string;
  /** That namespace, when it exists. */
  joined?: CloudMapNamespace;
  /** Another account's namespace this service's account does not see yet: the plan shares it first. */
  sharedFrom?: CloudMapNamespace;
  /** Names clients use today (App Mesh virtual services, Cloud Map DNS names), or the new one for a fresh service. */
  names: string[];
  /** The name the plan made up for a service clients know by none. */
  invented?: string;
  policy: EndpointPolicy;
  rewritten?: RegisterTaskDefinitionInput;
  findings: Finding[];
  blocking: Finding[];
  /** Services on App Mesh: the cut-over they get (ecs-strategy.ts) and the strategy that makes. */
  choice?: StrategyChoice;
  strategy: MigrationStrategy;
  /** What sizing from usage did that the plan says (a busy task's agent CPU). */
  sizeNotes: string[];
}

/** The application protocol of a port: meshctl.yaml wins, then the App Mesh listener; unknown stays unset (TCP). */
function appProtocolFor(resolved: ResolvedService, policy: EndpointPolicy): (port: number) => AppProtocol | undefined {
  return (port) => {
    const configured = resolved.overrides?.protocol;
    if (configured) return configured === 'tcp' ? undefined : configured;
    return policy.appProtocol.get(port) ?? undefined;
  };
}

function logConfiguration(containers: ContainerDefinition[]): Record<string, unknown> | undefined {
  const source = containers.find((c) => c.name !== ENVOY_CONTAINER && c.name !== XRAY_CONTAINER && c.logConfiguration?.logDriver === 'awslogs')?.logConfiguration;
  return source ? { logDriver: 'awslogs', options: { ...source.options, 'awslogs-stream-prefix': 'service-connect' } } : undefined;
}

/** Cloud Map DNS names of the service's registries: names clients resolve today. */
function registryNames(resolved: ResolvedService, estate: Estate): string[] {
  return resolved.service.serviceRegistries.flatMap((registry) => {
    const service = estate.cloudMap.services.find((s) => s.arn === registry.registryArn);
    const namespace = service && estate.cloudMap.namespaces.find((n) => n.id === service.namespaceId);
    return service && namespace ? [`${service.name}.${namespace.name}`] : [];
  });
}

/** Names clients use today; for a service with none (and not on Service Connect yet), one the plan makes up (`invented`). */
function namesOf(resolved: ResolvedService, meshNode: { node: string } | undefined, specs: MeshSpecs, estate: Estate): { names: string[]; invented?: string } {
  const known = [...new Set([...(meshNode ? providedNames(specs, meshNode.node) : []), ...registryNames(resolved, estate)])].sort();
  // A service already on Service Connect keeps the names it serves; only names clients resolve elsewhere are added.
  if (known.length === 0 && !resolved.service.serviceConnect?.enabled && resolved.virtualServiceName) return { names: [resolved.virtualServiceName], invented: resolved.virtualServiceName };
  return { names: known };
}

/**
 * appProtocol is immutable on a port a live Service Connect service uses
 * (Amazon ECS Developer Guide, Service Connect considerations: changing it
 * needs the service deleted and recreated): the changes the rewrite would make.
 */
function appProtocolChanges(resolved: ResolvedService, rewritten: RegisterTaskDefinitionInput): string[] {
  const live = new Set(((resolved.service.serviceConnect?.enabled ? resolved.service.serviceConnect.services : undefined) ?? [])
    .map((e) => (e as { portName?: string }).portName));
  const before = new Map(resolved.taskDefinition.containerDefinitions.flatMap((c) => (c.portMappings ?? []).filter((p) => p.name).map((p) => [p.name!, p.appProtocol])));
  return rewritten.containerDefinitions.flatMap((c) => (c.portMappings ?? [])
    .filter((p) => p.name !== undefined && live.has(p.name) && before.has(p.name) && before.get(p.name) !== p.appProtocol)
    .map((p) => `${p.name} ${before.get(p.name!) ?? 'unset (TCP)'} → ${p.appProtocol ?? 'unset (TCP)'}`));
}

/** The appProtocol a container port ends up with in the rewritten task definition (undefined: unset, TCP). */
function finalAppProtocol(rewritten: RegisterTaskDefinitionInput): (port: number) => string | undefined {
  const byPort = new Map(rewritten.containerDefinitions.filter((c) => c.name !== XRAY_CONTAINER)
    .flatMap((c) => (c.portMappings ?? []).filter((p) => p.containerPort !== undefined).map((p) => [p.containerPort!, p.appProtocol] as const)));
  return (port) => byPort.get(port);
}

/** Services on App Mesh connected by backends move together: connected components of the backend graph. */
function dependencyGroups(decisions: Decision[], specs: MeshSpecs): Map<string, number> {
  const meshed = decisions.filter((d) => d.onAppMesh && d.meshNode);
  const parent = new Map(meshed.map((d) => [d.meshNode!.node, d.meshNode!.node]));
  const find = (x: string): string => (parent.get(x) === x ? x : find(parent.get(x)!));
  for (const d of meshed) {
    const backends = ((specs.virtualNodes[d.meshNode!.node]?.spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] } | undefined)?.backends ?? []);
    for (const b of backends) {
      for (const provider of virtualServiceTargets(specs, b.virtualService?.virtualServiceName ?? '')) {
        if (parent.has(provider)) parent.set(find(provider), find(d.meshNode!.node));
      }
    }
  }
  const roots = [...new Set(meshed.map((d) => find(d.meshNode!.node)))].sort();
  return new Map(meshed.map((d) => [d.label, roots.indexOf(find(d.meshNode!.node)) + 1]));
}

/**
 * A namespace named by its ARN: how another account's namespace must be named,
 * once shared through AWS RAM (AWS Cloud Map Developer Guide, "Shared AWS Cloud Map namespaces").
 */
const NAMESPACE_ARN = /^arn:aws[\w-]*:servicediscovery:[\w-]+:(\d{12}):namespace\/ns-[\w]+$/;
const isNamespaceArn = (ref: string) => NAMESPACE_ARN.test(ref);
/** A namespace by ARN (exact), else by name. */
const namespaceOf = (estate: Estate, ref: string) => estate.cloudMap.namespaces.find((n) => n.arn === ref) ?? estate.cloudMap.namespaces.find((n) => n.name === ref);

/** The account that creates a namespace the plan creates: the first service's (by cluster/service) that uses it. */
function creatorOf(namespace: string, estate: Estate, config: MeshctlConfig): string | undefined {
  const first = resolveServices(estate, config).find((r) => namespaceFor(r, estate, config)?.ref === namespace);
  return first && accountOfArn(first.service.arn);
}

/**
 * The namespace a service joins, as it is named (its live Service Connect
 * namespace, meshctl.yaml's, its registry's, its cluster's default: a name
 * or an ARN), and the namespace itself when the run sees it.
 */
function namespaceFor(resolved: ResolvedService, estate: Estate, config: MeshctlConfig): { ref: string; found?: CloudMapNamespace } | undefined {
  const ref = resolved.service.serviceConnect?.namespace ?? config.cloudMap.namespace ?? resolved.cloudMap?.namespaceArn ?? resolved.cloudMap?.namespaceName;
  if (ref) return { ref, found: namespaceOf(estate, ref) };
  const defaults = resolved.cluster.serviceConnectDefaultsNamespace;
  const found = defaults ? namespaceOf(estate, defaults) : undefined;
  return found && { ref: found.arn, found };
}

/**
 * One services[] entry per port and per name clients use (AWS takes one
 * client alias per entry), with discovery names AWS accepts, and the
 * timeouts and TLS App Mesh had on the port. Merged into what the service has.
 */
function plannedConfiguration(decision: Decision, names: NamespaceNames, tls: Record<string, unknown> | undefined): Record<string, unknown> {
  const r = decision.resolved;
  const rewritten = decision.rewritten!;
  const ports = rewritten.containerDefinitions.filter((c) => c.name !== XRAY_CONTAINER).flatMap((c) => (c.portMappings ?? [])
    .filter((p) => p.containerPort !== undefined && p.name && (p.protocol ?? 'tcp') === 'tcp')
    .map((p) => ({ name: p.name!, port: p.containerPort! })));
  const dnsNames: (string | undefined)[] = decision.names.length > 0 ? decision.names : [undefined];
  const services: ServiceConnectEntry[] = ports.flatMap((p) => dnsNames.map((dnsName) => {
    const base = dnsNames.length > 1 && dnsName ? dnsName.split('.')[0]! : r.service.name;
    const discoveryName = serviceConnectName(ports.length > 1 ? `${base}-${p.port}` : base);
    const timeout = decision.policy.timeout.get(p.port);
    return {
      portName: p.name,
      discoveryName,
      ...(dnsName && { clientAliases: [{ port: p.port, dnsName }] }),
      ...(timeout && { timeout }),
      ...(tls && decision.policy.tlsPorts.has(p.port) && { tls }),
    };
  }));
  const logs = logConfiguration(rewritten.containerDefinitions);
  // Discovery names are unique across the namespace: each added entry claims one no service (in any cluster) or Cloud Map service holds.
  return mergeServiceConnect(r.service.serviceConnect, { namespace: decision.namespace!, services, ...(logs && { logConfiguration: logs }) },
    (planned, taken) => claimDiscoveryName(names, taken, planned, decision.label));
}

/** Backends a service calls: its App Mesh node's backends, and names its environment mentions. */
function backendsOf(decision: Decision, specs: MeshSpecs, knownNames: Set<string>): PlannedBackend[] {
  const declared = ((decision.meshNode && (specs.virtualNodes[decision.meshNode.node]?.spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] } | undefined)?.backends) ?? [])
    .map((b) => b.virtualService?.virtualServiceName).filter((n): n is string => !!n);
  const inferred = inferBackends(decision.resolved.taskDefinition, knownNames, decision.names[0] ?? '').filter((b) => !declared.includes(b.virtualService));
  return [...declared.map((virtualService) => ({ virtualService, inferred: false })), ...inferred].sort((a, b) => a.virtualService.localeCompare(b.virtualService));
}

/** A busy task's agent gets AWS's 512 CPU units: the plan says so where it sets task CPU (precheck warns where it cannot). */
function busyAgentNotes(resolved: ResolvedService, estate: Estate, config: MeshctlConfig): string[] {
  const size = serviceConnectSizeOf(estate, resolved.cluster, resolved.service, resolved.taskDefinition, { sizing: config.sidecars, keepXray: config.serviceConnect.keepXray, headroom: usageHeadroom(config) });
  if (!size.busyAgent || !resolved.taskDefinition.cpu) return [];
  const requests = peaksOf(estate, resolved.service, resolved.taskDefinition)!.requestsPerSecond;
  return [`peak ${requests} requests/s per task, above AWS's ${BUSY_AGENT.requestsPerSecond}: the Service Connect agent is sized at ${size.agent.cpu} CPU units (Amazon ECS Developer Guide, "Service Connect components")`];
}

function decide(resolved: ResolvedService, estate: Estate, config: MeshctlConfig, specs: MeshSpecs, cutover: CutoverContext): Decision {
  const label = `${resolved.cluster.name}/${resolved.service.name}`;
  const findings = checkService(estate, resolved.cluster, resolved.service, { target: 'service-connect', sizing: config.sidecars, keepXray: config.serviceConnect.keepXray, cutover, headroom: usageHeadroom(config), owners: ownerRules(config) });
  const blocking = findings.filter((f) => f.blocking);
  const block = (rule: string, message: string, hint: string) => blocking.push({ rule, severity: 'error', blocking: true, cluster: resolved.cluster.name, service: resolved.service.name, message: `${label}: ${message}`, hint });
  const joins = namespaceFor(resolved, estate, config);
  const serviceAccount = accountOfArn(resolved.service.arn);
  const existing = joins?.found;
  // The service names its own account's namespace by name (aliases, discovery names and messages use it), another account's by ARN.
  let namespace = existing ? existing.name : joins?.ref;
  let sharedFrom: CloudMapNamespace | undefined;
  if (existing && accountOfArn(existing.arn) !== serviceAccount) {
    // Another account's namespace is named by its ARN (AWS requires it), and must be shared with this one.
    const owner = accountOfArn(existing.arn);
    namespace = existing.arn;
    if (!(existing.sharedWith ?? []).includes(serviceAccount)) {
      if (estate.accounts?.[owner]) sharedFrom = existing;
      else {
        block('shared-namespace', `Cloud Map namespace ${existing.name} of account ${owner} is not shared with this account`,
          `Add account ${owner} under accounts: in meshctl.yaml (meshctl then plans the RAM share), or share it by hand: ${shareCommand(existing.arn, serviceAccount)}, then plan again.`);
      }
    }
  } else if (namespace && !existing && !isNamespaceArn(namespace) && estate.accounts) {
    // A namespace this plan creates lives in one account: the first service's (by cluster/service) that uses it.
    const creator = creatorOf(namespace, estate, config);
    if (creator && creator !== serviceAccount) {
      block('shared-namespace', `Cloud Map namespace ${namespace} does not exist yet; this plan creates it in account ${creator}`,
        `Apply the plan for account ${creator} first (meshctl apply with --account ${estate.accounts[creator] ?? creator}), then plan again: meshctl shares the namespace with this account through AWS RAM.`);
    }
  }
  if (!namespace) block('service-discovery', 'no Cloud Map namespace for Service Connect', 'Set cloudMap.namespace in meshctl.yaml (meshctl creates it as an HTTP namespace when missing).');
  // A namespace named by ARN is never created: it is another account's (shared through RAM) or must already exist.
  else if (isNamespaceArn(namespace) && !existing) {
    const owner = accountOfArn(namespace);
    const own = owner === serviceAccount;
    block('shared-namespace', own ? `Cloud Map namespace ${namespace} does not exist` : `Cloud Map namespace ${namespace} of account ${owner} is not shared with this account`,
      own ? 'Name an existing namespace in cloudMap.namespace, or give a name (not an ARN) and meshctl creates it as an HTTP namespace.'
        : `Add account ${owner} under accounts: in meshctl.yaml (meshctl then plans the RAM share), or share it by hand: ${shareCommand(namespace, serviceAccount)}, then plan again.`);
  }
  const onAppMesh = meshStatus(resolved.service, resolved.taskDefinition) === 'appmesh';
  // A blocked choice is a blocking finding of the ecs-managed-cutover rule already.
  const choice = onAppMesh ? chooseStrategy(resolved.service, cutover) : undefined;
  const strategy: MigrationStrategy = choice && 'strategy' in choice ? choice.strategy : cutover.settings.requested === 'in-place' ? 'in-place' : 'blue-green';
  const meshNode = onAppMesh ? appMeshNode(resolved.taskDefinition) : undefined;
  const green = greenName(resolved.service.name);
  if (onAppMesh && strategy === 'blue-green' && green.length > ECS_SERVICE_NAME_MAX) {
    block('service-name', `its green twin ${green} would have ${green.length} characters, over ECS's limit of ${ECS_SERVICE_NAME_MAX} for a service name`,
      'Move it with --strategy in-place, or give the service a shorter name first.');
  }
  const policy = meshNode ? endpointPolicy(specs, meshNode.node, config.serviceConnect.tls) : emptyPolicy();
  let rewritten: RegisterTaskDefinitionInput | undefined;
  if (blocking.length === 0) {
    try {
      rewritten = rewriteForServiceConnect(resolved.taskDefinition, {
        launch: resolved.launch, sizing: config.sidecars, appProtocolOf: appProtocolFor(resolved, policy),
        keepXray: config.serviceConnect.keepXray, agentPresent: resolved.service.serviceConnect?.enabled === true,
        peaks: peaksOf(estate, resolved.service, resolved.taskDefinition), headroom: usageHeadroom(config),
      });
    } catch (error) {
      if (!(error instanceof ServiceConnectRewriteError)) throw error;
      // Precheck blocks these first (task-memory, cpu-memory-headroom); kept so a rewrite can never throw past the plan.
      block('cpu-memory-headroom', error.message, 'Set the task definition\'s cpu and memory so the containers and the agent fit.');
    }
  }
  const finalPolicy = rewritten ? forFinalProtocols(policy, finalAppProtocol(rewritten)) : policy;
  const protocolChanges = rewritten ? appProtocolChanges(resolved, rewritten) : [];
  if (protocolChanges.length > 0) {
    block('app-protocol', `the plan would change appProtocol on port(s) the service serves on Service Connect (${protocolChanges.join(', ')}); AWS does not allow that on a live port: the service would have to be deleted and recreated`,
      'Keep the current protocol (remove services.<name>.protocol from meshctl.yaml), or move the service to a new ECS service by hand.');
  }
  return {
    resolved, label, onAppMesh, meshNode, namespace, policy: finalPolicy, rewritten, ...(existing && { joined: existing }), ...(sharedFrom && { sharedFrom }),
    sizeNotes: rewritten ? busyAgentNotes(resolved, estate, config) : [],
    ...namesOf(resolved, meshNode, specs, estate),
    findings: findings.filter((f) => !f.blocking && f.severity !== 'info'),
    blocking, strategy, ...(choice && { choice }),
  };
}

type Token = (id: string) => string;

/** Namespaces that do not exist yet become HTTP namespaces (no VPC needed; Service Connect discovers through the API). */
function namespaceSteps(ready: Decision[], estate: Estate, config: MeshctlConfig, token: Token): PlanStep[] {
  return [...new Set(ready.map((d) => d.namespace!))].sort()
    .filter((ns) => !namespaceOf(estate, ns) && !isNamespaceArn(ns))
    .map((ns): PlanStep => {
      const creator = estate.accounts ? creatorOf(ns, estate, config) : undefined;
      return {
        id: `cloudmap-namespace:${ns}`, service: 'servicediscovery', operation: 'CreateHttpNamespace', action: 'create', dependsOn: [], ...(creator && { account: creator }),
        resource: `Cloud Map HTTP namespace ${ns}`, input: { Name: ns, CreatorRequestId: token(`cloudmap-namespace:${ns}`) },
      };
    });
}

/** Namespaces of other accounts of the run, shared with the accounts that use them before those services move. */
function shareNeeds(ready: Decision[]): ShareNeed[] {
  const needs = new Map<string, ShareNeed>();
  for (const d of ready.filter((x) => x.sharedFrom)) {
    const ns = d.sharedFrom!;
    const need = needs.get(ns.arn) ?? { kind: 'namespace' as const, arn: ns.arn, name: ns.name, owner: accountOfArn(ns.arn), consumers: [], ...(ns.resourceShare && { share: ns.resourceShare }) };
    need.consumers.push(accountOfArn(d.resolved.service.arn));
    needs.set(ns.arn, need);
  }
  return [...needs.values()];
}

/** serviceConnect.setClusterDefaults: each migrated cluster's default namespace set to its services' one. */
function clusterDefaultSteps(ready: Decision[], estate: Estate, earlier: PlanStep[], warnings: string[]): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const cluster of estate.clusters) {
    const namespace = ready.find((d) => d.resolved.cluster === cluster)?.namespace;
    if (!namespace) continue;
    // A cluster's Service Connect default "must be in this account" (Amazon ECS API Reference, ClusterServiceConnectDefaultsRequest).
    if (isNamespaceArn(namespace) && accountOfArn(namespace) !== accountOfArn(cluster.arn)) {
      warnings.push(`cluster ${cluster.name} keeps its Service Connect default namespace: ${namespace} belongs to account ${accountOfArn(namespace)}, and a cluster's default must be a namespace of its own account (AWS); services name the shared namespace themselves`);
      continue;
    }
    const current = cluster.serviceConnectDefaultsNamespace;
    const currentName = current && (namespaceOf(estate, current)?.name ?? current);
    if (currentName === namespace) continue;
    const namespaceStep = earlier.find((s) => s.id === `cloudmap-namespace:${namespace}`)?.id;
    steps.push({
      id: `ecs-cluster-defaults:${cluster.name}`, service: 'ecs', operation: 'UpdateCluster', action: 'update', dependsOn: namespaceStep ? [namespaceStep] : [],
      resource: `ECS cluster ${cluster.name} (Service Connect default namespace ${namespace})`,
      input: { cluster: cluster.name, serviceConnectDefaults: { namespace } }, before: { serviceConnectDefaults: current ? { namespace: current } : null },
    });
  }
  return steps;
}

/** The services still on App Mesh that call each service (their backends name it): ECS's traffic shift does not govern their calls. */
function appMeshClientsOf(ready: Decision[], backends: Map<string, PlannedBackend[]>): Map<string, string[]> {
  const clients = new Map<string, string[]>();
  for (const server of ready.filter((d) => isEcsManaged(d.strategy))) {
    clients.set(server.label, ready.filter((c) => c.onAppMesh && c !== server && (backends.get(c.label) ?? []).some((b) => server.names.includes(b.virtualService))).map((c) => c.label));
  }
  return clients;
}

/** Servers before clients: who calls whom, among the services this plan moves. */
function callGraph(ready: Decision[], specs: MeshSpecs, estate: Estate): { backends: Map<string, PlannedBackend[]>; order: RolloutOrder } {
  // Names servers outside a narrowed selection serve are backends too, though not in the order.
  const knownNames = new Set([...ready.flatMap((d) => d.names), ...(estate.outsideServers ?? []).map((o) => o.name)]);
  const providerOf = new Map(ready.flatMap((d) => d.names.map((n) => [n, d.label] as const)));
  const backends = new Map(ready.map((d) => [d.label, backendsOf(d, specs, knownNames)]));
  const order = rolloutOrder(new Map(ready.map((d) => [d.label, backends.get(d.label)!
    .map((b) => providerOf.get(b.virtualService)).filter((l): l is string => !!l && l !== d.label)])));
  return { backends, order };
}

/** ECS's ServiceConnectTlsConfiguration, from serviceConnect.tls. */
function tlsConfiguration(config: MeshctlConfig): Record<string, unknown> | undefined {
  const configured = config.serviceConnect.tls;
  return configured && {
    issuerCertificateAuthority: { awsPcaAuthorityArn: configured.awsPcaAuthorityArn },
    roleArn: configured.roleArn,
    ...(configured.kmsKey && { kmsKey: configured.kmsKey }),
  };
}

interface MoveContext {
  estate: Estate;
  config: MeshctlConfig;
  cutover: CutoverContext;
  /** Services still on App Mesh calling each service, by cluster/service. */
  appMeshClients: Map<string, string[]>;
  edge: EdgeState;
  scaling: Record<string, ServiceScaling>;
  token: Token;
  /** The shared steps planned so far (namespaces). */
  shared: PlanStep[];
  groups: Map<string, number>;
  tls: Record<string, unknown> | undefined;
  /** What the decision's namespace holds, and what the plan has claimed in it so far. */
  names: (decision: Decision) => NamespaceNames;
}

interface ServiceMove {
  decision: Decision;
  steps: PlanStep[];
  /** The step that moves the service (its UpdateService, or its green twin's CreateService). */
  moveStep?: string;
  planned: PlannedService;
  /** Task definitions and services left as they are. */
  unchanged: number;
}

/** One service's move: its new revision, then an update in place or (leaving App Mesh, blue-green) a green twin. */
function planMove(decision: Decision, backends: PlannedBackend[], ctx: MoveContext): ServiceMove {
  const r = decision.resolved;
  const label = decision.label;
  const steps: PlanStep[] = [];
  const notes: string[] = [];
  let unchanged = 0;
  let moveStep: string | undefined;
  let deployment: Record<string, unknown> | undefined;
  const namespaceStep = ctx.shared.find((s) => s.id === `cloudmap-namespace:${decision.namespace}`)?.id;
  const scConfig = plannedConfiguration(decision, ctx.names(decision), ctx.tls);
  const registerStep = `task-definition:${label}`;
  const tdChanged = stableStringify(decision.rewritten) !== stableStringify(registrationInput(r.taskDefinition));
  const scChanged = stableStringify(r.service.serviceConnect ?? null) !== stableStringify(scConfig);
  const blueGreen = decision.onAppMesh && decision.strategy === 'blue-green';
  const managed = decision.onAppMesh && decision.choice && 'production' in decision.choice ? decision.choice : undefined;

  // A blue service whose green twin exists keeps its App Mesh task definition: nothing to register.
  const greenExists = blueGreen && r.cluster.services.some((s) => s.name === greenName(r.service.name));
  if (tdChanged && !greenExists) {
    steps.push({
      id: registerStep, service: 'ecs', operation: 'RegisterTaskDefinition', action: 'create', dependsOn: [], ecsService: label,
      resource: `task definition ${r.taskDefinition.family} (new revision from ${r.taskDefinition.family}:${r.taskDefinition.revision})`,
      input: redactDeep(decision.rewritten!), sourceTaskDefinition: r.taskDefinition.taskDefinitionArn,
    });
  } else unchanged += 1;
  const taskDefinition = tdChanged ? { $ref: registerStep, path: 'taskDefinition.taskDefinitionArn' } : r.service.taskDefinitionArn;
  const deps = [...(tdChanged ? [registerStep] : []), ...(namespaceStep ? [namespaceStep] : [])];

  if (blueGreen) {
    const twin = planGreenTwin({
      cluster: r.cluster, service: r.service, label, namespace: decision.namespace!, taskDefinition, serviceConnectConfiguration: scConfig, dependsOn: deps,
      edge: ctx.edge, scaling: ctx.scaling[scalingResourceId(r.cluster.name, r.service.name)], clientToken: ctx.token(`ecs-green-service:${label}`),
    });
    steps.push(...twin.steps);
    notes.push(...twin.notes);
    moveStep = twin.moveStep;
    if (!moveStep) unchanged += 1;
  } else if (managed) {
    const ecs = planEcsManagedMove({
      cluster: r.cluster.name, service: r.service, label, strategy: managed.strategy, production: managed.production, targetGroupArn: managed.targetGroupArn,
      edge: ctx.edge, settings: ctx.cutover.settings, serviceAlarms: serviceOverrides(ctx.config, r.cluster.name, r.service.name)?.alarms ?? [],
      ...(tdChanged && { taskDefinition }), serviceConnectConfiguration: scConfig, dependsOn: deps,
      scaling: ctx.scaling[scalingResourceId(r.cluster.name, r.service.name)], appMeshClients: ctx.appMeshClients.get(label) ?? [],
    });
    steps.push(...ecs.steps);
    notes.push(...ecs.notes);
    moveStep = ecs.moveStep;
    deployment = ecs.deployment;
  } else if (tdChanged || scChanged) {
    moveStep = `ecs-service:${label}`;
    steps.push({
      id: moveStep, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: deps, ecsService: label,
      resource: `ECS service ${label}`,
      input: { cluster: r.cluster.name, service: r.service.name, ...(tdChanged && { taskDefinition }), serviceConnectConfiguration: scConfig },
      before: { taskDefinition: r.service.taskDefinitionArn, serviceConnectConfiguration: r.service.serviceConnect ?? { enabled: false } },
    });
    if (decision.onAppMesh) notes.push(`${IN_PLACE_RISK} (group ${ctx.groups.get(label)})`);
  } else unchanged += 1;

  const usage = plannedUsage(ctx.estate, r.service, r.taskDefinition);
  notes.push(...decision.sizeNotes);
  const group = ctx.groups.get(label);
  if (group !== undefined) notes.unshift(`App Mesh dependency group ${group}: ${[...ctx.groups.entries()].filter(([, g]) => g === group).map(([l]) => l).join(', ')}`);
  const planned: PlannedService = {
    cluster: r.cluster.name,
    service: r.service.name,
    status: steps.length > 0 ? 'change' : 'unchanged',
    taskDefinition: `${r.taskDefinition.family}:${r.taskDefinition.revision}`,
    launch: r.launch,
    ...placement(r.service, r.cluster),
    desiredCount: r.service.desiredCount,
    serviceConnect: {
      namespace: decision.namespace!,
      strategy: decision.onAppMesh ? decision.strategy : 'in-place',
      ...(decision.choice && 'why' in decision.choice && { why: decision.choice.why }),
      ...(blueGreen && { greenService: greenName(r.service.name) }),
      ...(deployment && { deployment }),
      aliases: ((scConfig.services ?? []) as ServiceConnectEntry[]).flatMap((s) => (s.clientAliases ?? []).map((a) => `${a.dnsName}:${a.port}`)),
    },
    backends,
    findings: decision.findings,
    ...(usage && { usage }),
    ...(decision.policy.parity.length > 0 && { parity: decision.policy.parity }),
    ...(notes.length > 0 && { notes }),
  };
  return { decision, steps, ...(moveStep && { moveStep }), planned, unchanged };
}

/**
 * The order between moves, as dependencies: a service in a shared namespace
 * moves once its account accepted the share, and each client once its
 * servers moved (steps are emitted servers first, so every dependency comes earlier).
 */
function orderMoves(moves: ServiceMove[], order: RolloutOrder, usableAfter: Map<string, string>, estate: Estate): void {
  const moveOf = new Map(moves.filter((m) => m.moveStep).map((m) => [m.decision.label, m]));
  const stepOf = (m: ServiceMove) => m.steps.find((s) => s.id === m.moveStep)!;
  for (const m of moves) {
    if (!m.moveStep) continue;
    const d = m.decision;
    const accepted = d.sharedFrom && usableAfter.get(`${d.sharedFrom.arn} ${accountOfArn(d.resolved.service.arn)}`);
    if (accepted) stepOf(m).dependsOn = [...stepOf(m).dependsOn, accepted];
  }
  for (const m of moves) {
    if (!m.moveStep) continue;
    const after = order.after.get(m.decision.label)!.filter((server) => moveOf.has(server));
    if (after.length > 0) stepOf(m).dependsOn = [...stepOf(m).dependsOn, ...after.map((server) => moveOf.get(server)!.moveStep!)];
    const outside = serversNotMovedYet(estate, m.decision.label).map((s) => ({ name: s.name, server: `${s.cluster}/${s.service}` }));
    m.planned.rollout = { position: order.position.get(m.decision.label)!, after, ...(outside.length > 0 && { outside }) };
  }
}

/** Each namespace's names, read once from the estate and claimed as the plan goes. */
function namespaceNames(estate: Estate): (decision: Decision) => NamespaceNames {
  const byNamespace = new Map<string, NamespaceNames>();
  return (decision) => {
    const key = decision.namespace!;
    if (!byNamespace.has(key)) byNamespace.set(key, namesInNamespace(estate, decision.joined, key));
    return byNamespace.get(key)!;
  };
}

/** Client aliases are unique across the namespace: a name another service answers blocks the move, a made-up one gets the cluster. */
function claimClientAliases(decisions: Decision[], names: (decision: Decision) => NamespaceNames): void {
  for (const d of decisions.filter((x) => x.blocking.length === 0)) {
    const namespaceName = d.joined?.name ?? d.namespace!;
    const claim = claimAliases(names(d), d.label, d.names, d.invented, namespaceName);
    if ('names' in claim) {
      d.names = claim.names;
      continue;
    }
    d.blocking.push({
      rule: 'client-alias', severity: 'error', blocking: true, cluster: d.resolved.cluster.name, service: d.resolved.service.name,
      message: `${d.label}: clients call it ${claim.conflict}, a name ${claim.holder} already answers in namespace ${namespaceName}; a client alias sends every caller in the namespace to one service`,
      hint: `Move the callers of one of the two to another name first, or leave one out (exclude.services in meshctl.yaml) until ${claim.holder} no longer serves ${claim.conflict}.`,
    });
  }
}

export function planServiceConnect({ estate, config, specs, createdAt, strategy, cutover: settings = DEFAULT_CUTOVER, role, removeMeshResources, edge = { targetGroups: {}, forwards: [] }, scaling = {} }: ServiceConnectPlanInput): Plan {
  const cutover: CutoverContext = { settings: { ...settings, ...(strategy && { requested: strategy }) }, edge, ...(role && { role }) };
  const decisions = resolveServices(estate, config).map((resolved) => decide(resolved, estate, config, specs, cutover));
  const names = namespaceNames(estate);
  claimClientAliases(decisions, names);
  const ready = decisions.filter((d) => d.blocking.length === 0);
  const warnings: string[] = [];
  if (estate.appMesh.unreadable && decisions.some((d) => d.onAppMesh)) {
    warnings.push(`App Mesh could not be read (${estate.appMesh.unreadable}): planned from ECS and Cloud Map alone; listener protocols, timeouts, TLS, routes and extra virtual-service names of the App Mesh services were not carried over and are missing from the parity report`);
  }
  const observed = observe(decisions, specs, edge);
  const tokenSeed = observedDigest(observed);
  const token = (id: string) => idempotencyToken(tokenSeed, id);

  const steps = namespaceSteps(ready, estate, config, token);
  const sharing = planSharing(shareNeeds(ready), token);
  steps.push(...sharing.steps);
  if (config.serviceConnect.setClusterDefaults) steps.push(...clusterDefaultSteps(ready, estate, steps, warnings));

  const { backends, order } = callGraph(ready, specs, estate);
  for (const cycle of order.cycles) warnings.push(`${cycle.join(', ')} call each other: they cannot move servers-first and roll out as one group; expect failed calls between them until all their deployments complete`);
  const context: MoveContext = {
    estate, config, cutover, appMeshClients: appMeshClientsOf(ready, backends), edge, scaling, token, shared: [...steps], groups: dependencyGroups(ready, specs), tls: tlsConfiguration(config), names,
  };
  const moves = ready.map((d) => planMove(d, backends.get(d.label)!, context));
  orderMoves(moves, order, sharing.usableAfter, estate);
  const position = (m: ServiceMove) => order.position.get(m.decision.label)!;
  for (const m of [...moves].sort((a, b) => position(a) - position(b))) steps.push(...m.steps);
  const services = moves.map((m) => m.planned).sort((a, b) => (a.rollout?.position ?? 0) - (b.rollout?.position ?? 0));
  if (removeMeshResources) steps.push(...meshDeletions(ready, specs, steps));

  const blocked: BlockedService[] = decisions.filter((d) => d.blocking.length > 0)
    .map((d) => ({ cluster: d.resolved.cluster.name, service: d.resolved.service.name, findings: d.blocking }));
  return sealPlan({
    formatVersion: PLAN_FORMAT_VERSION, tool: 'meshctl', target: 'service-connect', region: estate.region, account: accountOfArn(estate.clusters[0]?.arn ?? ''), createdAt,
    // The App Mesh mesh the migrated services leave (drift checks read it again); none for fresh migrations.
    mesh: decisions.find((d) => d.meshNode)?.meshNode!.mesh ?? '',
    observed, steps, services, blocked,
    ...(warnings.length > 0 && { warnings }),
    summary: {
      create: steps.filter((s) => s.action === 'create').length,
      update: steps.filter((s) => s.action === 'update' && !s.operation.startsWith('Delete')).length,
      delete: steps.filter((s) => s.operation.startsWith('Delete')).length,
      unchanged: moves.reduce((n, m) => n + m.unchanged, 0),
      blocked: blocked.length,
    },
  });
}
/**
 * Deletes the App Mesh resources of migrated services: in place, after the
 * group's updates; blue-green, only once the green service exists (the
 * cut-over already happened in an earlier apply).
 */
function meshDeletions(ready: Decision[], specs: MeshSpecs, steps: PlanStep[]): PlanStep[] {
  const deletions: PlanStep[] = [];
  for (const d of ready.filter((x) => x.onAppMesh && x.meshNode)) {
    const label = `${d.resolved.cluster.name}/${d.resolved.service.name}`;
    const greenExists = d.resolved.cluster.services.some((s) => s.name === greenName(d.resolved.service.name));
    if (d.strategy === 'blue-green' && !greenExists) continue;
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

function observe(decisions: Decision[], specs: MeshSpecs, edge: EdgeState): ObservedState {
  const services: ObservedState['services'] = {};
  const cloudMap: ObservedState['cloudMap'] = {};
  const meshResources: ObservedState['meshResources'] = {};
  for (const d of decisions) {
    const s = d.resolved.service;
    services[s.arn] = {
      taskDefinition: s.taskDefinitionArn,
      deployments: observedDeployments(s),
    };
    if (d.namespace) cloudMap[`namespace/${d.namespace}`] = d.joined?.id ?? null;
    if (d.meshNode) meshResources[`virtualNode/${d.meshNode.node}`] = specs.virtualNodes[d.meshNode.node]?.version ?? null;
  }
  for (const [name, vs] of Object.entries(specs.virtualServices)) meshResources[`virtualService/${name}`] = vs.version;
  if (edge.forwards.length === 0) return { services, meshResources, cloudMap };
  return { services, meshResources, cloudMap, edge: Object.fromEntries(edge.forwards.map((f) => [f.arn, stableStringify(f.actions)])) };
}
