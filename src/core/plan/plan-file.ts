// Reading a saved plan back: the format is checked before anything runs.
import { ExpectedError } from '../../util/expected-error.js';
import { PLAN_FORMAT_VERSION, type Plan } from './model.js';

export class PlanFileError extends ExpectedError {}

export function parsePlan(text: string, path: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${path} is not valid JSON (${(error as Error).message}); save a plan with meshctl plan --out ${path}`);
  }
  const plan = data as Partial<Plan>;
  if (plan?.tool !== 'meshctl' || typeof plan.formatVersion !== 'number') {
    throw new PlanFileError(`${path} is not a meshctl plan; save one with meshctl plan --out ${path}`);
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new PlanFileError(`${path} is a plan of format version ${plan.formatVersion}; this meshctl reads version ${PLAN_FORMAT_VERSION}: plan again with this version`);
  }
  for (const field of ['target', 'region', 'fingerprint', 'observed', 'steps', 'services', 'blocked'] as const) {
    if (plan[field] === undefined) throw new PlanFileError(`${path} has no ${field}; save the plan again with meshctl plan --out ${path}`);
  }
  const ids = new Set<string>();
  for (const step of plan.steps!) {
    if (!step.id || !step.service || !step.operation || typeof step.input !== 'object' || !Array.isArray(step.dependsOn)) {
      throw new PlanFileError(`${path}: step ${step.id ?? '(no id)'} needs id, service, operation, input and dependsOn`);
    }
    for (const dep of step.dependsOn) {
      if (!ids.has(dep)) throw new PlanFileError(`${path}: step ${step.id} depends on ${dep}, which is not an earlier step`);
    }
    ids.add(step.id);
  }
  return plan as Plan;
}
