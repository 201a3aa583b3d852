// Which cut-over a service leaving App Mesh gets: ECS's own canary, linear
// or blue/green deployment, which keeps the service and its name, wherever
// it applies; the green twin (or the in-place switch) for the rest. Pure:
// the precheck rule and the planner ask the same question and get the same
// answer, with the reason.
//
// ECS-managed deployments need (Amazon ECS Developer Guide, "Required
// resources for Amazon ECS blue/green deployments" and "Application Load
// Balancer resources for blue/green, linear, and canary deployments"): the
// ECS deployment controller; an Application Load Balancer listener rule (or a
// Network Load Balancer listener) forwarding to the service's one target
// group, with forward actions only, to name as productionListenerRule; and
// an infrastructure role ECS assumes to change it ("Amazon ECS
// infrastructure IAM role for load balancers").
import type { EdgeForward, EdgeState } from '../edge.js';
import type { Service } from '../estate.js';

export type EcsManagedStrategy = 'ecs-canary' | 'ecs-linear' | 'ecs-blue-green';
export type CutoverStrategy = 'blue-green' | 'in-place' | EcsManagedStrategy;
export const CUTOVER_STRATEGIES: readonly CutoverStrategy[] = ['blue-green', 'in-place', 'ecs-canary', 'ecs-linear', 'ecs-blue-green'];

/** DeploymentConfiguration.strategy of each (Amazon ECS API Reference). */
export const ECS_STRATEGY: Record<EcsManagedStrategy, 'CANARY' | 'LINEAR' | 'BLUE_GREEN'> = {
  'ecs-canary': 'CANARY', 'ecs-linear': 'LINEAR', 'ecs-blue-green': 'BLUE_GREEN',
};

export const isEcsManaged = (strategy: string | undefined): strategy is EcsManagedStrategy => strategy !== undefined && strategy in ECS_STRATEGY;

/**
 * The default where ECS manages the move: a canary. The first traffic a
 * Service Connect revision takes is a small slice, watched by the alarms and
 * rolled back by ECS alone, and the rest follows in one step once the slice
 * held: the least exposure for the shortest move. Linear spends many steps
 * of bake on a change that either works or does not; blue/green sends
 * everything at once.
 */
export const DEFAULT_ECS_STRATEGY: EcsManagedStrategy = 'ecs-canary';

export interface CutoverSettings {
  /** Asked for with --strategy or meshctl.yaml; none: the default, per service. */
  requested?: CutoverStrategy;
  /** The role ECS assumes to move the listener rule's weights. */
  infrastructureRoleArn?: string;
  /** canaryPercent and canaryBakeTimeInMinutes (ECS's defaults: 5% for 10 minutes). */
  canary: { percent: number; bakeMinutes: number };
  /** stepPercent and stepBakeTimeInMinutes (ECS's defaults: 10% every 6 minutes). */
  linear: { stepPercent: number; stepBakeMinutes: number };
  /** bakeTimeInMinutes: how long blue stays up after all traffic moved, to roll back to at once. */
  bakeMinutes: number;
  /** CloudWatch alarms that make ECS roll back, for every service (services.<name>.alarms add their own). */
  alarms: string[];
}

export const DEFAULT_CUTOVER: CutoverSettings = { canary: { percent: 5, bakeMinutes: 10 }, linear: { stepPercent: 10, stepBakeMinutes: 6 }, bakeMinutes: 15, alarms: [] };

/** What iam GetRole says of the configured infrastructure role. */
export interface InfrastructureRole {
  arn: string;
  exists: boolean;
  /** Its trust policy lets ecs.amazonaws.com assume it. */
  trustsEcs: boolean;
}

export interface CutoverContext {
  settings: CutoverSettings;
  /** Target groups of the services leaving App Mesh and the rules forwarding to them. */
  edge: EdgeState;
  role?: InfrastructureRole;
}

export type StrategyChoice =
  | { strategy: EcsManagedStrategy; why: string; production: EdgeForward; targetGroupArn: string }
  | { strategy: 'blue-green' | 'in-place'; why: string }
  | { blocked: { message: string; hint: string } };

interface Unfit { message: string; hint: string; /** A fault to fix (a broken role), not a reason to take the twin. */ fault?: boolean }

const MANAGED_POLICY = 'AmazonECSInfrastructureRolePolicyForLoadBalancers';
const TRUST_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const roleName = (arn: string) => arn.split('/').pop()!;
const partitionOf = (arn: string) => arn.split(':')[1] ?? 'aws';
const short = (arn: string) => arn.split('/').slice(-3).join('/');

/** AWS's documented name for the role (Amazon ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers"). */
export const DEFAULT_ROLE_NAME = 'ecsInfrastructureRoleForLoadBalancers';

/** The exact commands that make the role (same page): the trust policy, and AWS's managed policy in the partition's ARN. */
export function createRoleCommands(name: string, partition: string): string {
  return `aws iam create-role --role-name ${name} --assume-role-policy-document '${TRUST_POLICY}' && aws iam attach-role-policy --role-name ${name} --policy-arn arn:${partition}:iam::aws:policy/${MANAGED_POLICY}`;
}

function roleUnfit(ctx: CutoverContext, service: Service): Unfit | undefined {
  const arn = ctx.settings.infrastructureRoleArn;
  if (!arn) {
    return {
      message: 'no infrastructure role is configured for ECS to move the load balancer\'s traffic',
      hint: `Set cutover.infrastructureRoleArn in meshctl.yaml (or --infrastructure-role) to a role ECS may assume; to make one: ${createRoleCommands(DEFAULT_ROLE_NAME, partitionOf(service.arn))}`,
    };
  }
  if (ctx.role && !ctx.role.exists) {
    return { fault: true, message: `the infrastructure role ${arn} does not exist`, hint: `Create it: ${createRoleCommands(roleName(arn), partitionOf(arn))}; or name an existing role in cutover.infrastructureRoleArn.` };
  }
  if (ctx.role && !ctx.role.trustsEcs) {
    return {
      fault: true, message: `the infrastructure role ${arn} does not trust ecs.amazonaws.com: ECS cannot assume it`,
      hint: `aws iam update-assume-role-policy --role-name ${roleName(arn)} --policy-document '${TRUST_POLICY}' (and attach arn:${partitionOf(arn)}:iam::aws:policy/${MANAGED_POLICY} if it lacks it)`,
    };
  }
  return undefined;
}

/** ALB listener ARNs hold listener/app/, NLB ones listener/net/. */
const isNlbListener = (arn: string) => arn.includes(':listener/net/');

/** The listener rule (ALB) or listener (NLB) ECS would move, or why there is none to name. */
function productionForward(service: Service, edge: EdgeState): { forward: EdgeForward; targetGroupArn: string } | Unfit {
  if (service.loadBalancers.length === 0) return { message: 'it is behind no load balancer: ECS moves traffic through a listener rule', hint: 'Plan it with --strategy blue-green (by default it gets the green twin).' };
  if (service.loadBalancers.length > 1) return { message: `it registers in ${service.loadBalancers.length} target groups; an ECS blue/green deployment moves one`, hint: 'Plan it with --strategy blue-green.' };
  const tg = service.loadBalancers[0]!.targetGroupArn;
  if (!tg || !edge.targetGroups[tg]) return { message: 'its target group could not be read', hint: 'Allow elasticloadbalancing:DescribeTargetGroups (meshctl iam-policy prints it), then plan again.' };
  const forwards = edge.forwards.filter((f) => f.targetGroupArn === tg);
  const rules = forwards.filter((f) => f.kind === 'rule');
  const listeners = forwards.filter((f) => f.kind === 'listener');
  const name = edge.targetGroups[tg]!.name;
  if (listeners.some((l) => isNlbListener(l.arn))) {
    if (forwards.length === 1) return { forward: listeners[0]!, targetGroupArn: tg };
    return { message: `${forwards.length} listeners forward to target group ${name}; ECS moves one`, hint: 'Plan it with --strategy blue-green.' };
  }
  if (rules.length === 0 && listeners.length > 0) {
    const listener = listeners[0]!.arn;
    return {
      message: `the listener ${short(listener)} forwards to target group ${name} by its default action only: there is no listener rule to name as ECS's production rule`,
      hint: `Add a rule that takes the default's traffic: aws elbv2 create-rule --listener-arn ${listener} --priority 50000 --conditions Field=path-pattern,Values='/*' --actions Type=forward,TargetGroupArn=${tg}; then plan again.`,
    };
  }
  if (rules.length === 0) return { message: `no listener rule forwards to target group ${name}`, hint: 'Add a rule forwarding to it (aws elbv2 create-rule), then plan again.' };
  if (listeners.length > 0) {
    return {
      message: `the listener ${short(listeners[0]!.arn)}'s default action forwards to target group ${name} too; ECS moves only its production rule, and after the deployment the default would forward to a group without tasks`,
      hint: 'Point the default action elsewhere (a fixed response, another group) or plan it with --strategy blue-green, which re-weights every forward.',
    };
  }
  if (rules.length > 1) return { message: `${rules.length} listener rules forward to target group ${name}; ECS moves one production rule`, hint: 'Keep one rule forwarding to it, or plan it with --strategy blue-green.' };
  const rule = rules[0]!;
  // "Blue/green deployments are not supported when ALB listener rules mix forward and non-forward actions" (ALB resources page).
  if (rule.actions.some((a) => a.Type !== 'forward')) {
    return { message: `the rule ${short(rule.arn)} mixes forward with other actions (${rule.actions.map((a) => a.Type).join(', ')}), which ECS blue/green deployments do not support`, hint: 'Plan it with --strategy blue-green.' };
  }
  return { forward: rule, targetGroupArn: tg };
}

function ecsUnfit(service: Service, ctx: CutoverContext): { fit?: { forward: EdgeForward; targetGroupArn: string }; unfit: Unfit[] } {
  const unfit: Unfit[] = [];
  if (service.deploymentController !== 'ECS') {
    unfit.push({ message: `its deployment controller is ${service.deploymentController}; ECS-managed deployments need the ECS controller`, hint: 'See the deployment-controller finding.' });
  }
  const forward = productionForward(service, ctx.edge);
  if ('message' in forward) unfit.push(forward);
  const role = roleUnfit(ctx, service);
  if (role) unfit.push(role);
  return { ...('forward' in forward && { fit: forward }), unfit };
}

/** The cut-over of one service leaving App Mesh, and why. */
export function chooseStrategy(service: Service, ctx: CutoverContext): StrategyChoice {
  const requested = ctx.settings.requested;
  if (requested === 'blue-green' || requested === 'in-place') return { strategy: requested, why: `--strategy ${requested} (or cutover.strategy) asks for it` };
  const { fit, unfit } = ecsUnfit(service, ctx);
  if (isEcsManaged(requested)) {
    if (unfit.length > 0) return { blocked: { message: `${requested} cannot move it: ${unfit[0]!.message}`, hint: unfit[0]!.hint } };
    return { strategy: requested, production: fit!.forward, targetGroupArn: fit!.targetGroupArn, why: `--strategy ${requested} (or cutover.strategy) asks for it; ECS moves rule ${short(fit!.forward.arn)}` };
  }
  // A configured role that is broken is a fault to fix, not a reason to fall back.
  const fault = unfit.find((u) => u.fault);
  if (fault && unfit.length === 1) return { blocked: { message: `${DEFAULT_ECS_STRATEGY} cannot move it: ${fault.message}`, hint: fault.hint } };
  if (unfit.length === 0) {
    return {
      strategy: DEFAULT_ECS_STRATEGY, production: fit!.forward, targetGroupArn: fit!.targetGroupArn,
      why: `the ECS deployment controller, listener rule ${short(fit!.forward.arn)} to name and infrastructure role ${roleName(ctx.settings.infrastructureRoleArn!)}: ECS moves it by canary and it keeps its name`,
    };
  }
  return { strategy: 'blue-green', why: `green twin, as ECS cannot move it: ${unfit.filter((u) => !u.fault).map((u) => u.message).join('; ')}` };
}
