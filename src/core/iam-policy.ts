// The least-privilege IAM policy to run precheck, plan, apply and rollback:
// read actions on "*" (most List/Describe actions take no resource), and for
// a given plan every mutation scoped to the exact resources it touches, as
// the requirements table (src/core/iam/requirements.ts) says each operation
// is authorized. A plan's policy also covers its rollback.
import { accountOfArn } from './arn.js';
import { stepGrants, undoGrants, type StepsScope } from './iam/grants.js';
import type { Grant } from './iam/requirement.js';
import { READ_ACTIONS, REQUIREMENTS } from './iam/requirements.js';
import type { PlanStep } from './plan/model.js';

import { partitionOf } from './iam/arns.js';

export { partitionOf };
export type { StepsScope } from './iam/grants.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const READS = new Set(READ_ACTIONS);

/** Grants of one statement family: one Sid, one set of condition keys. */
interface GrantGroup {
  sid: string;
  ifExists: boolean;
  /** Each action with the resources it is granted on, in the order first seen. */
  actions: Map<string, Set<string>>;
  context: Map<string, Set<string>>;
}

function groupGrants(grants: Grant[]): GrantGroup[] {
  const groups = new Map<string, GrantGroup>();
  for (const grant of grants) {
    const keys = Object.keys(grant.context ?? {}).sort();
    const id = `${grant.sid} ${keys.join(',')} ${grant.ifExists === true}`;
    const group = groups.get(id) ?? { sid: grant.sid, ifExists: grant.ifExists === true, actions: new Map(), context: new Map() };
    groups.set(id, group);
    const resources = group.actions.get(grant.action) ?? new Set<string>();
    group.actions.set(grant.action, resources);
    for (const resource of grant.resources) resources.add(resource);
    for (const [key, value] of Object.entries(grant.context ?? {})) group.context.set(key, (group.context.get(key) ?? new Set()).add(value));
  }
  return [...groups.values()];
}

function condition(group: GrantGroup): PolicyStatement['Condition'] {
  if (group.context.size === 0) return undefined;
  const values = Object.fromEntries([...group.context].map(([key, set]) => [key, set.size === 1 ? [...set][0]! : sorted(set)]));
  return { [group.ifExists ? 'StringEqualsIfExists' : 'StringEquals']: values };
}

/** One statement per set of resources (an action is never granted on another action's resources). */
function groupStatements(group: GrantGroup): Omit<PolicyStatement, 'Sid'>[] {
  const byResources = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [action, set] of group.actions) {
    // "*" covers every ARN: an action also granted on "*" needs nothing else.
    const resources = set.has('*') ? ['*'] : sorted(set);
    const key = resources.join(' ');
    byResources.set(key, { actions: [...(byResources.get(key)?.actions ?? []), action], resources });
  }
  const cond = condition(group);
  return [...byResources.values()].map(({ actions, resources }) => ({
    Effect: 'Allow', Action: sorted(actions), Resource: resources.length === 1 && resources[0] === '*' ? '*' : resources, ...(cond && { Condition: cond }),
  }));
}

/** Statements from grants, each Sid unique (a family that needs several statements numbers them). */
export function statementsOf(grants: Grant[]): PolicyStatement[] {
  const used = new Map<string, number>();
  return groupGrants(grants).flatMap((group) => groupStatements(group).map((statement) => {
    const n = (used.get(group.sid) ?? 0) + 1;
    used.set(group.sid, n);
    return { Sid: n === 1 ? group.sid : `${group.sid}${n}`, ...statement };
  }));
}

/** Without a plan: every mutation any plan may need, on "*", with the conditions that keep roles and tags to their use. */
function anyPlanGrants(): Grant[] {
  const everywhere = ['*'];
  return Object.entries(REQUIREMENTS).filter(([key, row]) => row.access === 'write' && key !== 'sts AssumeRole').flatMap(([, row]): Grant[] => [
    { action: row.action, resources: everywhere, sid: 'MeshctlApply' },
    ...(row.dependent ?? []).filter((d) => d.access !== 'read').map((d) => ({ action: d.action, resources: everywhere, sid: 'MeshctlApply' })),
    ...(row.tagOnCreate ? [row.tagOnCreate.createAction
      ? { action: row.tagOnCreate.action, resources: everywhere, sid: row.tagOnCreate.sid, context: { [row.tagOnCreate.createAction.key]: row.tagOnCreate.createAction.value } }
      : { action: row.tagOnCreate.action, resources: everywhere, sid: 'MeshctlApply' }] : []),
    ...(row.passesRoles ?? []).map((p) => ({ action: 'iam:PassRole', resources: everywhere, sid: 'MeshctlPassRoles', context: { 'iam:PassedToService': p.service } })),
    ...(row.linkedRole ? [{ action: 'iam:CreateServiceLinkedRole', resources: everywhere, sid: 'MeshctlServiceLinkedRoles', context: { 'iam:AWSServiceName': row.linkedRole.service } }] : []),
  ]);
}

/** Every grant the steps (of one account, when named) need, and their rollback's; reads are granted on "*" apart. */
function planGrants(scope: StepsScope, account?: string): Grant[] {
  const mine = (step: PlanStep) => account === undefined || (step.account ?? scope.account) === account;
  return scope.steps.filter(mine).flatMap((step) => [...stepGrants(step, scope), ...undoGrants(step, scope)]).filter((g) => !READS.has(g.action));
}

/** The policy for a plan (or the operations of a command, such as shift's), or without one for any plan; `account`: only its steps. */
export function iamPolicy(scope?: StepsScope, account?: string): PolicyDocument {
  const read: PolicyStatement = { Sid: 'MeshctlReadEstate', Effect: 'Allow', Action: [...READ_ACTIONS], Resource: '*' };
  return { Version: '2012-10-17', Statement: [read, ...statementsOf(scope ? planGrants(scope, account) : anyPlanGrants())] };
}

/** An account of the run, as iam-policy sees it. */
export interface PolicyAccount {
  name: string;
  /** The 12-digit id, when known (from a plan). */
  id?: string;
  /** The role meshctl assumes there; none for the caller's own account. */
  roleArn?: string;
  externalId?: string;
}

/** A role's trust policy: who may assume it (statements name a principal, not resources). */
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: (Omit<PolicyStatement, 'Resource'> & { Principal: { AWS: string } })[];
}

export interface AccountPolicy {
  account: string;
  id?: string;
  policy: PolicyDocument;
  /** The trust policy the assumed role needs: the caller's account may assume it (with the external id). */
  trustPolicy?: TrustPolicy;
}

/**
 * One policy per account: each account's steps scoped to its own resources,
 * and the caller's own allowed to assume the others' roles, whose trust
 * policies let the caller's account in.
 */
export function accountPolicies(accounts: PolicyAccount[], callerAccount: string | undefined, plan?: StepsScope): AccountPolicy[] {
  const partition = partitionOf(plan?.region ?? 'us-east-1');
  const roles = sorted(accounts.map((a) => a.roleArn).filter((r): r is string => !!r));
  return accounts.map((account) => {
    const id = account.id ?? (account.roleArn ? accountOfArn(account.roleArn) : callerAccount);
    const policy = plan && id ? iamPolicy(plan, id) : iamPolicy();
    if (!account.roleArn && roles.length > 0) {
      policy.Statement.push({ Sid: 'MeshctlAssumeAccountRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles });
    }
    const trustPolicy: TrustPolicy | undefined = account.roleArn ? {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'MeshctlCallerAssumes', Effect: 'Allow', Action: ['sts:AssumeRole'],
        Principal: { AWS: `arn:${partition}:iam::${callerAccount ?? 'CALLER_ACCOUNT_ID'}:root` },
        ...(account.externalId && { Condition: { StringEquals: { 'sts:ExternalId': account.externalId } } }),
      }],
    } : undefined;
    return { account: account.name, ...(id && { id }), policy, ...(trustPolicy && { trustPolicy }) };
  });
}
