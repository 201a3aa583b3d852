// The two-account demo fixtures (a provider account sharing its Cloud Map
// namespace with the caller's): plans over accounts replay from recordings
// of each account, every step names its account, inputs are valid.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import { runCli } from '../support/cli.js';
import { validateInput } from '../support/sdk-shapes.js';

const TWO = ['--fixtures', 'fixtures/two-accounts', '--config', 'fixtures/two-accounts/meshctl.yaml'];
const PROVIDER = '111111111111';
const CALLER = '123456789012';

async function config(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'meshctl-accounts-')), 'meshctl.yaml');
  await writeFile(path, text);
  return path;
}

describe('a plan over two accounts, replayed', () => {
  it('groups the plan by account: the provider shares its namespace, the caller accepts and moves checkout after pricing', async () => {
    const result = await runCli(['plan', ...TWO]);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    const provider = out.indexOf(`account provider (${PROVIDER})`);
    const caller = out.indexOf(`account caller (${CALLER})`);
    expect(provider).toBeGreaterThan(0);
    expect(caller).toBeGreaterThan(provider);
    expect(out.indexOf('RAM share of Cloud Map namespace shop.internal')).toBeGreaterThan(provider);
    expect(out.indexOf('accept the RAM invitation')).toBeGreaterThan(caller);
    expect(out).toContain('rollout: step 2, after pricing/pricing-api completed (servers before clients)');
    // Service Connect config only: the revision, its size and its cost stay.
    expect(out).toMatch(/storefront\/checkout\s+update in place\s+512\/1024 → 512\/1024 \(no usage data\)\s+\+\$0\.00/);
  });

  it('puts an account on every step, and every input is valid for its API', async () => {
    const result = await runCli(['plan', ...TWO, '--output', 'json']);
    const plan = JSON.parse(result.stdout) as Plan;
    expect(plan.account).toBe(CALLER);
    expect(plan.accounts).toEqual({ [CALLER]: 'caller', [PROVIDER]: 'provider' });
    for (const step of plan.steps) {
      expect(step.account, step.id).toMatch(/^\d{12}$/);
      const input = JSON.parse(JSON.stringify(step.input).replace(/\{"\$ref":"[^"]+","path":"[^"]+"\}/g, '"arn:aws:ram:us-east-1:111111111111:resource-share/x"'));
      // The acceptance names its share; apply looks the invitation up (GetResourceShareInvitations) and sends its ARN.
      if (step.operation !== 'AcceptResourceShareInvitation') expect(validateInput(step.service, step.operation, input), step.id).toEqual([]);
    }
  });

  it('apply --dry-run says which account sends each operation, and sends none', async () => {
    const result = await runCli(['apply', '--dry-run', ...TWO]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`1. ram CreateResourceShare in provider (${PROVIDER})`);
    expect(result.stdout).toContain(`ecs UpdateService in caller (${CALLER})`);
  });

  it('--account provider plans the provider alone: checkout is not read', async () => {
    const result = await runCli(['plan', ...TWO, '--account', 'provider', '--output', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as Plan;
    expect(plan.services.map((s) => s.cluster)).toEqual(['pricing']);
    expect(plan.steps.every((s) => s.account === PROVIDER)).toBe(true);
  });

  it('an account the fixtures did not record is a clear error', async () => {
    const path = await config('accounts:\n  billing:\n    roleArn: arn:aws:iam::222222222222:role/meshctl\n');
    const result = await runCli(['inspect', '--fixtures', 'fixtures/two-accounts', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('have no recording of account billing (fixtures/two-accounts/accounts/billing)');
  });

  it('refuses an account given both a role and a profile, and an unknown --account', async () => {
    const both = await config('accounts:\n  billing:\n    roleArn: arn:aws:iam::222222222222:role/meshctl\n    profile: billing\n');
    const result = await runCli(['inspect', ...TWO.slice(0, 2), '--config', both]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('accounts.billing: give roleArn or profile, not both');
    const unknown = await runCli(['inspect', ...TWO, '--account', 'billing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--account billing: no such account; the accounts are caller, provider');
  });

  it('iam-policy prints one policy per account and the provider role\'s trust policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-accounts-'));
    await runCli(['plan', ...TWO, '--out', join(dir, 'plan.json')]);
    const result = await runCli(['iam-policy', join(dir, 'plan.json'), '--config', 'fixtures/two-accounts/meshctl.yaml']);
    const policies = JSON.parse(result.stdout) as { account: string; trustPolicy?: unknown }[];
    expect(policies.map((p) => [p.account, p.trustPolicy !== undefined])).toEqual([['caller', false], ['provider', true]]);
  });
});
