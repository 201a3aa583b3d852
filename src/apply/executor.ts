// Runs plan steps against AWS in dependency order, independent steps
// concurrently, recording every step in the journal before and after it is
// sent. A re-run skips what the journal marks done and adopts what a crashed
// run created, so nothing is created twice.
import pLimit, { type LimitFunction } from 'p-limit';
import { accountOfArn } from '../aws/accounts.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import type { TaskDefinition } from '../core/estate.js';
import type { Plan, PlanStep } from '../core/plan/model.js';
import { resolveRefs } from '../core/plan/refs.js';
import { REDACTED } from '../core/redact.js';
import { restoreSecrets } from '../core/restore-secrets.js';
import { registrationInput, type RegisterTaskDefinitionInput } from '../core/task-definition-input.js';
import { isSubset } from '../util/subset.js';
import { createDeploymentWatch, type DeploymentWatch } from './deployment-watch.js';
import { JournalSaveError, type CreatedResource, type JournalStore } from './journal.js';
import { awaitShareAccess, type ShareAccess } from './share-access.js';
import type { WaitOptions } from './wait.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface StepFailure {
  step: PlanStep;
  error: unknown;
}

export interface ExecutionContext {
  /** The caller of a step's account. */
  callerOf: (account: string | undefined) => AwsCaller;
  plan: Plan;
  store: JournalStore;
  /** Outputs of steps run so far (or recorded in the journal), for output references. */
  outputs: Map<string, unknown>;
  /** The task definitions the plan was computed from, with their real environment values. */
  sourceTaskDefinitions: Record<string, TaskDefinition>;
  concurrency: number;
  /** One limit of `concurrency` AWS operations shared by several runs of steps (apply's services in flight); each run its own without it. */
  limit?: LimitFunction;
  onStep?: (step: PlanStep, status: 'start' | 'done' | 'adopted' | 'failed', detail?: string) => void;
  /** A step that waits (for RAM to show an invitation) says how it stands. */
  onWait?: (step: PlanStep, line: string) => void;
  /** How long a step that awaits its deployment waits, how often it looks, and where it reports. */
  deploymentWait?: WaitOptions;
  /** Where steps that await their deployment wait, polled with the other services' deployments; their own watch without it. */
  watch?: DeploymentWatch;
}

const APP_MESH_NAME_FIELDS: Record<string, string[]> = {
  Mesh: ['meshName'],
  VirtualNode: ['meshName', 'virtualNodeName'],
  VirtualService: ['meshName', 'virtualServiceName'],
  VirtualRouter: ['meshName', 'virtualRouterName'],
  Route: ['meshName', 'virtualRouterName', 'routeName'],
};

/** What names an App Mesh resource: its names, and the mesh owner when another account shared the mesh (App Mesh answers NotFound without it). */
function appMeshIdentity(kind: string, input: Raw): Record<string, string> {
  return {
    ...Object.fromEntries(APP_MESH_NAME_FIELDS[kind]!.map((f) => [f, String(input[f])])),
    ...(typeof input.meshOwner === 'string' && { meshOwner: input.meshOwner }),
  };
}

function appMeshKind(operation: string): string | undefined {
  const kind = operation.replace(/^(Create|Update)/, '');
  return APP_MESH_NAME_FIELDS[kind] ? kind : undefined;
}

/** A revision a crashed run registered from this very input, if there is one. */
async function findRegistered(aws: AwsCaller, input: RegisterTaskDefinitionInput, sourceRevision: number): Promise<Raw | undefined> {
  const listed = await aws.call<Raw>('ecs', 'ListTaskDefinitions', { familyPrefix: input.family, sort: 'DESC', maxResults: 10 });
  const revision = (arn: string) => Number(arn.split(':').pop());
  // Newest first, whatever order the endpoint returned them in.
  const newer = ((listed.taskDefinitionArns ?? []) as string[]).filter((arn) => revision(arn) > sourceRevision).sort((a, b) => revision(b) - revision(a));
  for (const arn of newer) {
    const found = await aws.call<Raw>('ecs', 'DescribeTaskDefinition', { taskDefinition: arn, include: ['TAGS'] });
    const registered = registrationInput({ ...found.taskDefinition, tags: found.tags ?? [] } as TaskDefinition);
    if (isSubset(input, registered)) return found;
  }
  return undefined;
}

/** The resource an earlier attempt already created, for creates that report a conflict. */
async function adoptExisting(aws: AwsCaller, step: PlanStep, input: Raw): Promise<unknown | undefined> {
  const kind = appMeshKind(step.operation);
  if (step.service === 'appmesh' && kind) {
    return aws.call('appmesh', `Describe${kind}`, appMeshIdentity(kind, input));
  }
  if (step.service === 'ram' && step.operation === 'CreateResourceShare') {
    const listed = await aws.call<Raw>('ram', 'GetResourceShares', { resourceOwner: 'SELF', name: input.name, resourceShareStatus: 'ACTIVE' });
    const existing = ((listed.resourceShares ?? []) as Raw[])[0];
    return existing ? { resourceShare: existing } : undefined;
  }
  if (step.service === 'servicediscovery' && /^Create(Http|PrivateDns)Namespace$/.test(step.operation)) {
    const listed = await aws.call<Raw>('servicediscovery', 'ListNamespaces', { MaxResults: 100 });
    const existing = ((listed.Namespaces ?? []) as Raw[]).find((n) => n.Name === input.Name);
    return existing ? { NamespaceId: existing.Id } : undefined;
  }
  if (step.service === 'ecs' && step.operation === 'CreateService') {
    const described = await aws.call<Raw>('ecs', 'DescribeServices', { cluster: input.cluster, services: [input.serviceName] });
    const existing = ((described.services ?? []) as Raw[]).find((s) => s.status === 'ACTIVE');
    return existing ? { service: existing } : undefined;
  }
  if (step.service === 'elbv2' && step.operation === 'CreateTargetGroup') {
    const described = await aws.call<Raw>('elbv2', 'DescribeTargetGroups', { Names: [input.Name] })
      .catch((error: unknown) => { if (error instanceof AwsCallError && /TargetGroupNotFound/.test(error.code)) return { TargetGroups: [] }; throw error; });
    const existing = ((described.TargetGroups ?? []) as Raw[]).find((g) => g.VpcId === input.VpcId);
    return existing ? { TargetGroups: [existing] } : undefined;
  }
  if (step.service === 'servicediscovery' && step.operation === 'CreateService') {
    const listed = await aws.call<Raw>('servicediscovery', 'ListServices', {
      Filters: [{ Name: 'NAMESPACE_ID', Values: [input.NamespaceId], Condition: 'EQ' }], MaxResults: 100,
    });
    const existing = ((listed.Services ?? []) as Raw[]).find((s) => s.Name === input.Name);
    return existing ? { Service: existing } : undefined;
  }
  return undefined;
}

function createdResource(step: PlanStep, input: Raw, output: Raw): CreatedResource | undefined {
  // A copied step-scaling alarm: rollback deletes it (the twin's policies and scheduled actions go with its scalable target).
  if (step.service === 'cloudwatch' && step.operation === 'PutMetricAlarm') {
    return { step: step.id, service: 'cloudwatch', kind: 'MetricAlarm', identity: { AlarmName: String(input.AlarmName) }, ecsService: step.ecsService };
  }
  if (!step.operation.startsWith('Create') && step.operation !== 'RegisterScalableTarget') return undefined;
  if (step.service === 'ecs' && step.operation === 'CreateService') {
    return { step: step.id, service: 'ecs', kind: 'EcsService', identity: { cluster: String(input.cluster), service: String(input.serviceName) }, ecsService: step.ecsService };
  }
  if (step.service === 'ram' && step.operation === 'CreateResourceShare') {
    return { step: step.id, service: 'ram', kind: 'ResourceShare', identity: { resourceShareArn: String(output.resourceShare?.resourceShareArn) } };
  }
  if (step.service === 'servicediscovery' && /^Create(Http|PrivateDns)Namespace$/.test(step.operation)) {
    return { step: step.id, service: 'servicediscovery', kind: 'Namespace', identity: { Id: String(output.NamespaceId) } };
  }
  if (step.service === 'application-autoscaling' && step.operation === 'RegisterScalableTarget') {
    return { step: step.id, service: 'application-autoscaling', kind: 'ScalableTarget', identity: { ServiceNamespace: String(input.ServiceNamespace), ResourceId: String(input.ResourceId), ScalableDimension: String(input.ScalableDimension) }, ecsService: step.ecsService };
  }
  if (step.service === 'elbv2' && step.operation === 'CreateTargetGroup') {
    return { step: step.id, service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: String(output.TargetGroups?.[0]?.TargetGroupArn) }, ecsService: step.ecsService };
  }
  const kind = appMeshKind(step.operation);
  if (step.service === 'appmesh' && kind) {
    return { step: step.id, service: 'appmesh', kind, identity: appMeshIdentity(kind, input), ecsService: step.ecsService };
  }
  if (step.service === 'servicediscovery') {
    return { step: step.id, service: 'servicediscovery', kind: 'Service', identity: { Id: String(output.Service?.Id) }, ecsService: step.ecsService };
  }
  return undefined;
}

/** How long apply waits for RAM to show a consumer its invitation or association, and how often it looks. */
const SHARE_ACCESS_WAIT = { timeoutMs: 5 * 60_000, pollMs: 5_000 };

/**
 * The consumer accepts the invitation to a share, or finds it associated
 * without one (inside one AWS Organization): the plan names the share; its
 * invitation exists only once the share does, and not at once.
 */
async function acceptInvitation(step: PlanStep, ctx: ExecutionContext, resourceShareArn: string): Promise<ShareAccess> {
  const consumer = ctx.callerOf(step.account);
  const owner = ctx.callerOf(accountOfArn(resourceShareArn) || undefined);
  return awaitShareAccess({ consumer, owner }, resourceShareArn, step.account ?? ctx.plan.account, {
    ...SHARE_ACCESS_WAIT, onWait: (line) => ctx.onWait?.(step, line),
  });
}

// AWS says ConflictException / ServiceAlreadyExists; some endpoints name the conflict (…NameAlreadyTaken).
/** Cloud Map namespaces are created asynchronously: the operation names the namespace once it succeeds. */
async function namespaceOperationTarget(aws: AwsCaller, operationId: string): Promise<string> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const out = await aws.call<Raw>('servicediscovery', 'GetOperation', { OperationId: operationId });
    const operation = out.Operation as Raw | undefined;
    if (operation?.Status === 'SUCCESS') return String(operation.Targets?.NAMESPACE);
    if (operation?.Status === 'FAIL') throw new Error(`Cloud Map operation ${operationId} failed: ${operation.ErrorMessage ?? operation.ErrorCode}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`Cloud Map operation ${operationId} did not finish within 2 minutes`);
}

const CONFLICT = /Conflict|AlreadyExists|AlreadyTaken|not idempotent/i;

function withDates(input: Raw, fields: string[]): Raw {
  return { ...input, ...Object.fromEntries(fields.filter((f) => typeof input[f] === 'string' || typeof input[f] === 'number').map((f) => [f, new Date(input[f])])) };
}

/** What sending a step came to: finish it with this output, once its deployment ended well where it awaits one. */
interface Sent {
  input: Raw;
  output: Raw;
  how: 'done' | 'adopted';
  ours?: boolean;
  detail?: string;
  awaitDeployment?: boolean;
}

/** Sends the step (or finds what a killed run sent); nothing when the journal says it is done. */
async function sendStep(step: PlanStep, ctx: ExecutionContext): Promise<Sent | undefined> {
  const { store, outputs } = ctx;
  const aws = ctx.callerOf(step.account);
  const record = store.step(step.id);
  if (record.status === 'done') {
    outputs.set(step.id, record.output);
    return undefined;
  }
  const resumedMidCall = record.status === 'running';
  let input = resolveRefs(step.input, outputs) as Raw;
  // A plan is JSON: the SDK takes timestamps as Dates (a copied scheduled action's window).
  if (step.operation === 'PutScheduledAction') input = withDates(input, ['StartTime', 'EndTime']);

  if (step.operation === 'RegisterTaskDefinition') {
    // Masked secret values come back from the revision the input was rewritten from (read only when there are some).
    if (JSON.stringify(input).includes(REDACTED)) {
      const source = ctx.sourceTaskDefinitions[step.sourceTaskDefinition ?? ''];
      if (!source) throw new Error(`step ${step.id}: the source revision ${step.sourceTaskDefinition} was not read`);
      input = restoreSecrets(input as RegisterTaskDefinitionInput, source);
    }
    if (resumedMidCall) {
      const sourceRevision = Number(String(step.sourceTaskDefinition ?? '').split(':').pop()) || 0;
      const found = await findRegistered(aws, input as RegisterTaskDefinitionInput, sourceRevision);
      if (found) return { input, output: found, how: 'adopted' };
    }
  }

  // A deregistration the killed run sent may have landed: ECS keeps the revision, INACTIVE.
  if (resumedMidCall && step.operation === 'DeregisterTaskDefinition') {
    const found = await aws.call<Raw>('ecs', 'DescribeTaskDefinition', { taskDefinition: input.taskDefinition });
    if (found.taskDefinition?.status === 'INACTIVE') return { input, output: { taskDefinition: found.taskDefinition }, how: 'adopted' };
  }

  // A create the killed run sent may have landed: take what it made rather than make another.
  if (resumedMidCall && step.operation.startsWith('Create')) {
    const existing = await adoptExisting(aws, step, input).catch(() => undefined);
    // The killed run of this journal made it: rollback may delete it.
    if (existing) return { input, output: existing as Raw, how: 'adopted', ours: true };
  }

  // A step that awaits its deployment: a killed run may have sent it already; then only the wait is left.
  if (resumedMidCall && step.awaits) {
    const sent = await alreadySent(aws, step, input);
    if (sent) return { input, output: sent, how: 'adopted', awaitDeployment: true };
  }

  // Never mutate without a durable record: the step is marked running in the state before it is sent.
  const before = record.status;
  record.status = 'running';
  try {
    await store.save();
  } catch (error) {
    record.status = before;
    throw error;
  }
  ctx.onStep?.(step, 'start');
  let output: Raw;
  try {
    if (step.operation === 'AcceptResourceShareInvitation') {
      const access = await acceptInvitation(step, ctx, String(input.resourceShareArn));
      return { input, output: { ...access.output, how: access.how }, how: 'done', ours: true, detail: access.detail };
    }
    output = await aws.call<Raw>(step.service, step.operation, input);
    if (/^Create(Http|PrivateDns)Namespace$/.test(step.operation)) output = { ...output, NamespaceId: await namespaceOperationTarget(aws, String(output.OperationId)) };
  } catch (error) {
    // A deletion that finds nothing to delete has nothing left to do.
    if (step.operation.startsWith('Delete') && error instanceof AwsCallError && /NotFound/.test(error.code)) return { input, output: {}, how: 'adopted' };
    const conflict = error instanceof AwsCallError && (CONFLICT.test(error.code) || (step.operation === 'CreateService' && CONFLICT.test(error.message)));
    const adopted = conflict ? await adoptExisting(aws, step, input) : undefined;
    if (!adopted) throw error;
    return { input, output: adopted as Raw, how: 'adopted' };
  }
  return { input, output, how: 'done', awaitDeployment: !!step.awaits };
}

/**
 * Sends the step within the limit, then waits for the deployment it started
 * outside it (a canary baking for an hour holds no slot the other services'
 * calls need), and only then records it done.
 */
async function executeStep(step: PlanStep, ctx: ExecutionContext, limit: LimitFunction): Promise<void> {
  const sent = await limit(() => sendStep(step, ctx));
  if (!sent) return;
  if (sent.awaitDeployment) await awaitDeployment(step, ctx, sent.input, sent.output);
  await finish(step, ctx, sent.input, sent.output, sent.how, sent.ours ?? sent.how === 'done', sent.detail);
}

/** What a killed run's call left: the service already configured as the input says, or the deployment already stopping. */
async function alreadySent(aws: AwsCaller, step: PlanStep, input: Raw): Promise<Raw | undefined> {
  if (step.operation === 'StopServiceDeployment') {
    const out = await aws.call<Raw>('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: [input.serviceDeploymentArn] });
    const status = ((out.serviceDeployments ?? []) as Raw[])[0]?.status;
    return status && !['PENDING', 'IN_PROGRESS'].includes(status) ? { serviceDeploymentArn: input.serviceDeploymentArn } : undefined;
  }
  if (step.operation !== 'UpdateService') return undefined;
  const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster: input.cluster, services: [input.service] });
  const service = ((out.services ?? []) as Raw[])[0];
  const { cluster: _c, service: _s, ...wanted } = input;
  return service && isSubset(wanted, service) ? { service } : undefined;
}

/**
 * Waits for the deployment the step started: a rolling one (the service's
 * PRIMARY deployment on its revision, COMPLETED), or an ECS-managed one
 * (its service deployment; for StopServiceDeployment, its rollback).
 */
async function awaitDeployment(step: PlanStep, ctx: ExecutionContext, input: Raw, output: Raw): Promise<void> {
  const watch = ctx.watch ?? createDeploymentWatch(ctx.callerOf, ctx.deploymentWait ?? { timeoutMs: 15 * 60_000, pollMs: 10_000 });
  const label = step.ecsService ?? step.id;
  const service = (output.service ?? {}) as Raw;
  const where = { label, cluster: String(input.cluster ?? ''), service: String(input.service ?? ''), ...(step.account && { account: step.account }) };
  const deployment = input.serviceDeploymentArn ?? service.currentServiceDeployment;
  const result = step.awaits === 'rollout'
    ? await watch.watch({ kind: 'rollout', ...where, taskDefinition: String(service.taskDefinition) })
    : await watch.watch({ kind: 'service-deployment', ...where, expect: step.operation === 'StopServiceDeployment' ? 'rollback' : 'forward', ...(typeof deployment === 'string' && { arn: deployment }) });
  // The deployment the step started (or stopped) did not end well: the step fails, and the steps after it wait.
  if (result.outcome !== 'completed') throw new Error(`the deployment it started ${result.outcome === 'timeout' ? 'timed out' : result.outcome}: ${result.reason ?? ''}`.trim());
}

async function finish(step: PlanStep, ctx: ExecutionContext, input: Raw, output: Raw, how: 'done' | 'adopted', ours = how === 'done', detail?: string): Promise<void> {
  const record = ctx.store.step(step.id);
  record.status = 'done';
  record.output = output;
  delete record.error;
  ctx.outputs.set(step.id, output);
  const created = createdResource(step, input, output);
  if (created && ours) ctx.store.journal.created.push({ ...created, ...(step.account && { account: step.account }) });
  if (step.service === 'elbv2' && step.operation.startsWith('Modify') && step.before !== undefined) {
    const key = step.operation === 'ModifyRule' ? { RuleArn: input.RuleArn, Actions: step.before } : { ListenerArn: input.ListenerArn, DefaultActions: step.before };
    (ctx.store.journal.restores ??= []).push({ step: step.id, service: 'elbv2', operation: step.operation, input: key, ecsService: step.ecsService, ...(step.account && { account: step.account }) });
  }
  if (step.service === 'ecs' && (step.operation === 'UpdateService' || step.operation === 'CreateService') && step.ecsService) {
    const service = ctx.store.journal.services[step.ecsService];
    if (service) {
      service.newTaskDefinition = (output.service as Raw | undefined)?.taskDefinition ?? service.newTaskDefinition;
      if (step.operation === 'CreateService') service.greenService = String(input.serviceName);
      // The deployment ECS runs for an ECS-managed move: apply and status follow it, rollback stops it.
      const deployment = (output.service as Raw | undefined)?.currentServiceDeployment;
      const strategy = (input.deploymentConfiguration as Raw | undefined)?.strategy;
      if (typeof deployment === 'string' && strategy && strategy !== 'ROLLING') service.serviceDeployment = deployment;
      service.state = 'updated';
    }
  }
  await ctx.store.save();
  ctx.onStep?.(step, how, detail);
}

/**
 * Runs the steps as a dependency graph. A failed step skips the steps that
 * depend on it; independent steps go on. Dependencies outside `steps` must
 * already be done (in ctx.outputs). A journal that cannot be saved stops
 * everything: no step is sent after it (each is saved as running first), the
 * steps in flight finish, and the save's error is thrown.
 */
export async function runSteps(steps: PlanStep[], ctx: ExecutionContext): Promise<StepFailure[]> {
  const limit = ctx.limit ?? pLimit(ctx.concurrency);
  const failures: StepFailure[] = [];
  let unsaved: JournalSaveError | undefined;
  const settled = new Map<string, Promise<boolean>>();
  const byId = new Map(steps.map((s) => [s.id, s]));

  const run = (step: PlanStep): Promise<boolean> => {
    let promise = settled.get(step.id);
    if (promise) return promise;
    promise = (async () => {
      const deps = await Promise.all(step.dependsOn.map((id) => {
        const dep = byId.get(id);
        return dep ? run(dep) : Promise.resolve(ctx.outputs.has(id));
      }));
      if (deps.some((ok) => !ok)) {
        ctx.store.step(step.id).status = 'skipped';
        return false;
      }
      try {
        await executeStep(step, ctx, limit);
        return true;
      } catch (error) {
        if (error instanceof JournalSaveError) {
          unsaved ??= error;
          return false;
        }
        const record = ctx.store.step(step.id);
        record.status = 'failed';
        record.error = error instanceof AwsCallError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
        if (step.ecsService && ctx.store.journal.services[step.ecsService]) {
          Object.assign(ctx.store.journal.services[step.ecsService]!, { state: 'failed', message: record.error });
        }
        failures.push({ step, error });
        ctx.onStep?.(step, 'failed', record.error);
        await ctx.store.save().catch((saveError: unknown) => { unsaved ??= saveError as JournalSaveError; });
        return false;
      }
    })();
    settled.set(step.id, promise);
    return promise;
  };

  await Promise.all(steps.map(run));
  if (unsaved) throw unsaved;
  await ctx.store.save();
  return failures;
}
