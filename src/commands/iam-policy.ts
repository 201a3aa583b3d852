import { readFile } from 'node:fs/promises';
import { accountOfArn, HOME_ACCOUNT } from '../aws/accounts.js';
import { config, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { accountPolicies, iamPolicy, type PolicyAccount } from '../core/iam-policy.js';
import type { Plan } from '../core/plan/model.js';
import { parsePlan } from '../core/plan/plan-file.js';

/**
 * One account: its policy. Several (meshctl.yaml's accounts, or a plan over
 * several): one policy per account, and the trust policy each assumed role needs.
 */
export async function runIamPolicy(planFile: string | undefined, options: GlobalOptions): Promise<number> {
  let plan: Plan | undefined;
  if (planFile) {
    const text = await readFile(planFile, 'utf8').catch(() => {
      throw new UsageError(`cannot read plan ${planFile}; save one with meshctl plan --out ${planFile}`);
    });
    plan = parsePlan(text, planFile);
  }
  const configured = Object.entries((await config(options)).accounts);
  const planAccounts = Object.keys(plan?.accounts ?? {});
  if (configured.length === 0 && planAccounts.length < 2) {
    writeOut(JSON.stringify(iamPolicy(plan), null, 2));
    return EXIT_OK;
  }
  const accounts: PolicyAccount[] = configured.some(([, a]) => !a.roleArn && !a.profile) ? [] : [{ name: HOME_ACCOUNT, ...(plan && { id: plan.account }) }];
  for (const [name, a] of configured) {
    const id = (a.roleArn ? accountOfArn(a.roleArn) : undefined) ?? (!a.profile && plan ? plan.account : undefined) ?? Object.entries(plan?.accounts ?? {}).find(([, n]) => n === name)?.[0];
    accounts.push({ name, ...(id && { id }), ...(a.roleArn && { roleArn: a.roleArn }), ...(a.externalId && { externalId: a.externalId }) });
  }
  // A plan's accounts that meshctl.yaml does not name (made with another config) still get their policy.
  for (const [id, name] of Object.entries(plan?.accounts ?? {})) {
    if (!accounts.some((a) => a.id === id)) accounts.push({ name, id });
  }
  writeOut(JSON.stringify(accountPolicies(accounts, plan?.account, plan), null, 2));
  return EXIT_OK;
}
