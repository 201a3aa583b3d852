import { readFile } from 'node:fs/promises';
import { writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { iamPolicy } from '../core/iam-policy.js';
import { parsePlan } from '../core/plan/plan-file.js';

export async function runIamPolicy(planFile: string | undefined, _options: GlobalOptions): Promise<number> {
  let plan;
  if (planFile) {
    const text = await readFile(planFile, 'utf8').catch(() => {
      throw new UsageError(`cannot read plan ${planFile}; save one with meshctl plan --out ${planFile}`);
    });
    plan = parsePlan(text, planFile);
  }
  writeOut(JSON.stringify(iamPolicy(plan), null, 2));
  return EXIT_OK;
}
