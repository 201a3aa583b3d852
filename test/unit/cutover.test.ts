// The cut-over core: weights, pairs from a journal, and the finalize plan; pure data, no AWS.
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { planFinalize, withoutBlue, type FinalizedPair } from '../../src/core/cutover/finalize.js';
import { dnsCallers, registryHandover, registryNames } from '../../src/core/cutover/registries.js';
import { disallowedSteps } from '../../src/core/plan/allowed-operations.js';
import type { ServiceScaling } from '../../src/core/scaling.js';
import { validateInput } from '../support/sdk-shapes.js';
import { cutoverProblems, greenDimensions } from '../../src/core/cutover/health.js';
import { iamPolicy } from '../../src/core/iam-policy.js';
import { blueGreenPairs } from '../../src/core/cutover/pairs.js';
import { greenPercent, parseSteps, shiftedActions } from '../../src/core/cutover/weights.js';
import { schedulePlan } from '../../src/core/plan/schedule.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing/1';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing-sc/2';
const weighted = (blue: number, green: number, extra: Record<string, unknown>[] = []) => [{
  Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: blue }, { TargetGroupArn: GREEN, Weight: green }, ...extra], TargetGroupStickinessConfig: { Enabled: false } },
}];

const journal: Journal = {
  formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '',
  services: {
    'c/pricing': { cluster: 'c', service: 'pricing', serviceArn: 'arn', previousTaskDefinition: 'td:1', previousServiceRegistries: [], greenService: 'pricing-sc', state: 'stable' },
    'c/web': { cluster: 'c', service: 'web', serviceArn: 'arn', previousTaskDefinition: 'web:1', previousServiceRegistries: [], state: 'stable' },
  },
  steps: {},
  created: [{ step: 'tg', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: GREEN }, ecsService: 'c/pricing' }],
  restores: [{ step: 'w', service: 'elbv2', operation: 'ModifyRule', input: { RuleArn: RULE, Actions: [{ Type: 'forward', TargetGroupArn: BLUE }] }, ecsService: 'c/pricing' }],
};

describe('weights', () => {
  it('moves green to a percentage and blue to the rest, keeping other groups and stickiness', () => {
    const canary = { TargetGroupArn: 'canary', Weight: 0 };
    expect(shiftedActions(weighted(100, 0, [canary]), BLUE, GREEN, 25)).toEqual(weighted(75, 25, [canary]));
    expect(greenPercent(weighted(75, 25), GREEN)).toBe(25);
    expect(greenPercent([{ Type: 'forward', TargetGroupArn: BLUE }], GREEN)).toBeUndefined();
  });

  it('takes rising whole percentages only', () => {
    expect(parseSteps('10, 25,50,100', '--steps')).toEqual([10, 25, 50, 100]);
    expect(() => parseSteps('50,10', '--steps')).toThrow(/must rise/);
    expect(() => parseSteps('10,101', '--steps')).toThrow(/from 0 to 100/);
    expect(() => parseSteps('ten', '--to')).toThrow(/--to ten/);
  });
});

describe('blue-green pairs', () => {
  it('are the journal\'s green twins with their target group and the rules apply made weighted, and the blue group each forwarded to', () => {
    expect(blueGreenPairs(journal)).toEqual([{ label: 'c/pricing', cluster: 'c', blue: 'pricing', green: 'pricing-sc', greenTargetGroup: GREEN, edges: [{ arn: RULE, blueTargetGroup: BLUE }] }]);
    expect(blueGreenPairs({ ...journal, services: { 'c/pricing': { ...journal.services['c/pricing']!, state: 'finalized' } } })).toEqual([]);
  });
});

describe('finalize plan', () => {
  it('forwards to green alone, then scales blue to 0 and deletes it, its target group, its revision and the App Mesh resources only it used', () => {
    expect(withoutBlue(weighted(0, 100), BLUE)).toEqual([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: GREEN, Weight: 100 }], TargetGroupStickinessConfig: { Enabled: false } } }]);
    const blue = service(taskDefinition({ family: 'pricing' }), { clusterName: 'c' });
    const green = service(taskDefinition({ family: 'pricing-sc' }), { clusterName: 'c', serviceRegistries: [] });
    const plan = planFinalize({
      region: 'us-east-1', account: '123456789012', createdAt: '2026-12-01T00:00:00Z', target: 'service-connect', journal: '.meshctl/journal-a.json',
      pairs: [{ pair: blueGreenPairs(journal)[0]!, blue, green, mesh: { mesh: 'shop', node: 'pricing', virtualServices: ['pricing.shop.local'] } }],
      edgeActions: { [RULE]: weighted(0, 100) }, notes: [],
    });
    const ids = plan.steps.map((s) => [s.id, s.operation, s.dependsOn]);
    expect(ids).toEqual([
      [`finalize-edge:${RULE}`, 'ModifyRule', []],
      ['finalize-scale:c/pricing', 'UpdateService', [`finalize-edge:${RULE}`]],
      ['finalize-delete-service:c/pricing', 'DeleteService', ['finalize-scale:c/pricing']],
      ['finalize-delete-target-group:c/pricing:pricing', 'DeleteTargetGroup', [`finalize-edge:${RULE}`, 'finalize-delete-service:c/pricing']],
      ['finalize-deregister:c/pricing', 'DeregisterTaskDefinition', ['finalize-delete-service:c/pricing']],
      ['finalize-delete-virtual-service:shop/pricing.shop.local', 'DeleteVirtualService', ['finalize-delete-service:c/pricing']],
      ['finalize-delete-virtual-node:shop/pricing', 'DeleteVirtualNode', ['finalize-delete-service:c/pricing', 'finalize-delete-virtual-service:shop/pricing.shop.local']],
    ]);
    expect(plan.steps[1]!.input).toEqual({ cluster: 'c', service: 'pricing', desiredCount: 0 });
    // App Mesh deletes wait for every service; the revision goes after the service.
    const { moves, after } = schedulePlan(plan);
    expect(after.map((s) => s.operation)).toEqual(['DeleteVirtualService', 'DeleteVirtualNode']);
    expect(moves[0]!.afterRollout.map((s) => s.operation)).toEqual(['DeregisterTaskDefinition']);
    expect(plan.finalize).toEqual({ journal: '.meshctl/journal-a.json' });
    // iam-policy of the plan allows every operation it sends.
    const prefix: Record<string, string> = { ecs: 'ecs', elbv2: 'elasticloadbalancing', appmesh: 'appmesh' };
    const allowed = iamPolicy(plan).Statement.flatMap((s) => s.Action);
    for (const step of plan.steps) expect(allowed, step.id).toContain(`${prefix[step.service]}:${step.operation}`);
  });
});

describe('finalize plan: blue\'s registry, scaling and alarms', () => {
  const REGISTRY = [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-pricing' }];
  const blueTd = taskDefinition({ family: 'pricing', containerDefinitions: [container({ name: 'pricing' })] });
  const greenTd = taskDefinition({ family: 'pricing-sc', containerDefinitions: [container({ name: 'pricing' })] });
  const blue = service(blueTd, { clusterName: 'c', serviceRegistries: REGISTRY });
  const green = service(greenTd, { name: 'pricing-sc', clusterName: 'c', serviceRegistries: [] });
  const scaling: ServiceScaling = {
    minCapacity: 2, maxCapacity: 6, policies: [{ PolicyName: 'step', PolicyType: 'StepScaling' }], policyArns: { step: 'arn:policy/step' },
    stepAlarms: [{ AlarmName: 'pricing-cpu-high' }], scheduledActions: [{ ScheduledActionName: 'nightly' }],
  };
  const finalize = (pair: Partial<FinalizedPair>) => planFinalize({
    region: 'us-east-1', account: '123456789012', createdAt: '2026-12-01T00:00:00Z', target: 'service-connect', journal: '.meshctl/journal-a.json',
    pairs: [{ pair: blueGreenPairs(journal)[0]!, blue, green, ...pair }], edgeActions: { [RULE]: weighted(0, 100) }, notes: [],
  });

  it('green joins blue\'s Cloud Map registry first, a move of its own that apply waits for; then blue goes', () => {
    expect(registryHandover(blue, green, greenTd)).toEqual({ kind: 'join', registries: REGISTRY });
    const plan = finalize({ joinRegistries: { registries: REGISTRY, names: ['pricing.shop.local'] } });
    const join = plan.steps[0]!;
    expect(join).toMatchObject({
      id: 'finalize-join-registry:c/pricing', operation: 'UpdateService', ecsService: 'c/pricing-sc', dependsOn: [],
      input: { cluster: 'c', service: 'pricing-sc', serviceRegistries: REGISTRY },
    });
    expect(plan.steps.filter((s) => s !== join).every((s) => s.dependsOn.length > 0)).toBe(true);
    expect(plan.steps.find((s) => s.id === `finalize-edge:${RULE}`)!.dependsOn).toEqual([join.id]);
    // Green is planned (and observed) too: its deployment is awaited before blue's removal starts.
    expect(plan.services.map((s) => s.service)).toEqual(['pricing-sc', 'pricing']);
    expect(Object.keys(plan.observed.services)).toEqual([blue.arn, green.arn]);
    expect(schedulePlan(plan).moves.map((m) => [m.label, m.servers])).toEqual([['c/pricing-sc', []], ['c/pricing', ['c/pricing-sc']]]);
    expect(validateInput('ecs', 'UpdateService', join.input)).toEqual([]);
  });

  it('green already in the registry, or no registry: nothing to join; another registry on green, or no container for it: cannot', () => {
    expect(registryHandover(blue, { ...green, serviceRegistries: REGISTRY }, greenTd)).toEqual({ kind: 'joined' });
    expect(registryHandover({ ...blue, serviceRegistries: [] }, green, greenTd)).toEqual({ kind: 'none' });
    expect(registryHandover(blue, { ...green, serviceRegistries: [{ registryArn: 'arn:other' }] }, greenTd))
      .toEqual({ kind: 'cannot', reason: 'pricing-sc is registered in another Cloud Map registry, and ECS takes one per service' });
    const srv = [{ registryArn: REGISTRY[0]!.registryArn, containerName: 'api', containerPort: 8080 }];
    expect(registryHandover({ ...blue, serviceRegistries: srv }, green, greenTd))
      .toEqual({ kind: 'cannot', reason: 'pricing-sc\'s task definition has no container api, which blue\'s registry names' });
  });

  it('names the callers that resolve blue\'s DNS name from their environment', () => {
    const web = taskDefinition({ family: 'web', containerDefinitions: [container({ name: 'web', environment: [{ name: 'PRICING_URL', value: 'http://pricing.shop.local:8080/v1' }] })] });
    const est = estate({ services: [[blue, blueTd], [green, greenTd], [service(web), web]] });
    est.cloudMap = {
      namespaces: [{ id: 'ns-1', arn: 'arn:ns-1', name: 'shop.local', type: 'DNS_PRIVATE' }],
      services: [{ id: 'srv-pricing', arn: REGISTRY[0]!.registryArn, name: 'pricing', namespaceId: 'ns-1' }],
    };
    const names = registryNames(est, REGISTRY);
    expect(names).toEqual(['pricing.shop.local']);
    expect(dnsCallers(est, names, [blue, green])).toEqual(['c/web (web.PRICING_URL)']);
  });

  it('removes blue\'s scalable target before blue scales to 0, then the alarms of its step policies', () => {
    const plan = finalize({ blueScaling: scaling });
    const deregister = plan.steps.find((s) => s.id === 'finalize-deregister-scaling:c/pricing')!;
    expect(deregister).toMatchObject({
      operation: 'DeregisterScalableTarget', action: 'delete', dependsOn: [`finalize-edge:${RULE}`],
      input: { ServiceNamespace: 'ecs', ResourceId: 'service/c/pricing', ScalableDimension: 'ecs:service:DesiredCount' },
    });
    expect(plan.steps.find((s) => s.id === 'finalize-delete-alarms:c/pricing')).toMatchObject({
      service: 'cloudwatch', operation: 'DeleteAlarms', dependsOn: [deregister.id], input: { AlarmNames: ['pricing-cpu-high'] },
    });
    expect(plan.steps.find((s) => s.id === 'finalize-scale:c/pricing')!.dependsOn).toContain(deregister.id);
    // Scaling goes with blue's move, not before it nor after every service.
    expect(schedulePlan(plan).moves.find((m) => m.label === 'c/pricing')!.steps.map((s) => s.operation)).toEqual(expect.arrayContaining(['DeregisterScalableTarget', 'DeleteAlarms']));
    const policy = iamPolicy(plan).Statement.find((s) => s.Sid === 'MeshctlAlarms')!;
    expect(policy).toMatchObject({ Action: ['cloudwatch:DeleteAlarms'], Resource: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:pricing-cpu-high'] });
    expect(disallowedSteps('finalize', plan.steps)).toEqual([]);
    for (const step of plan.steps) expect(validateInput(step.service, step.operation, step.input), step.id).toEqual([]);
  });
});

describe('what stops a shift', () => {
  const LB = 'app/shop/1';
  it('reads green\'s metrics by the dimensions its ARN and its rules name', () => {
    const listener = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/1/9';
    expect(greenDimensions([{ ...blueGreenPairs(journal)[0]!, edges: [{ arn: RULE, blueTargetGroup: BLUE }, { arn: listener, blueTargetGroup: BLUE }] }]))
      .toEqual({ [GREEN]: { targetGroup: 'targetgroup/pricing-sc/2', loadBalancers: [LB] } });
  });

  const healthy = { name: 'pricing-sc', targetStates: [{ state: 'healthy' }], targetErrors5xx: 0, loadBalancers: [{ name: LB, errors5xx: 0 }] };
  it('an alarm in ALARM, an unhealthy green target, or more 5xx than allowed; nothing else', () => {
    expect(cutoverProblems({ alarms: [{ name: 'a', state: 'OK' }, { name: 'b', state: 'INSUFFICIENT_DATA' }], greenTargetGroups: [healthy] }, 0)).toEqual([]);
    expect(cutoverProblems({
      alarms: [{ name: 'pricing-5xx', state: 'ALARM', reason: '7 5xx' }],
      greenTargetGroups: [{ ...healthy, targetStates: [{ state: 'healthy' }, { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }], targetErrors5xx: 3 }],
    }, 2)).toEqual([
      '1 unhealthy target(s) in green target group pricing-sc (Target.ResponseCodeMismatch)',
      'alarm pricing-5xx is in ALARM (7 5xx)',
      'green target group pricing-sc: 3 5xx since the last step (3 from its targets), more than --max-5xx 2',
    ]);
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [{ ...healthy, targetErrors5xx: 2 }] }, 2)).toEqual([]);
  });

  it('a green target group with no healthy target: empty (the ALB answers 503), still starting, or all failing', () => {
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [{ ...healthy, targetStates: [] }] }, 0))
      .toEqual(['green target group pricing-sc has no healthy target (no target registered): the load balancer cannot serve its share']);
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [{ ...healthy, targetStates: [{ state: 'initial', reason: 'Elb.RegistrationInProgress' }, { state: 'initial' }] }] }, 0))
      .toEqual(['green target group pricing-sc has no healthy target (2 initial: Elb.RegistrationInProgress): the load balancer cannot serve its share']);
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [{ ...healthy, targetStates: [{ state: 'unhealthy', reason: 'Target.Timeout' }, { state: 'draining' }] }] }, 0))
      .toEqual(['green target group pricing-sc has no healthy target (1 unhealthy, 1 draining: Target.Timeout): the load balancer cannot serve its share']);
  });

  it('counts the 5xx the load balancer generated itself with the targets\' 5xx', () => {
    const group = { ...healthy, targetErrors5xx: 1, loadBalancers: [{ name: LB, errors5xx: 4 }, { name: 'app/other/2', errors5xx: 0 }] };
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [group] }, 4, 'since 2026-12-03T10:00:00.000Z'))
      .toEqual([`green target group pricing-sc: 5 5xx since 2026-12-03T10:00:00.000Z (1 from its targets, 4 generated by load balancer ${LB}), more than --max-5xx 4`]);
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [group] }, 5)).toEqual([]);
    // Only the load balancer's own 503s, none from the targets: still counted.
    expect(cutoverProblems({ alarms: [], greenTargetGroups: [{ ...healthy, loadBalancers: [{ name: LB, errors5xx: 1 }] }] }, 0))
      .toEqual([`green target group pricing-sc: 1 5xx since the last step (0 from its targets, 1 generated by load balancer ${LB}), more than --max-5xx 0`]);
  });
});
