// The policy iam-policy prints lets every plan meshctl makes run to the end:
// every kind of plan (both targets, in-place and blue-green, one and two
// accounts, rollback, finalize, shift) is printed as iam-policy prints it,
// and each step's required actions (its own, dependent, tag-on-create,
// PassRole of every role in its input, the calls apply sends around it) are
// evaluated against the statements of the step's account.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { openSession } from '../../src/aws/session.js';
import { loadConfig } from '../../src/config/config.js';
import { planFinalize } from '../../src/core/cutover/finalize.js';
import { blueGreenPairs } from '../../src/core/cutover/pairs.js';
import { SHIFT_OPERATIONS, shiftOperations } from '../../src/core/cutover/shift-operations.js';
import { accountPolicies, iamPolicy, type StepsScope } from '../../src/core/iam-policy.js';
import { REQUIREMENTS } from '../../src/core/iam/requirements.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';
import { planRollback } from '../../src/core/plan/rollback.js';
import { computePlan, type MigrationSelection } from '../../src/planning/migration.js';
import { service, taskDefinition } from '../support/estate-builder.js';
import { concrete, deniedCalls, deniedSteps, type PrintedPolicy } from '../support/iam-check.js';
import { isAllowed } from '../support/iam-evaluator.js';

const A = '111111111111';
const B = '123456789012';

/** A plan from recorded fixtures through the planners, as meshctl plan makes it. */
async function fixturePlan(fixtures: string, selection: MigrationSelection, configFile?: string): Promise<Plan> {
  const settings = await loadConfig(configFile);
  const session = await openSession({ fixtures, allowMutations: false, accounts: settings.accounts });
  return (await computePlan(session, settings, selection)).plan;
}

const printed = (doc: unknown): PrintedPolicy => JSON.parse(JSON.stringify(doc)) as PrintedPolicy;

/** The printed policy of each account: one for a plan of one account, one per account over several. */
function policiesOf(scope: StepsScope & { accounts?: Record<string, string> }): (account: string) => PrintedPolicy {
  const ids = Object.keys(scope.accounts ?? {});
  if (ids.length < 2) {
    const only = printed(iamPolicy(scope));
    return () => only;
  }
  const byId = new Map(accountPolicies(ids.map((id) => ({ name: scope.accounts![id]!, id })), scope.account, scope).map((p) => [p.id!, printed(p.policy)]));
  return (account) => byId.get(account) ?? { Statement: [] };
}

const expectRuns = (scope: StepsScope & { accounts?: Record<string, string> }) => expect(deniedSteps(scope, policiesOf(scope))).toEqual([]);
const kinds = (plan: Plan) => [...new Set(plan.steps.map((s) => `${s.service} ${s.operation}`))].sort();

describe('the policy of every plan from the demo fixtures lets it run', () => {
  const plans: Record<string, Plan> = {};
  beforeAll(async () => {
    plans.blueGreen = await fixturePlan('fixtures/demo', { target: 'service-connect', strategy: 'blue-green' });
    plans.inPlace = await fixturePlan('fixtures/demo', { target: 'service-connect', strategy: 'in-place' });
    plans.appMesh = await fixturePlan('fixtures/demo', { target: 'appmesh' });
    plans.twoAccounts = await fixturePlan('fixtures/two-accounts', { target: 'service-connect' }, 'fixtures/two-accounts/meshctl.yaml');
    plans.twoAccountsAppMesh = await fixturePlan('fixtures/two-accounts', { target: 'appmesh' }, 'fixtures/two-accounts/meshctl.yaml');
  });

  it('Service Connect, blue-green: a tagged, autoscaled green twin, its target group and weighted rules', () => {
    expect(kinds(plans.blueGreen!)).toEqual(expect.arrayContaining(['ecs CreateService', 'application-autoscaling PutScalingPolicy', 'elbv2 CreateTargetGroup', 'elbv2 ModifyRule', 'elbv2 ModifyListener']));
    expect(plans.blueGreen!.steps.some((s) => s.operation === 'CreateService' && Array.isArray(s.input.tags) && s.input.tags.length > 0)).toBe(true);
    expectRuns(plans.blueGreen!);
  });

  it('Service Connect, in place', () => {
    expect(kinds(plans.inPlace!)).toEqual(['ecs RegisterTaskDefinition', 'ecs UpdateService']);
    expectRuns(plans.inPlace!);
  });

  it('App Mesh', () => {
    expect(kinds(plans.appMesh!)).toEqual(expect.arrayContaining(['appmesh CreateMesh', 'appmesh CreateVirtualNode', 'appmesh CreateVirtualService']));
    expectRuns(plans.appMesh!);
  });

  it('Service Connect over two accounts: the namespace shared, the consumer\'s service in it', () => {
    expect(kinds(plans.twoAccounts!)).toEqual(expect.arrayContaining(['ram CreateResourceShare', 'ram AcceptResourceShareInvitation', 'ecs UpdateService']));
    expectRuns(plans.twoAccounts!);
    // The consumer's service joins the provider's namespace: Cloud Map actions on it, in the consumer's policy.
    const consumer = policiesOf(plans.twoAccounts!)(B);
    const namespace = plans.twoAccounts!.steps.find((s) => s.operation === 'CreateResourceShare')!.input.resourceArns as string[];
    expect(isAllowed(consumer, { action: 'servicediscovery:CreateService', resource: namespace[0]! })).toBe(true);
    expect(isAllowed(policiesOf(plans.twoAccounts!)(A), { action: 'servicediscovery:PutResourcePolicy', resource: namespace[0]! })).toBe(true);
  });

  it('App Mesh over two accounts: the mesh and namespace shared, Cloud Map services in the namespace\'s account', () => {
    expect(kinds(plans.twoAccountsAppMesh!)).toEqual(expect.arrayContaining(['ram CreateResourceShare', 'servicediscovery CreateService', 'appmesh CreateVirtualNode']));
    expectRuns(plans.twoAccountsAppMesh!);
  });

  it('fails a step the policy would deny, naming the step, the action and the resource', () => {
    const plan = plans.blueGreen!;
    const doc = printed(iamPolicy(plan));
    const withoutTagging = { Statement: doc.Statement.filter((s) => s.Sid !== 'MeshctlTagServicesOnCreate') };
    expect(deniedSteps(plan, () => withoutTagging)).toEqual([
      expect.stringMatching(/^step ecs-green-service:legacy-mesh\/pricing \(ecs CreateService, account 123456789012\): ecs:TagResource on arn:aws:ecs:us-east-1:123456789012:service\/legacy-mesh\/pricing-sc \(\{"ecs:CreateAction":"CreateService"\}\) is denied$/),
    ]);
    // Another account's policy lets none of its steps run.
    const provider = plans.twoAccounts!.steps.find((s) => s.account === A && s.operation === 'UpdateService')!;
    expect(deniedCalls(provider, plans.twoAccounts!, policiesOf(plans.twoAccounts!)(B)).join('\n')).toContain(`ecs:UpdateService on arn:aws:ecs:us-east-1:${A}:service/pricing/pricing-api is denied`);
  });
});

const TD = (family: string, revision: number, account = B) => `arn:aws:ecs:us-east-1:${account}:task-definition/${family}:${revision}`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${B}:listener-rule/app/shop/1/2/3`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${B}:listener/app/shop/1/2`;
const BLUE_TG = `arn:aws:elasticloadbalancing:us-east-1:${B}:targetgroup/pricing/1`;
const GREEN_TG = `arn:aws:elasticloadbalancing:us-east-1:${B}:targetgroup/pricing-sc/2`;
const forwardTo = (...groups: [string, number][]) => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }];

/** An apply journal of a blue-green move, an in-place move in another account, and the mesh and Cloud Map resources apply created. */
const journal: Journal = {
  formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:apply', region: 'us-east-1', target: 'appmesh', mesh: 'shop', startedAt: '', updatedAt: '',
  services: {
    'legacy/pricing': { cluster: 'legacy', service: 'pricing', serviceArn: `arn:aws:ecs:us-east-1:${B}:service/legacy/pricing`, account: B, previousTaskDefinition: TD('pricing', 1), previousServiceRegistries: [], newTaskDefinition: TD('pricing-sc', 1), greenService: 'pricing-sc', state: 'stable' },
    'pricing/api': { cluster: 'pricing', service: 'api', serviceArn: `arn:aws:ecs:us-east-1:${A}:service/pricing/api`, account: A, previousTaskDefinition: TD('api', 1, A), previousServiceRegistries: [], newTaskDefinition: TD('api', 2, A), state: 'stable' },
  },
  steps: {},
  created: [
    { step: 'mesh', service: 'appmesh', kind: 'Mesh', identity: { meshName: 'shop' }, account: B },
    { step: 'router', service: 'appmesh', kind: 'VirtualRouter', identity: { meshName: 'shop', virtualRouterName: 'api' }, ecsService: 'pricing/api', account: B },
    { step: 'route', service: 'appmesh', kind: 'Route', identity: { meshName: 'shop', virtualRouterName: 'api', routeName: 'api' }, ecsService: 'pricing/api', account: B },
    { step: 'node', service: 'appmesh', kind: 'VirtualNode', identity: { meshName: 'shop', virtualNodeName: 'api' }, ecsService: 'pricing/api', account: B },
    { step: 'vs', service: 'appmesh', kind: 'VirtualService', identity: { meshName: 'shop', virtualServiceName: 'api.shop.local' }, ecsService: 'pricing/api', account: B },
    { step: 'registry', service: 'servicediscovery', kind: 'Service', identity: { Id: 'srv-api' }, ecsService: 'pricing/api', account: A },
    { step: 'namespace', service: 'servicediscovery', kind: 'Namespace', identity: { Id: 'ns-shop' }, account: A },
    { step: 'green', service: 'ecs', kind: 'EcsService', identity: { cluster: 'legacy', service: 'pricing-sc' }, ecsService: 'legacy/pricing', account: B },
    { step: 'green-tg', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: GREEN_TG }, ecsService: 'legacy/pricing', account: B },
    { step: 'green-scaling', service: 'application-autoscaling', kind: 'ScalableTarget', identity: { ServiceNamespace: 'ecs', ResourceId: 'service/legacy/pricing-sc', ScalableDimension: 'ecs:service:DesiredCount' }, ecsService: 'legacy/pricing', account: B },
  ],
  restores: [
    { step: 'weights:rule', service: 'elbv2', operation: 'ModifyRule', input: { RuleArn: RULE, Actions: forwardTo([BLUE_TG, 100]) }, ecsService: 'legacy/pricing', account: B },
    { step: 'weights:listener', service: 'elbv2', operation: 'ModifyListener', input: { ListenerArn: LISTENER, DefaultActions: forwardTo([BLUE_TG, 100]) }, ecsService: 'legacy/pricing', account: B },
  ],
};

const accounts = { [A]: 'provider', [B]: 'caller' };

describe('the policy of rollback, finalize and shift lets them run', () => {
  it('rollback: services put back, rules restored, the green side and what apply created deleted, over two accounts', () => {
    const api = service(taskDefinition({ family: 'api' }), { arn: `arn:aws:ecs:us-east-1:${A}:service/pricing/api`, clusterName: 'pricing', name: 'api', taskDefinitionArn: TD('api', 2, A) });
    const pricing = service(taskDefinition({ family: 'pricing' }), { clusterName: 'legacy', name: 'pricing' });
    const plan = planRollback({
      region: 'us-east-1', account: B, createdAt: '2026-12-03T00:00:00Z', journal: { path: '.meshctl/journal-a.json', data: journal },
      moves: [{ label: 'pricing/api', live: api, to: TD('api', 1, A), entry: journal.services['pricing/api']! }],
      greens: [{ label: 'legacy/pricing', live: pricing, entry: journal.services['legacy/pricing']! }],
      edgeActions: { [RULE]: forwardTo([BLUE_TG, 0], [GREEN_TG, 100]), [LISTENER]: forwardTo([BLUE_TG, 0], [GREEN_TG, 100]) },
      alreadyBack: [], keepRevision: false, removeMeshResources: true, notes: [],
    });
    const placed = { ...plan, accounts, steps: plan.steps.map((s) => ({ ...s, account: s.account ?? (s.ecsService === 'pricing/api' ? A : B) })) };
    expect(kinds(placed)).toEqual(expect.arrayContaining([
      'appmesh DeleteMesh', 'appmesh DeleteRoute', 'appmesh DeleteVirtualNode', 'appmesh DeleteVirtualRouter', 'appmesh DeleteVirtualService',
      'application-autoscaling DeregisterScalableTarget', 'ecs DeleteService', 'ecs DeregisterTaskDefinition', 'ecs UpdateService',
      'elbv2 DeleteTargetGroup', 'elbv2 ModifyListener', 'elbv2 ModifyRule', 'servicediscovery DeleteNamespace', 'servicediscovery DeleteService',
    ]));
    expectRuns(placed);
  });

  it('finalize: green into blue\'s Cloud Map registry, rules to green alone, blue\'s scaling and step alarms removed, blue scaled to 0 and deleted with its target group, revision and App Mesh resources', () => {
    const blue = service(taskDefinition({ family: 'pricing' }), { clusterName: 'legacy', name: 'pricing' });
    const green = service(taskDefinition({ family: 'pricing-sc' }), { clusterName: 'legacy', name: 'pricing-sc', serviceRegistries: [] });
    const plan = planFinalize({
      region: 'us-east-1', account: B, createdAt: '2026-12-03T00:00:00Z', target: 'service-connect', journal: '.meshctl/journal-a.json',
      pairs: [{
        pair: blueGreenPairs(journal)[0]!, blue, green, mesh: { mesh: 'shop', node: 'pricing', virtualServices: ['pricing.shop.local'] },
        joinRegistries: { registries: blue.serviceRegistries, names: ['pricing.shop.local'] },
        blueScaling: { minCapacity: 2, maxCapacity: 6, policies: [], policyArns: {}, stepAlarms: [{ AlarmName: 'pricing-cpu-high' }], scheduledActions: [] },
      }],
      edgeActions: { [RULE]: forwardTo([BLUE_TG, 0], [GREEN_TG, 100]), [LISTENER]: forwardTo([BLUE_TG, 0], [GREEN_TG, 100]) }, notes: [],
    });
    expect(kinds(plan)).toEqual([
      'application-autoscaling DeregisterScalableTarget', 'appmesh DeleteVirtualNode', 'appmesh DeleteVirtualService', 'cloudwatch DeleteAlarms',
      'ecs DeleteService', 'ecs DeregisterTaskDefinition', 'ecs UpdateService', 'elbv2 DeleteTargetGroup', 'elbv2 ModifyListener', 'elbv2 ModifyRule',
    ]);
    expect(plan.steps[0]).toMatchObject({ operation: 'UpdateService', input: { service: 'pricing-sc', serviceRegistries: blue.serviceRegistries } });
    expectRuns(plan);
  });

  it('shift: the weight moves on the pairs\' rules and listeners, or on a Route 53 weighted pair, and the reads that judge green', () => {
    const onRules: StepsScope = { region: 'us-east-1', account: B, steps: shiftOperations(blueGreenPairs(journal), (label) => journal.services[label]?.account) };
    expect(kinds({ steps: onRules.steps } as Plan)).toEqual(['elbv2 ModifyListener', 'elbv2 ModifyRule']);
    expectRuns(onRules);
    const onRecords: StepsScope = { region: 'us-east-1', account: B, steps: shiftOperations([], () => undefined, 'Z0123456789') };
    expectRuns(onRecords);
    // What shift reads (alarms, target health, 5xx, records) is in every policy.
    const policy = printed(iamPolicy(onRules));
    for (const key of SHIFT_OPERATIONS.filter((k) => REQUIREMENTS[k]!.access === 'read')) {
      expect(isAllowed(policy, { action: REQUIREMENTS[key]!.action, resource: '*' }), key).toBe(true);
    }
    expect(isAllowed(printed(iamPolicy(onRecords)), { action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z0123456789' })).toBe(true);
    expect(isAllowed(printed(iamPolicy(onRecords)), { action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/ZOTHER' })).toBe(false);
  });
});

/** Steps no demo plan holds yet, with the inputs that make them need more: roles handed to ECS, tags, shares, zones, alarms. */
function edgeCaseSteps(region: string): PlanStep[] {
  const p = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const role = (name: string) => `arn:${p}:iam::${B}:role/${name}`;
  const step = (id: string, service: PlanStep['service'], operation: string, input: Record<string, unknown>, account = B): PlanStep =>
    ({ id, service, operation, input, account, dependsOn: [], action: 'create', resource: id });
  return [
    step('namespace', 'servicediscovery', 'CreateHttpNamespace', { Name: 'shop', Tags: [{ Key: 'team', Value: 'shop' }] }),
    step('private-namespace', 'servicediscovery', 'CreatePrivateDnsNamespace', { Name: 'shop.local', Vpc: 'vpc-1' }),
    step('registry', 'servicediscovery', 'CreateService', { Name: 'web', NamespaceId: { $ref: 'namespace', path: 'NamespaceId' } }),
    step('defaults', 'ecs', 'UpdateCluster', { cluster: 'shop', serviceConnectDefaults: { namespace: 'shop' } }),
    step('register', 'ecs', 'RegisterTaskDefinition', { family: 'web', taskRoleArn: 'web-task', executionRoleArn: role('exec'), tags: [{ key: 'team', value: 'web' }], containerDefinitions: [] }),
    step('green', 'ecs', 'CreateService', {
      cluster: `arn:${p}:ecs:${region}:${B}:cluster/shop`, serviceName: 'web-sc', tags: [{ key: 'team', value: 'web' }],
      serviceConnectConfiguration: { enabled: true, namespace: `arn:${p}:servicediscovery:${region}:${A}:namespace/ns-shared`, services: [{ portName: 'http', tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: 'ca' }, roleArn: role('sc-tls') } }] },
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: role('ebs') } }],
      loadBalancers: [{ targetGroupArn: 'tg', advancedConfiguration: { alternateTargetGroupArn: 'tg2', productionListenerRule: 'rule', roleArn: role('lb-infrastructure') } }],
      deploymentConfiguration: { strategy: 'BLUE_GREEN', lifecycleHooks: [{ hookTargetArn: 'fn', roleArn: role('hooks'), lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }] },
    }),
    step('group', 'elbv2', 'CreateTargetGroup', { Name: 'web-sc', Tags: [{ Key: 'team', Value: 'web' }] }),
    step('group-attributes', 'elbv2', 'ModifyTargetGroupAttributes', { TargetGroupArn: { $ref: 'group', path: 'TargetGroups.0.TargetGroupArn' }, Attributes: [] }),
    step('alarm', 'cloudwatch' as PlanStep['service'], 'PutMetricAlarm', { AlarmName: 'web-sc-step-high', Tags: [{ Key: 'team', Value: 'web' }] }),
    step('blue-alarm', 'cloudwatch' as PlanStep['service'], 'DeleteAlarms', { AlarmNames: ['web-step-high'] }),
    step('schedule', 'application-autoscaling', 'PutScheduledAction', { ServiceNamespace: 'ecs', ResourceId: 'service/shop/web-sc', ScheduledActionName: 'nightly' }),
    step('scale-in', 'application-autoscaling', 'DeleteScalingPolicy', { ServiceNamespace: 'ecs', ResourceId: 'service/shop/web', PolicyName: 'old' }),
    step('share-more', 'ram', 'AssociateResourceShare', { resourceShareArn: `arn:${p}:ram:${region}:${A}:resource-share/abc`, principals: [B] }, A),
    step('share-mesh', 'ram', 'CreateResourceShare', { name: 'meshctl-shop', resourceArns: [`arn:${p}:appmesh:${region}:${B}:mesh/shop`], principals: [A] }),
    step('accept', 'ram', 'AcceptResourceShareInvitation', { resourceShareArn: { $ref: 'share-mesh', path: 'resourceShare.resourceShareArn' } }, A),
    step('authorize', 'route53', 'CreateVPCAssociationAuthorization', { HostedZoneId: '/hostedzone/Z1', VPC: { VPCId: 'vpc-a', VPCRegion: region } }),
    step('associate', 'route53', 'AssociateVPCWithHostedZone', { HostedZoneId: 'Z1', VPC: { VPCId: 'vpc-a', VPCRegion: region } }, A),
    step('deauthorize', 'route53', 'DeleteVPCAssociationAuthorization', { HostedZoneId: 'Z1', VPC: { VPCId: 'vpc-a', VPCRegion: region } }),
    step('router', 'appmesh', 'CreateVirtualRouter', { meshName: 'shop', virtualRouterName: 'web', meshOwner: B }, A),
    step('route', 'appmesh', 'CreateRoute', { meshName: 'shop', virtualRouterName: 'web', routeName: 'canary', meshOwner: B, spec: { httpRoute: { action: { weightedTargets: [{ virtualNode: 'web', weight: 90 }, { virtualNode: 'web-v2', weight: 10 }] } } } }, A),
    step('provider', 'appmesh', 'UpdateVirtualService', { meshName: 'shop', virtualServiceName: 'web.shop.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } }),
  ];
}

describe('the policy covers what the demo plans do not hold yet', () => {
  for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1']) {
    it(`roles handed to ECS, tags on create, shares, zone association, alarms, canary routes (${region})`, () => {
      const scope = { region, account: B, steps: edgeCaseSteps(region), accounts };
      expectRuns(scope);
      const partition = region === 'us-east-1' ? 'aws' : region.startsWith('cn-') ? 'aws-cn' : 'aws-us-gov';
      const arns = accountPolicies([{ name: 'caller', id: B }, { name: 'provider', id: A }], B, scope)
        .flatMap((p) => p.policy.Statement.flatMap((s) => [s.Resource].flat())).filter((r) => r !== '*');
      expect(arns.length).toBeGreaterThan(20);
      for (const arn of arns) expect(arn.startsWith(`arn:${partition}:`), arn).toBe(true);
    });
  }

  it('hands each role to the service that assumes it', () => {
    const scope = { region: 'us-east-1', account: B, steps: edgeCaseSteps('us-east-1') };
    const policy = printed(iamPolicy(scope));
    const pass = (role: string, service: string) => isAllowed(policy, { action: 'iam:PassRole', resource: concrete(`arn:aws:iam::${B}:role/${role}`), context: { 'iam:PassedToService': service } });
    expect(['web-task', 'exec'].map((r) => pass(r, 'ecs-tasks.amazonaws.com'))).toEqual([true, true]);
    expect(['sc-tls', 'ebs', 'lb-infrastructure', 'hooks'].map((r) => pass(r, 'ecs.amazonaws.com'))).toEqual([true, true, true, true]);
    // Not to another service: the task role is not ECS's own.
    expect(pass('web-task', 'ecs.amazonaws.com')).toBe(false);
  });
});

describe('the policy of ECS-managed cut-overs lets them run', () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await fixturePlan('fixtures/demo', { target: 'service-connect' }, 'fixtures/demo/meshctl.yaml');
  });

  it('the demo with its meshctl.yaml: the alternate group, the weighted rule, advancedConfiguration handing ECS the infrastructure role, the strategy', () => {
    const moves = plan.steps.filter((s) => s.ecsService === 'legacy-mesh/promotions' && s.operation === 'UpdateService');
    expect(moves.map((s) => Object.keys(s.input).sort().join(','))).toEqual(['cluster,loadBalancers,service', 'cluster,deploymentConfiguration,service,serviceConnectConfiguration,taskDefinition']);
    expectRuns(plan);
    const policy = printed(iamPolicy(plan));
    const role = `arn:aws:iam::${B}:role/ecsInfrastructureRoleForLoadBalancers`;
    expect(isAllowed(policy, { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ecs.amazonaws.com' } })).toBe(true);
    // apply follows the deployment, precheck and plan read the role.
    for (const key of ['ecs DescribeServiceDeployments', 'ecs ListServiceDeployments', 'iam GetRole']) {
      expect(isAllowed(policy, { action: REQUIREMENTS[key]!.action, resource: '*' }), key).toBe(true);
    }
  });

  it('its rollback in mid-deployment: StopServiceDeployment, the strategy and load balancers restored, the rule, the alternate group', () => {
    const live = service(taskDefinition({ family: 'promotions' }), { clusterName: 'legacy', name: 'promotions', taskDefinitionArn: TD('promotions', 2), loadBalancers: [{ targetGroupArn: BLUE_TG }] });
    const entry = { cluster: 'legacy', service: 'promotions', serviceArn: live.arn, account: B, previousTaskDefinition: TD('promotions', 1), previousServiceRegistries: [], newTaskDefinition: TD('promotions', 2), state: 'updated' as const, cutover: 'ecs-canary', previousDeploymentConfiguration: {}, previousLoadBalancers: [{ targetGroupArn: BLUE_TG }] };
    const managedJournal: Journal = {
      ...journal, services: { 'legacy/promotions': entry },
      created: [{ step: 'alt', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: GREEN_TG }, ecsService: 'legacy/promotions', account: B }],
      restores: [{ step: 'weights:rule', service: 'elbv2', operation: 'ModifyRule', input: { RuleArn: RULE, Actions: forwardTo([BLUE_TG, 100]) }, ecsService: 'legacy/promotions', account: B }],
    };
    const rollback = planRollback({
      region: 'us-east-1', account: B, createdAt: '2026-12-03T00:00:00Z', journal: { path: '.meshctl/journal-b.json', data: managedJournal }, moves: [], greens: [],
      managed: [{ label: 'legacy/promotions', live, entry, configChanged: true, inProgress: `arn:aws:ecs:us-east-1:${B}:service-deployment/legacy/promotions/1` }],
      edgeActions: { [RULE]: forwardTo([BLUE_TG, 90], [GREEN_TG, 10]) }, alreadyBack: [], keepRevision: false, removeMeshResources: false, notes: [],
    });
    expect(kinds(rollback)).toEqual(['ecs DeregisterTaskDefinition', 'ecs StopServiceDeployment', 'ecs UpdateService', 'elbv2 DeleteTargetGroup', 'elbv2 ModifyRule']);
    expectRuns({ ...rollback, steps: rollback.steps.map((s) => ({ ...s, account: B })) });
  });
});
