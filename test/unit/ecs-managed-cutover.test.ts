// The ECS-managed cut-over as pure data: which services get it and why, the
// steps of its plan (valid against the SDK's models, in the order AWS
// requires), its rollback, and the capacity a full second set of tasks takes.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../src/apply/executor.js';
import { JournalStore } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';
import type { AwsCaller } from '../../src/aws/caller.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { loadConfig } from '../../src/config/config.js';
import { openSession } from '../../src/aws/session.js';
import { cpuMemoryHeadroom } from '../../src/core/checks/cpu-memory-headroom.js';
import { eniCapacity } from '../../src/core/checks/eni-capacity.js';
import { chooseStrategy, DEFAULT_CUTOVER, type CutoverContext } from '../../src/core/cutover/ecs-strategy.js';
import type { EdgeForward, EdgeState } from '../../src/core/edge.js';
import type { Estate, Service } from '../../src/core/estate.js';
import { planRollback } from '../../src/core/plan/rollback.js';
import { serviceDeploymentOutcome } from '../../src/core/service-deployment.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { computePlan } from '../../src/planning/migration.js';
import { container, estate, instance, service, taskDefinition } from '../support/estate-builder.js';
import { validateInput } from '../support/sdk-shapes.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1';
const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3';
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/1/2';
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';
const forward = (kind: EdgeForward['kind'], arn: string, actions: Record<string, unknown>[] = [{ Type: 'forward', TargetGroupArn: TG }]): EdgeForward => ({ kind, arn, targetGroupArn: TG, actions });
const edgeWith = (...forwards: EdgeForward[]): EdgeState => ({ targetGroups: { [TG]: { arn: TG, name: 'web', protocol: 'HTTP', port: 8080, vpcId: 'vpc-1', healthCheck: {}, attributes: {} } }, forwards });
const behindLb = (overrides: Partial<Service> = {}) => service(taskDefinition(), { loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }], ...overrides });
const ctx = (edge: EdgeState, settings: Partial<CutoverContext['settings']> = {}, role: CutoverContext['role'] = { arn: ROLE, exists: true, trustsEcs: true }): CutoverContext =>
  ({ settings: { ...DEFAULT_CUTOVER, infrastructureRoleArn: ROLE, ...settings }, edge, ...(role && { role }) });

describe('which cut-over a service leaving App Mesh gets', () => {
  it('ECS canary by default where it applies: ECS controller, one rule to name, a role ECS trusts', () => {
    const choice = chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE))));
    expect(choice).toMatchObject({ strategy: 'ecs-canary', production: { arn: RULE }, why: expect.stringContaining('keeps its name') });
  });

  it('the twin for the rest, saying why: no role configured, no load balancer, a listener default forwarding too', () => {
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE)), { infrastructureRoleArn: undefined }, undefined)))
      .toMatchObject({ strategy: 'blue-green', why: expect.stringContaining('no infrastructure role is configured') });
    expect(chooseStrategy(service(taskDefinition()), ctx(edgeWith()))).toMatchObject({ strategy: 'blue-green', why: expect.stringContaining('behind no load balancer') });
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE), forward('listener', LISTENER)))))
      .toMatchObject({ strategy: 'blue-green', why: expect.stringContaining('default action forwards to target group web too') });
  });

  it('blocks an ECS strategy asked for that cannot run, and a configured role that is missing or not trusted by ECS', () => {
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('listener', LISTENER)), { requested: 'ecs-linear' })))
      .toMatchObject({ blocked: { message: expect.stringContaining('by its default action only: there is no listener rule to name'), hint: expect.stringContaining(`aws elbv2 create-rule --listener-arn ${LISTENER}`) } });
    expect(chooseStrategy(behindLb({ deploymentController: 'CODE_DEPLOY' }), ctx(edgeWith(forward('rule', RULE)), { requested: 'ecs-canary' })))
      .toMatchObject({ blocked: { message: expect.stringContaining('deployment controller is CODE_DEPLOY') } });
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE)), {}, { arn: ROLE, exists: false, trustsEcs: false })))
      .toMatchObject({ blocked: { hint: expect.stringContaining('aws iam create-role --role-name ecsInfrastructureRoleForLoadBalancers') } });
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE)), {}, { arn: ROLE, exists: true, trustsEcs: false })))
      .toMatchObject({ blocked: { message: expect.stringContaining('does not trust ecs.amazonaws.com'), hint: expect.stringContaining('aws iam update-assume-role-policy') } });
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('rule', RULE, [{ Type: 'authenticate-oidc' }, { Type: 'forward', TargetGroupArn: TG }])), { requested: 'ecs-canary' })))
      .toMatchObject({ blocked: { message: expect.stringContaining('mixes forward with other actions') } });
  });

  it('names an NLB listener itself as the production listener', () => {
    const nlb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/shop/1/2';
    expect(chooseStrategy(behindLb(), ctx(edgeWith(forward('listener', nlb))))).toMatchObject({ strategy: 'ecs-canary', production: { arn: nlb } });
  });
});

describe('capacity for an ECS-managed move: a full second set of tasks', () => {
  const appMeshTd = () => taskDefinition({
    requiresCompatibilities: ['EC2'], cpu: '1024', memory: '1024',
    containerDefinitions: [container({ cpu: 512, memory: 512 }), container({ name: 'envoy', image: 'envoy', cpu: 256, memory: 256, environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualNode/web' }] })],
  });
  const subject = (est: Estate, withCutover: boolean) => {
    const cluster = est.clusters[0]!;
    const svc = cluster.services[0]!;
    return { estate: est, cluster, service: svc, taskDefinition: est.taskDefinitions[svc.taskDefinitionArn]!, target: 'service-connect' as const, sizing: DEFAULT_SIDECAR_SIZING, ...(withCutover && { cutover: ctx(edgeWith(forward('rule', RULE))) }) };
  };

  it('counts desiredCount extra ENIs (maximumPercent 100 allows none for a rolling move)', () => {
    const td = appMeshTd();
    const est = estate({ services: [[behindLb({ launchType: 'EC2', maximumPercent: 100, minimumHealthyPercent: 50, taskDefinitionArn: td.taskDefinitionArn }), td]], cluster: { containerInstances: [instance(), instance()] } });
    const rolling = eniCapacity.check(subject(est, false))[0]!;
    const managed = eniCapacity.check(subject(est, true))[0]!;
    expect(rolling.message).toContain('+ 0 surge (maximumPercent 100)');
    expect(managed.message).toContain('+ 2 surge (a full second set of tasks: effectively maximumPercent 200)');
    expect(managed.message).toMatch(/^ecs-canary deployment peaks at 4 of 4/);
  });

  it('is an error when the instances cannot hold the second set at once', () => {
    const td = appMeshTd();
    const full = instance({ remaining: { cpu: 1100, memory: 1100 } });
    const est = estate({ services: [[behindLb({ launchType: 'EC2', desiredCount: 2, maximumPercent: 200, taskDefinitionArn: td.taskDefinitionArn }), td]], cluster: { containerInstances: [full] } });
    const surge = cpuMemoryHeadroom.check(subject(est, true)).find((f) => f.message.includes('new task(s)'))!;
    expect(surge).toMatchObject({ severity: 'error', message: expect.stringContaining('ecs-canary deployment (a full second set of tasks: effectively maximumPercent 200) starts 2 new task(s)') });
  });
});

describe('the plan of an ECS-managed move (demo fixtures, with the demo\'s meshctl.yaml)', async () => {
  const settings = await loadConfig('fixtures/demo/meshctl.yaml');
  const session = await openSession({ fixtures: 'fixtures/demo', allowMutations: false, accounts: settings.accounts });
  const { plan } = await computePlan(session, settings, { target: 'service-connect', canaryPercent: '10', deploymentAlarm: ['shop-5xx'] });
  const own = plan.steps.filter((s) => s.ecsService === 'legacy-mesh/promotions');

  it('creates the alternate group, weights the production rule, sets advancedConfiguration and waits, then one UpdateService with the strategy', () => {
    expect(own.map((s) => `${s.operation}${s.awaits ? ` (awaits ${s.awaits})` : ''}`)).toEqual([
      'RegisterTaskDefinition', 'CreateTargetGroup', 'ModifyTargetGroupAttributes', 'ModifyRule', 'UpdateService (awaits rollout)', 'UpdateService',
    ]);
    const [, create, , weights, prepare, move] = own;
    expect(weights!.dependsOn).toEqual([create!.id, own[2]!.id]);
    expect(prepare!.input.loadBalancers).toEqual([expect.objectContaining({
      advancedConfiguration: { alternateTargetGroupArn: { $ref: create!.id, path: 'TargetGroups.0.TargetGroupArn' }, productionListenerRule: weights!.input.RuleArn, roleArn: settings.cutover.infrastructureRoleArn },
    })]);
    expect(move!.dependsOn).toEqual(expect.arrayContaining([own[0]!.id, prepare!.id]));
    expect(move!.input.deploymentConfiguration).toMatchObject({
      strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 }, bakeTimeInMinutes: 15,
      alarms: { alarmNames: ['promotions-5xx', 'shop-5xx'], enable: true, rollback: true },
    });
    expect(plan.services.find((s) => s.service === 'promotions')!.serviceConnect).toMatchObject({ strategy: 'ecs-canary', why: expect.stringContaining('keeps its name') });
    expect(plan.services.find((s) => s.service === 'pricing')!.serviceConnect).toMatchObject({ strategy: 'blue-green', greenService: 'pricing-sc' });
  });

  it('validates every planned input against the SDK\'s models', () => {
    const refFree = (v: unknown): unknown => (v && typeof v === 'object' && '$ref' in (v as object) ? 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1'
      : Array.isArray(v) ? v.map(refFree) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, refFree(x)])) : v);
    for (const step of own) expect(validateInput(step.service, step.operation, refFree(step.input)), step.id).toEqual([]);
  });
});

describe('rollback of an ECS-managed move', () => {
  const td = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
  const live = behindLb({ taskDefinitionArn: td(2), settings: { deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5 }, alarms: { alarmNames: ['a'], enable: true, rollback: true } } } });
  const entry = {
    cluster: 'c', service: live.name, serviceArn: live.arn, previousTaskDefinition: td(1), previousServiceRegistries: [], newTaskDefinition: td(2), state: 'stable' as const,
    cutover: 'ecs-canary', previousDeploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 }, previousLoadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }],
  };
  const rollback = (inProgress?: string) => planRollback({
    region: 'us-east-1', account: '123456789012', createdAt: 'now', moves: [], greens: [], edgeActions: {}, alreadyBack: [], keepRevision: false, removeMeshResources: false, notes: [],
    managed: [{ label: `c/${live.name}`, live, entry, configChanged: true, ...(inProgress && { inProgress }) }],
  });

  it('in mid-deployment: stops it with rollback and waits, then restores the strategy and load balancers', () => {
    const plan = rollback('arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/1');
    expect(plan.steps.map((s) => `${s.operation}:${s.awaits ?? ''}`)).toEqual(['StopServiceDeployment:service-deployment', 'UpdateService:rollout', 'DeregisterTaskDefinition:']);
    expect(plan.steps[0]!.input).toEqual({ serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/1', stopType: 'ROLLBACK' });
    expect(plan.steps[1]!.input).toMatchObject({ deploymentConfiguration: { strategy: 'ROLLING', maximumPercent: 200 }, loadBalancers: entry.previousLoadBalancers });
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, step.input), step.id).toEqual([]);
  });

  it('after it: back by an ECS blue/green deployment at once, alarms off, then the rest', () => {
    const plan = rollback();
    const back = plan.steps[0]!;
    expect(back).toMatchObject({ operation: 'UpdateService', awaits: 'service-deployment', input: { taskDefinition: td(1), serviceConnectConfiguration: { enabled: false } } });
    expect(back.input.deploymentConfiguration).toEqual({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, alarms: { alarmNames: ['a'], enable: false, rollback: false } });
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, step.input), step.id).toEqual([]);
  });
});

describe('an ECS service deployment, as apply and status read it', () => {
  it('in progress with its stage and traffic, done, or rolled back naming the alarm', () => {
    expect(serviceDeploymentOutcome({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { requestedProductionTrafficWeight: 10, runningTaskCount: 2, requestedTaskCount: 2 } }))
      .toEqual({ state: 'in-progress', stage: 'PRODUCTION_TRAFFIC_SHIFT', traffic: 10, running: 2, desired: 2 });
    expect(serviceDeploymentOutcome({ status: 'SUCCESSFUL' })).toEqual({ state: 'completed' });
    expect(serviceDeploymentOutcome({ status: 'ROLLBACK_SUCCESSFUL', alarms: { triggeredAlarmNames: ['web-5xx'] } }))
      .toEqual({ state: 'failed', reason: 'alarm web-5xx went into ALARM; ECS rolled back to the previous revision (ROLLBACK_SUCCESSFUL)' });
    expect(serviceDeploymentOutcome({ status: 'ROLLBACK_SUCCESSFUL' }, 'rollback')).toEqual({ state: 'completed' });
  });
});

describe('a step that awaits its deployment', () => {
  const TD1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
  const lbs = [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080, advancedConfiguration: { alternateTargetGroupArn: 'alt', productionListenerRule: RULE, roleArn: ROLE } }];
  const prepare: PlanStep = { id: 'ecs-service-load-balancer:c/web', service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [], ecsService: 'c/web', awaits: 'rollout', resource: 'web', input: { cluster: 'c', service: 'web', loadBalancers: lbs } };
  const move: PlanStep = { id: 'ecs-service:c/web', service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [prepare.id], ecsService: 'c/web', resource: 'web', input: { cluster: 'c', service: 'web', taskDefinition: 'web:2' } };
  const described = (rolloutState: string) => ({ services: [{ serviceName: 'web', status: 'ACTIVE', taskDefinition: TD1, loadBalancers: lbs, desiredCount: 2, runningCount: 2, deployments: [{ id: 'd', status: 'PRIMARY', taskDefinition: TD1, desiredCount: 2, runningCount: 2, rolloutState }], events: [] }] });
  async function run(status: 'running' | 'pending', rolloutState: string) {
    const sent: string[] = [];
    const aws: AwsCaller = {
      async call<T>(_service: string, operation: string): Promise<T> {
        sent.push(operation);
        return (operation === 'DescribeServices' ? described(rolloutState) : operation === 'UpdateService' ? { service: described(rolloutState).services[0] } : {}) as T;
      },
    };
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-awaits-'));
    const store = new JournalStore({ state: localState(dir), name: 'journal.json' }, { formatVersion: 1, tool: 'meshctl', planFingerprint: 'p', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '', services: {}, steps: { [prepare.id]: { status } }, created: [] });
    const plan = { steps: [prepare] } as Plan;
    const failures = await runSteps([prepare, move], { callerOf: () => aws, plan, store, outputs: new Map(), sourceTaskDefinitions: {}, concurrency: 2, deploymentWait: { timeoutMs: 60_000, pollMs: 1000, sleep: async () => undefined } });
    return { sent, failures, store };
  }

  it('waits for the rolling deployment it starts before the next step', async () => {
    const { sent, failures } = await run('pending', 'COMPLETED');
    expect(failures).toEqual([]);
    expect(sent).toEqual(['UpdateService', 'DescribeServices', 'UpdateService']);
  });

  it('fails, and the next step waits, when that deployment fails', async () => {
    const { sent, failures, store } = await run('pending', 'FAILED');
    expect(failures.map((f) => `${f.step.id}: ${(f.error as Error).message}`)).toEqual(['ecs-service-load-balancer:c/web: the deployment it started failed: rollout FAILED']);
    expect(sent).toEqual(['UpdateService', 'DescribeServices']);
    expect(store.journal.steps[move.id]!.status).toBe('skipped');
  });

  it('resumed after a crash mid-call: only waits when the killed run already sent it', async () => {
    const { sent, failures } = await run('running', 'COMPLETED');
    expect(failures).toEqual([]);
    expect(sent).toEqual(['DescribeServices', 'DescribeServices', 'UpdateService']);
  });
});
