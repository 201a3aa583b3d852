// A small IAM policy evaluator for tests: does a policy document allow an
// action on a resource, given the request's context keys? It follows the
// IAM User Guide ("Policy evaluation logic"; "IAM JSON policy elements:
// Action, Resource, Condition"; "Condition operators"): an explicit Deny
// wins, else some Allow statement must match the action (case-insensitive,
// wildcards * and ?), the resource (ARN wildcards; "*" alone matches any,
// and is the only pattern matching an action that takes no resource) and
// every condition (operators AND, values of one key OR; a missing key fails
// unless the operator ends in IfExists). Pure.

export interface EvaluatedStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface Request {
  action: string;
  /** The ARN the call is authorized on; "*" when the action takes no resource. */
  resource: string;
  context?: Record<string, string>;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A glob (* any run, ? one character) as a whole-string regular expression. */
function glob(pattern: string, flags = ''): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

export const actionMatches = (pattern: string, action: string) => glob(pattern, 'i').test(action);

/** ARNs match segment by segment (partition, service, region, account); the resource part may hold any character. */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (resource === '*') return false;
  const parts = (arn: string) => {
    const fields = arn.split(':');
    return [...fields.slice(0, 5), fields.slice(5).join(':')];
  };
  const [p, r] = [parts(pattern), parts(resource)];
  return p.length === 6 && r.length === 6 && p.every((segment, i) => glob(segment).test(r[i]!));
}

type Test = (value: string, expected: string) => boolean;
const OPERATORS: Record<string, Test> = {
  StringEquals: (v, e) => v === e,
  StringNotEquals: (v, e) => v !== e,
  StringEqualsIgnoreCase: (v, e) => v.toLowerCase() === e.toLowerCase(),
  StringLike: (v, e) => glob(e).test(v),
  StringNotLike: (v, e) => !glob(e).test(v),
  ArnEquals: (v, e) => v === e,
  ArnLike: (v, e) => resourceMatches(e, v),
  ArnNotEquals: (v, e) => v !== e,
  ArnNotLike: (v, e) => !resourceMatches(e, v),
  Bool: (v, e) => v.toLowerCase() === String(e).toLowerCase(),
};
const NEGATED = new Set(['StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);

export class UnknownOperatorError extends Error {}

function conditionHolds(operator: string, key: string, expected: unknown, context: Record<string, string>): boolean {
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  if (operator === 'Null') return (found === undefined) === (String(expected) === 'true');
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const test = OPERATORS[base];
  if (!test) throw new UnknownOperatorError(`the evaluator knows no condition operator ${operator}`);
  if (found === undefined) return ifExists;
  const values = list(expected as string | string[]).map(String);
  // Negated operators hold when no value matches; the others when one does.
  return NEGATED.has(base) ? values.every((e) => test(found, e)) : values.some((e) => test(found, e));
}

function statementMatches(statement: EvaluatedStatement, request: Request): boolean {
  const context = request.context ?? {};
  return list(statement.Action).some((a) => actionMatches(a, request.action))
    && list(statement.Resource).some((r) => resourceMatches(r, request.resource))
    && Object.entries(statement.Condition ?? {}).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, context)));
}

/** Allowed: no Deny matches and some Allow does. */
export function isAllowed(policy: { Statement: EvaluatedStatement[] }, request: Request): boolean {
  const matching = policy.Statement.filter((s) => statementMatches(s, request));
  return !matching.some((s) => s.Effect === 'Deny') && matching.some((s) => s.Effect === 'Allow');
}
