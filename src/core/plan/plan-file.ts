// Reads a saved plan: its structure, the operations it may send, and that
// its content is what was planned (the fingerprint covers everything apply
// acts on). A plan that fails any of these is refused before anything runs.
import { ExpectedError } from '../../util/expected-error.js';
import { TARGETS, type Target } from '../sidecars.js';
import { disallowedSteps } from './allowed-operations.js';
import { planFingerprint } from './fingerprint.js';
import { PLAN_FORMAT_VERSION, type Plan, type PlanStep } from './model.js';

export class PlanFileError extends ExpectedError {}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parsePlan(text: string, path: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${path} is not valid JSON (${(error as Error).message}); save a plan with meshctl plan --out ${path}`);
  }
  const plan = data as Partial<Plan>;
  if (!isObject(plan) || plan.tool !== 'meshctl' || typeof plan.formatVersion !== 'number') {
    throw new PlanFileError(`${path} is not a meshctl plan; save one with meshctl plan --out ${path}`);
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new PlanFileError(`${path} is a plan of format version ${plan.formatVersion}; this meshctl reads version ${PLAN_FORMAT_VERSION}: plan again with this version`);
  }
  for (const field of ['target', 'region', 'fingerprint', 'observed', 'steps', 'services', 'blocked'] as const) {
    if (plan[field] === undefined) throw new PlanFileError(`${path} has no ${field}; save the plan again with meshctl plan --out ${path}`);
  }
  const fault = (what: string) => new PlanFileError(`${path}: ${what}; save the plan again with meshctl plan --out ${path}`);
  if (!TARGETS.includes(plan.target as Target)) throw fault(`target ${JSON.stringify(plan.target)} is not one of ${TARGETS.join(', ')}`);
  for (const field of ['steps', 'services', 'blocked'] as const) {
    if (!Array.isArray(plan[field])) throw fault(`${field} is not a list`);
  }
  if (!isObject(plan.observed) || !['services', 'meshResources', 'cloudMap'].every((k) => isObject((plan.observed as unknown as Record<string, unknown>)[k]))) {
    throw fault('observed needs services, meshResources and cloudMap objects');
  }
  if (plan.held !== undefined && (!isObject(plan.held) || !Array.isArray(plan.held.services) || !Array.isArray(plan.held.steps))) {
    throw fault('held needs services and steps lists');
  }
  const ids = new Set<string>();
  for (const step of plan.steps as unknown[]) {
    if (!isObject(step)) throw fault('a step is not an object');
    const s = step as Partial<PlanStep>;
    if (typeof s.id !== 'string' || typeof s.service !== 'string' || typeof s.operation !== 'string' || !isObject(s.input) || !Array.isArray(s.dependsOn)) {
      throw new PlanFileError(`${path}: step ${typeof s.id === 'string' ? s.id : '(no id)'} needs id, service, operation, input and dependsOn`);
    }
    for (const dep of s.dependsOn) {
      if (!ids.has(dep)) throw new PlanFileError(`${path}: step ${s.id} depends on ${dep}, which is not an earlier step`);
    }
    ids.add(s.id);
  }
  const kind = plan.rollback ? 'rollback' : plan.finalize ? 'finalize' : plan.target as Target;
  const foreign = disallowedSteps(kind, plan.steps as PlanStep[]);
  if (foreign.length > 0) {
    throw new PlanFileError(`${path}: meshctl never plans ${foreign.map((s) => `${s.service} ${s.operation} (step ${s.id})`).join(', ')} for ${plan.rollback ? 'a rollback' : plan.finalize ? 'a finalize' : `target ${plan.target}`}; refusing the plan`);
  }
  const expected = planFingerprint(plan as Plan);
  if (expected !== plan.fingerprint) {
    throw new PlanFileError(`${path}: the plan was edited after it was made (its content does not match its fingerprint ${String(plan.fingerprint).slice(0, 19)}…); make a new plan with meshctl plan --out ${path} and review that`);
  }
  return plan as Plan;
}
