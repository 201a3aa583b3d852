// The README's GitHub Actions recipe is a real workflow: it parses, and it
// checks out, sets up Node, installs meshctl from its repository, assumes the
// AWS role through OIDC and runs precheck with annotations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The first YAML block after "In GitHub Actions" in the README. */
function recipe(): string {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('```yaml\n', readme.indexOf('In GitHub Actions'));
  return readme.slice(start + '```yaml\n'.length, readme.indexOf('```', start + 7));
}
interface Step { uses?: string; run?: string; with?: Record<string, unknown> }

describe('the CI recipe', () => {
  const text = recipe();
  const workflow = parse(text) as { permissions: Record<string, string>; env: Record<string, string>; jobs: Record<string, { 'runs-on': string; needs?: string; if?: string; steps: Step[] }> };
  const steps = Object.values(workflow.jobs)[0]!.steps;
  const uses = (prefix: string) => steps.find((s) => s.uses?.startsWith(prefix));

  it('is a complete workflow', () => {
    expect(text).toContain('name: meshctl precheck');
  });

  it('checks out, sets up Node 22 or 24, installs from the repository, assumes the role by OIDC, then runs precheck', () => {
    expect(workflow.permissions['id-token']).toBe('write');
    expect(Object.values(workflow.jobs)[0]!['runs-on']).toBe('ubuntu-latest');
    expect(uses('actions/checkout@')).toBeDefined();
    // Node 20 reached end of life in April 2026.
    expect([22, 24]).toContain(Number(uses('actions/setup-node@')!.with!['node-version']));
    // The way test/e2e/install.test.ts proves (a git URL).
    const install = steps.findIndex((s) => s.run?.includes('npm install --global "github:'));
    const credentials = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const precheck = steps.findIndex((s) => /^meshctl precheck .*--format github/.test(s.run ?? ''));
    expect(install).toBeGreaterThan(0);
    expect(steps[credentials]!.with).toMatchObject({ 'role-to-assume': expect.stringContaining('secrets.'), 'aws-region': expect.any(String) });
    expect(steps[credentials]!.with).not.toHaveProperty('aws-access-key-id');
    expect(precheck).toBeGreaterThan(credentials);
    expect(credentials).toBeGreaterThan(install);
  });

  it('keeps the state in S3 for every job, and its apply job applies into it and follows the rollout from it', () => {
    expect(workflow.env.MESHCTL_STATE).toMatch(/^s3:\/\/[a-z0-9.-]+\/.+/);
    const apply = workflow.jobs.apply!;
    expect(apply.needs).toBe('precheck');
    expect(apply.if).toContain('workflow_dispatch');
    const runs = apply.steps.map((s) => s.run ?? '');
    const credentials = apply.steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const applied = runs.findIndex((r) => /^meshctl apply \S+\.json --no-wait$/.test(r));
    const watched = runs.findIndex((r) => /^meshctl status --watch\b/.test(r));
    expect(credentials).toBeGreaterThan(runs.findIndex((r) => r.includes('npm install --global "github:')));
    expect(applied).toBeGreaterThan(credentials);
    expect(watched).toBeGreaterThan(applied);
    // No journal is kept on the runner: nothing says --state .meshctl or uploads it.
    expect(text).not.toMatch(/\.meshctl/);
  });
});
