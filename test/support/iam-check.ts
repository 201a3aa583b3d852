// Checks a printed IAM policy against what each step of a plan needs, as
// the requirements table says (src/core/iam), with the test evaluator. What
// a step hands over is also found independently of the table: every role
// ARN anywhere in the input needs an iam:PassRole, and tags on a create a
// tagging action, so an input field the table forgets fails too.
import { stepGrants, type StepsScope } from '../../src/core/iam/grants.js';
import type { PlanStep } from '../../src/core/plan/model.js';
import { isAllowed, type EvaluatedStatement } from './iam-evaluator.js';

export type PrintedPolicy = { Statement: EvaluatedStatement[] };

const IAM_PREFIX: Record<string, string> = {
  ecs: 'ecs', servicediscovery: 'servicediscovery', appmesh: 'appmesh', elbv2: 'elasticloadbalancing', 'application-autoscaling': 'application-autoscaling',
  ram: 'ram', route53: 'route53', cloudwatch: 'cloudwatch',
};

/** An ARN the policy names up to an id AWS generates (`targetgroup/web-sc/*`) as one such ARN. */
export const concrete = (arn: string) => (arn === '*' ? '*' : arn.replace(/\*/g, 'id0'));

/** Role ARNs (or names) in an input: any field whose name ends in "role" or "RoleArn". */
function rolesIn(node: unknown, key = ''): string[] {
  if (typeof node === 'string') return /(^role|RoleArn)$/i.test(key) ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((item) => rolesIn(item, key));
  if (node && typeof node === 'object' && !('$ref' in node)) return Object.entries(node).flatMap(([k, v]) => rolesIn(v, k));
  return [];
}

function handedOver(step: PlanStep, grants: ReturnType<typeof stepGrants>): string[] {
  const passed = grants.filter((g) => g.action === 'iam:PassRole').flatMap((g) => g.resources);
  const roles = rolesIn(step.input).filter((r) => !passed.some((p) => p === r || p.endsWith(`:role/${r}`)));
  const tags = [step.input.tags, step.input.Tags].some((t) => Array.isArray(t) && t.length > 0);
  const tagged = grants.some((g) => /:(TagResource|AddTags)$/.test(g.action));
  return [
    ...roles.map((r) => `hands role ${r} over but the table names no iam:PassRole for it`),
    ...(tags && !tagged ? ['creates with tags but the table names no tag-on-create action'] : []),
  ];
}

/** Every call of the step the policy denies, in words naming the step, action and resource; empty when it may run. */
export function deniedCalls(step: PlanStep, scope: StepsScope, policy: PrintedPolicy): string[] {
  const grants = stepGrants(step, scope);
  const own = `${IAM_PREFIX[step.service]}:${step.operation}`;
  const where = `step ${step.id} (${step.service} ${step.operation}, account ${step.account ?? scope.account})`;
  const missing = [...(grants.some((g) => g.action === own) ? [] : [`the table grants no ${own}`]), ...handedOver(step, grants)];
  const denied = grants.flatMap((g) => g.resources.map(concrete)
    .filter((resource) => !isAllowed(policy, { action: g.action, resource, ...(g.context && { context: g.context }) }))
    .map((resource) => `${g.action} on ${resource}${g.context ? ` (${JSON.stringify(g.context)})` : ''} is denied`));
  return [...missing, ...denied].map((problem) => `${where}: ${problem}`);
}

/** Every denial over a plan's steps, each against the printed policy of the step's account. */
export function deniedSteps(scope: StepsScope, policyOf: (account: string) => PrintedPolicy): string[] {
  return scope.steps.flatMap((step) => deniedCalls(step, scope, policyOf(step.account ?? scope.account)));
}
