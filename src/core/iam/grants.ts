// What one plan step needs from IAM, read off the requirements table: its
// own action on its resources, the dependent actions, tags on create, every
// role it hands to a service, the service-linked role a first use creates,
// the calls apply sends around it, and what its rollback sends.
import { isStepOutputRef, type PlanStep } from '../plan/model.js';
import { partitionOf, role, serviceLinkedRole, text, type Scope } from './arns.js';
import type { Grant, Requirement } from './requirement.js';
import { REQUIREMENTS } from './requirements.js';

/** Where a plan's steps run: its region, the caller's account, and the steps (output references point into them). */
export interface StepsScope {
  region: string;
  account: string;
  steps: PlanStep[];
}

function requirementOf(service: string, operation: string): Requirement {
  const row = REQUIREMENTS[`${service} ${operation}`];
  if (!row) throw new Error(`no IAM requirement for ${service} ${operation}: add its row to src/core/iam/requirements.ts`);
  return row;
}

export function scopeOf(step: PlanStep, plan: StepsScope): Scope {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  return {
    partition: partitionOf(plan.region), region: plan.region, account: step.account ?? plan.account, input: step.input,
    stepOf: (reference) => (isStepOutputRef(reference) ? byId.get(reference.$ref) : undefined),
  };
}

/** The values at a path of the input; `[]` walks an array. */
function valuesAt(input: unknown, path: string): unknown[] {
  return path.split('.').reduce<unknown[]>((nodes, key) => nodes.flatMap((node) => {
    const field = key.replace(/\[\]$/, '');
    const value = node && typeof node === 'object' ? (node as Record<string, unknown>)[field] : undefined;
    return key.endsWith('[]') ? (Array.isArray(value) ? value : []) : value === undefined ? [] : [value];
  }), [input]);
}

/** The row's own action, and its dependent actions that apply to this input. */
export function actionGrants(row: Requirement, s: Scope, sid = row.sid): Grant[] {
  const own: Grant[] = row.condition
    ? row.condition.values(s).map((value) => ({ action: row.action, resources: row.resources(s), sid, context: { [row.condition!.key]: value }, ...(row.condition!.ifExists && { ifExists: true }) }))
    : [{ action: row.action, resources: row.resources(s), sid }];
  const dependent = (row.dependent ?? []).filter((d) => !d.when || d.when(s)).map((d) => ({ action: d.action, resources: d.resources(s), sid: d.sid }));
  return [...own, ...dependent];
}

function tagGrants(row: Requirement, s: Scope): Grant[] {
  const tags = row.tagOnCreate && s.input[row.tagOnCreate.field];
  if (!row.tagOnCreate || !Array.isArray(tags) || tags.length === 0) return [];
  const { action, createAction, sid } = row.tagOnCreate;
  return [{ action, resources: row.resources(s), sid, ...(createAction && { context: { [createAction.key]: createAction.value } }) }];
}

const PASS_ROLE_SIDS: Record<string, string> = { 'ecs-tasks.amazonaws.com': 'MeshctlPassTaskRoles', 'ecs.amazonaws.com': 'MeshctlPassInfrastructureRoles' };

function roleGrants(row: Requirement, s: Scope): Grant[] {
  return (row.passesRoles ?? []).flatMap((passed) => valuesAt(s.input, passed.path).map(text).filter((r): r is string => !!r).map((r) => ({
    action: 'iam:PassRole', resources: [role(s, r)], sid: PASS_ROLE_SIDS[passed.service] ?? 'MeshctlPassRoles', context: { 'iam:PassedToService': passed.service },
  })));
}

function linkedRoleGrants(row: Requirement, s: Scope): Grant[] {
  if (!row.linkedRole) return [];
  const { service, role: name } = row.linkedRole;
  return [{ action: 'iam:CreateServiceLinkedRole', resources: [serviceLinkedRole(s, service, name)], sid: 'MeshctlServiceLinkedRoles', context: { 'iam:AWSServiceName': service } }];
}

/** Everything the step's call needs, and what apply sends around it. */
export function stepGrants(step: PlanStep, plan: StepsScope): Grant[] {
  const row = requirementOf(step.service, step.operation);
  const s = scopeOf(step, plan);
  const around = (row.alsoSends ?? []).flatMap((key) => actionGrants(REQUIREMENTS[key]!, s));
  return [...actionGrants(row, s), ...tagGrants(row, s), ...roleGrants(row, s), ...linkedRoleGrants(row, s), ...around];
}

/** What a rollback of the step sends, authorized from the same input, in the step's own statement. */
export function undoGrants(step: PlanStep, plan: StepsScope): Grant[] {
  const row = requirementOf(step.service, step.operation);
  return row.undoneBy ? actionGrants(REQUIREMENTS[row.undoneBy]!, scopeOf(step, plan), row.sid) : [];
}
