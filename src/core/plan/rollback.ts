// A rollback is a plan like any other: the operations that put services back
// on the revision they ran before apply, restore the listener rules apply
// re-weighted, remove the green twins and what apply created, in dependency
// order. apply's executor and journal run it, so it is reviewable, savable,
// concurrent and resumable the same way.
import type { CreatedResource, Journal, JournalService } from '../../apply/journal.js';
import type { Service } from '../estate.js';
import { DEFAULT_TARGET, type Target } from '../sidecars.js';
import { stableStringify } from '../../util/stable-json.js';
import { observedDeployments } from './drift.js';
import { sealPlan } from './fingerprint.js';
import { PLAN_FORMAT_VERSION, type ObservedState, type Plan, type PlannedService, type PlanStep } from './model.js';
import { managedRollbackSteps, type ManagedRollback } from './rollback-managed.js';

/** One service whose live revision is not the one to go back to. */
export interface RollbackMove {
  label: string;
  live: Service;
  /** The ACTIVE revision to go back to (the reading layer checked it is ACTIVE). */
  to: string;
  entry?: JournalService;
}

export interface RollbackInput {
  region: string;
  account: string;
  createdAt: string;
  /** The apply journal undone, and where it is; none when services were named without one. */
  journal?: { path: string; data: Journal };
  moves: RollbackMove[];
  /** Blue-green services of the journal whose green twin apply created, with the blue service as it runs now. */
  greens: { label: string; live: Service; entry: JournalService }[];
  /** ECS-managed moves of the journal (ecs-canary, ecs-linear, ecs-blue-green), with whether their strategy or load balancers changed. */
  managed?: (ManagedRollback & { configChanged: boolean })[];
  /** The listener rules and listeners to restore, as they are now: what the plan observed. */
  edgeActions: Record<string, unknown>;
  /** Labels of journal services already back on their previous revision (or gone). */
  alreadyBack: string[];
  keepRevision: boolean;
  removeMeshResources: boolean;
  /** What the reading layer found worth saying: services with nothing to roll back, and why. */
  notes: string[];
}

const short = (arn: string) => arn.split('/').pop()!;

/** Resources are deleted dependents first: routes before routers, nodes before the mesh, services before namespaces. */
const DELETE_ORDER = ['VirtualService', 'Route', 'VirtualRouter', 'VirtualNode', 'Service', 'Namespace', 'Mesh'];

const GREEN_KINDS = new Set(['EcsService', 'TargetGroup', 'ScalableTarget', 'MetricAlarm']);

export function describeCreated(resource: CreatedResource): string {
  const what = resource.service === 'ram' ? 'RAM resource share'
    : resource.service === 'appmesh' ? `App Mesh ${resource.kind}`
    : resource.service === 'ecs' ? 'ECS service'
      : resource.service === 'application-autoscaling' ? 'scalable target'
      : resource.service === 'cloudwatch' ? 'CloudWatch alarm'
      : resource.service === 'elbv2' ? 'target group'
        : `Cloud Map ${resource.kind === 'Namespace' ? 'namespace' : 'service'}`;
  const { meshOwner, ...names } = resource.identity;
  return `${what} ${Object.values(names).join('/')}${meshOwner ? ` (mesh of account ${meshOwner})` : ''}`;
}

function deleteOperation(resource: CreatedResource): string {
  if (resource.service === 'appmesh' || resource.service === 'elbv2') return `Delete${resource.kind}`;
  if (resource.service === 'ecs') return 'DeleteService';
  if (resource.service === 'application-autoscaling') return 'DeregisterScalableTarget';
  if (resource.service === 'cloudwatch') return 'DeleteAlarms';
  return resource.kind === 'Namespace' ? 'DeleteNamespace' : 'DeleteService';
}

function deleteStep(resource: CreatedResource, dependsOn: string[], ecsService?: string): PlanStep {
  return {
    id: `delete:${resource.step}`,
    service: resource.service,
    operation: deleteOperation(resource),
    // A green service created beside the blue one goes even with tasks running.
    input: resource.kind === 'EcsService' ? { ...resource.identity, force: true }
      : resource.kind === 'MetricAlarm' ? { AlarmNames: [resource.identity.AlarmName] } : { ...resource.identity },
    dependsOn,
    action: 'delete',
    resource: describeCreated(resource),
    ...(ecsService && { ecsService }),
    ...(resource.account && { account: resource.account }),
  };
}

function updateStep(move: RollbackMove): PlanStep {
  const { live, entry, to } = move;
  const registriesChanged = entry && stableStringify(entry.previousServiceRegistries) !== stableStringify(live.serviceRegistries);
  const previousConnect = entry?.previousServiceConnect ?? { enabled: false };
  const connectChanged = entry && stableStringify(previousConnect) !== stableStringify(live.serviceConnect ?? { enabled: false });
  return {
    id: `rollback:${move.label}`,
    service: 'ecs',
    operation: 'UpdateService',
    input: {
      cluster: live.clusterName, service: live.name, taskDefinition: to,
      ...(registriesChanged && { serviceRegistries: entry.previousServiceRegistries }),
      ...(connectChanged && { serviceConnectConfiguration: previousConnect }),
    },
    dependsOn: [],
    action: 'update',
    resource: live.taskDefinitionArn === to
      ? `service ${move.label}: Service Connect and registries as before apply (stays on ${short(to)})`
      : `service ${move.label}: ${short(live.taskDefinitionArn)} → ${short(to)}`,
    ecsService: move.label,
    before: {
      taskDefinition: live.taskDefinitionArn,
      ...(connectChanged && { serviceConnectConfiguration: live.serviceConnect ?? { enabled: false } }),
    },
  };
}

function deregisterStep(id: string, label: string, revision: string, dependsOn: string[]): PlanStep {
  return {
    id, service: 'ecs', operation: 'DeregisterTaskDefinition', input: { taskDefinition: revision }, dependsOn,
    action: 'delete', resource: `task definition ${short(revision)}`, ecsService: label,
  };
}

function plannedService(label: string, live: Service, taskDefinition: string, notes: string[]): PlannedService {
  const [cluster, service] = [label.slice(0, label.indexOf('/')), label.slice(label.indexOf('/') + 1)];
  return { cluster, service, status: 'change', taskDefinition, desiredCount: live.desiredCount, backends: [], findings: [], ...(notes.length > 0 && { notes }) };
}

/** The listener rules and listeners apply re-weighted for a service, put back (they forward to its own group alone). */
function restoreSteps(input: RollbackInput, label: string, dependsOn: string[], steps: PlanStep[], observed: ObservedState, to: string): string[] {
  const restores = [...(input.journal?.data.restores ?? [])].reverse().filter((r) => r.ecsService === label);
  return restores.map((r) => {
    const arn = String(r.input.RuleArn ?? r.input.ListenerArn);
    const id = `restore:${r.step}`;
    observed.edge = { ...observed.edge, [arn]: input.edgeActions[arn] === undefined ? '' : stableStringify(input.edgeActions[arn]) };
    steps.push({
      id, service: 'elbv2', operation: r.operation, input: r.input, dependsOn, action: 'update',
      resource: `${r.operation === 'ModifyRule' ? 'listener rule' : 'listener'} ${arn.split('/').slice(-2).join('/')}: forward to ${to} only`,
      ecsService: label, before: input.edgeActions[arn],
    });
    return id;
  });
}

export function planRollback(input: RollbackInput): Plan {
  const steps: PlanStep[] = [];
  const services: PlannedService[] = [];
  const observed: ObservedState = { services: {}, meshResources: {}, cloudMap: {} };
  const observe = (live: Service) => { observed.services[live.arn] = { taskDefinition: live.taskDefinitionArn, deployments: observedDeployments(live) }; };

  for (const move of input.moves) {
    const update = updateStep(move);
    steps.push(update);
    observe(move.live);
    const from = move.live.taskDefinitionArn;
    // A service whose revision did not change (a Service Connect-only move) keeps it: it is the one it runs.
    if (!input.keepRevision && from !== move.to) steps.push(deregisterStep(`deregister:${move.label}`, move.label, from, [update.id]));
    services.push(plannedService(move.label, move.live, move.to, input.keepRevision ? [`keeps ${short(from)} (--keep-revision)`] : []));
  }

  const created = input.journal?.data.created ?? [];
  for (const green of input.greens) {
    // Listener rules forward only to blue again before the green target groups can go.
    const restoreIds = restoreSteps(input, green.label, [], steps, observed, 'blue');
    // The twin stops scaling before it is deleted; its policies and scheduled actions go with its scalable target
    // (Application Auto Scaling API Reference, DeregisterScalableTarget), the alarms copied for it do not.
    const scalingDeletes = created.filter((c) => (c.kind === 'ScalableTarget' || c.kind === 'MetricAlarm') && c.ecsService === green.label).map((c) => deleteStep(c, restoreIds, green.label));
    steps.push(...scalingDeletes);
    const twin = created.find((c) => c.kind === 'EcsService' && c.ecsService === green.label);
    const twinDelete = twin ? deleteStep(twin, [...restoreIds, ...scalingDeletes.map((d) => d.id)], green.label) : undefined;
    if (twinDelete) steps.push(twinDelete);
    for (const group of created.filter((c) => c.kind === 'TargetGroup' && c.ecsService === green.label)) {
      steps.push(deleteStep(group, [...restoreIds, ...(twinDelete ? [twinDelete.id] : [])], green.label));
    }
    const greenRevision = green.entry.newTaskDefinition;
    if (!input.keepRevision && greenRevision) steps.push(deregisterStep(`deregister-green:${green.label}`, green.label, greenRevision, twinDelete ? [twinDelete.id] : []));
    observe(green.live);
    services.push(plannedService(green.label, green.live, green.live.taskDefinitionArn, [`removes the green service ${green.entry.greenService}; ${green.label} keeps serving`]));
  }

  for (const m of input.managed ?? []) {
    const own = managedRollbackSteps(m, m.configChanged);
    steps.push(...own.steps);
    const restoreIds = restoreSteps(input, m.label, own.last ? [own.last] : [], steps, observed, 'the production group');
    for (const group of created.filter((c) => c.kind === 'TargetGroup' && c.ecsService === m.label)) steps.push(deleteStep(group, [...restoreIds, ...(own.last ? [own.last] : [])], m.label));
    const moved = m.entry.newTaskDefinition;
    if (!input.keepRevision && moved && moved !== m.entry.previousTaskDefinition) steps.push(deregisterStep(`deregister:${m.label}`, m.label, moved, own.last ? [own.last] : []));
    observe(m.live);
    services.push(plannedService(m.label, m.live, m.entry.previousTaskDefinition, [`${m.entry.cutover} move: ${m.inProgress ? 'its deployment is stopped with rollback' : 'back by an ECS blue/green deployment'}; the strategy, load balancers and production rule as before apply`]));
  }

  // Mesh and Cloud Map resources apply created: only for services that are (or are being put) back.
  const leftInPlace: string[] = [];
  const journalServices = Object.keys(input.journal?.data.services ?? {});
  const back = new Set([...input.alreadyBack, ...input.moves.map((m) => m.label), ...input.greens.map((g) => g.label), ...(input.managed ?? []).map((m) => m.label)]);
  const allBack = journalServices.every((label) => back.has(label));
  const meshResources = created
    .filter((c) => !GREEN_KINDS.has(c.kind))
    .sort((a, b) => DELETE_ORDER.indexOf(a.kind) - DELETE_ORDER.indexOf(b.kind));
  const serviceUpdates = steps.filter((s) => s.operation === 'UpdateService').map((s) => s.id);
  const deletes: { step: PlanStep; order: number }[] = [];
  for (const resource of meshResources) {
    // A RAM share opened a namespace or mesh to other accounts; their owners close it (others may use it since).
    if (resource.service === 'ram') {
      leftInPlace.push(`${describeCreated(resource)} (remove it in account ${resource.account ?? 'its owner'} when no account uses the share: aws ram delete-resource-share)`);
      continue;
    }
    const canGo = resource.ecsService ? back.has(resource.ecsService) : allBack;
    if (!input.removeMeshResources || !canGo) {
      leftInPlace.push(`${describeCreated(resource)}${canGo ? '' : ` (${resource.ecsService ?? 'services of the journal'} still on it)`}`);
      continue;
    }
    const order = DELETE_ORDER.indexOf(resource.kind);
    const earlier = deletes.filter((d) => d.order < order).map((d) => d.step.id);
    deletes.push({ step: deleteStep(resource, [...serviceUpdates, ...earlier]), order });
  }
  steps.push(...deletes.map((d) => d.step));

  const count = (action: PlanStep['action']) => steps.filter((s) => s.action === action).length;
  return sealPlan({
    formatVersion: PLAN_FORMAT_VERSION,
    tool: 'meshctl',
    target: (input.journal?.data.target as Target | undefined) ?? DEFAULT_TARGET,
    region: input.region,
    account: input.account,
    createdAt: input.createdAt,
    mesh: input.journal?.data.mesh ?? '',
    observed,
    steps,
    services,
    blocked: [],
    ...(input.notes.length > 0 && { warnings: input.notes }),
    rollback: { ...(input.journal && { journal: input.journal.path }), leftInPlace },
    summary: { create: 0, update: count('update'), delete: count('delete'), unchanged: 0, blocked: 0 },
  });
}
