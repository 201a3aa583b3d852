import { readFile } from 'node:fs/promises';
import { journalFor } from '../apply/open-state.js';
import { accountOfArn, HOME_ACCOUNT } from '../aws/accounts.js';
import { config, openAws, openRunState, stateSettings, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { blueGreenPairs } from '../core/cutover/pairs.js';
import { shiftOperations } from '../core/cutover/shift-operations.js';
import { accountPolicies, iamPolicy, partitionOf, type PolicyAccount, type StepsScope } from '../core/iam-policy.js';
import { stateBucketStatements } from '../core/iam-state-policy.js';
import { parsePlan } from '../core/plan/plan-file.js';
import { inState, locationOf, parseStateUrl } from '../core/state.js';

export interface IamPolicyOptions extends GlobalOptions {
  for?: string;
  journal?: string;
  service?: string[];
  route53Zone?: string;
}

/** What the policy is scoped to: a plan's steps, or a shift's operations. */
type PolicyScope = StepsScope & { accounts?: Record<string, string> };

async function planScope(planFile: string): Promise<PolicyScope> {
  const text = await readFile(planFile, 'utf8').catch(() => {
    throw new UsageError(`cannot read plan ${planFile}; save one with meshctl plan --out ${planFile}`);
  });
  return parsePlan(text, planFile);
}

/** shift is no saved plan: its weight moves come from the apply journal's blue-green pairs (or a Route 53 zone). */
async function shiftScope(options: IamPolicyOptions): Promise<PolicyScope> {
  // The journal may be in an S3 state: only then is AWS reached (to read it).
  const remote = stateSettings(options, await config(options)).url.startsWith('s3://') || !!options.journal?.startsWith('s3://');
  const state = await openRunState(options, remote ? await openAws(options, { allowMutations: false }) : undefined);
  const loaded = await journalFor(state, options.journal, 'apply');
  if (!loaded) throw new UsageError(`no apply journal ${inState(state.home)}: iam-policy --for shift scopes the policy to a blue-green apply; pass --journal FILE`);
  const { journal } = loaded;
  const path = locationOf(loaded.ref);
  const pairs = options.route53Zone ? [] : blueGreenPairs(journal, options.service ?? []);
  if (!options.route53Zone && pairs.length === 0) {
    throw new UsageError(`no blue-green pair behind a load balancer in ${path}${options.service ? ` for ${options.service.join(', ')}` : ''}: for a Route 53 entry point, name its hosted zone with --route53-zone`);
  }
  const accountOf = (label: string) => journal.services[label]?.account ?? (accountOfArn(journal.services[label]?.serviceArn ?? '') || undefined);
  const steps = shiftOperations(pairs, accountOf, options.route53Zone);
  return { region: journal.region, account: steps.find((s) => s.account)?.account ?? '', steps };
}

async function scopeOf(planFile: string | undefined, options: IamPolicyOptions): Promise<PolicyScope | undefined> {
  if (options.for !== undefined && options.for !== 'shift') {
    throw new UsageError(`--for ${options.for}: iam-policy scopes to a plan file (plan, rollback --out, finalize's saved plan) or --for shift`);
  }
  if (options.for === 'shift') {
    if (planFile) throw new UsageError('--for shift reads the apply journal (--journal FILE), not a plan file');
    return shiftScope(options);
  }
  if (options.journal || options.route53Zone || options.service) throw new UsageError('--journal, --service and --route53-zone go with --for shift');
  return planFile ? planScope(planFile) : undefined;
}

/**
 * One account: its policy. Several (meshctl.yaml's accounts, or a plan over
 * several): one policy per account, and the trust policy each assumed role needs.
 */
export async function runIamPolicy(planFile: string | undefined, options: IamPolicyOptions): Promise<number> {
  const plan = await scopeOf(planFile, options);
  const settings = await config(options);
  const configured = Object.entries(settings.accounts);
  const planAccounts = Object.keys(plan?.accounts ?? {});
  // An S3 state: its statements go to the policy of the account whose credentials reach it.
  const stateConfig = stateSettings(options, settings);
  const state = parseStateUrl(stateConfig.url);
  const stateStatements = state.kind === 's3' ? stateBucketStatements({ ...state, kmsKeyId: stateConfig.kmsKeyId }, partitionOf(plan?.region ?? '')) : [];
  if (configured.length === 0 && planAccounts.length < 2) {
    const policy = iamPolicy(plan);
    policy.Statement.push(...stateStatements);
    writeOut(JSON.stringify(policy, null, 2));
    return EXIT_OK;
  }
  const home = plan?.account || undefined;
  const accounts: PolicyAccount[] = configured.some(([, a]) => !a.roleArn && !a.profile) ? [] : [{ name: HOME_ACCOUNT, ...(home && { id: home }) }];
  for (const [name, a] of configured) {
    const id = (a.roleArn ? accountOfArn(a.roleArn) : undefined) ?? (!a.profile && home ? home : undefined) ?? Object.entries(plan?.accounts ?? {}).find(([, n]) => n === name)?.[0];
    accounts.push({ name, ...(id && { id }), ...(a.roleArn && { roleArn: a.roleArn }), ...(a.externalId && { externalId: a.externalId }) });
  }
  // A plan's accounts that meshctl.yaml does not name (made with another config) still get their policy.
  for (const [id, name] of Object.entries(plan?.accounts ?? {})) {
    if (!accounts.some((a) => a.id === id)) accounts.push({ name, id });
  }
  const policies = accountPolicies(accounts, home, plan);
  const stateAccount = settings.state?.account ?? configured.find(([, a]) => !a.roleArn && !a.profile)?.[0] ?? HOME_ACCOUNT;
  policies.find((p) => p.account === stateAccount)?.policy.Statement.push(...stateStatements);
  writeOut(JSON.stringify(policies, null, 2));
  return EXIT_OK;
}
