// What a new user ran into on the demo fixtures: exit codes under
// --detailed-exitcode, a plan saved into a missing directory, a poll interval
// that would hammer AWS, a repeated --cluster on rollback, a config with
// several mistakes.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const DEMO = ['--fixtures', 'fixtures/demo'];

describe('exit codes and refusals on the demo', () => {
  it('plan --detailed-exitcode: a mistyped flag exits 1 (2 means changes), changes exit 2', async () => {
    const typo = await runCli(['plan', ...DEMO, '--detailed-exitcode', '--servce', 'web']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("unknown option '--servce'");
    expect((await runCli(['plan', ...DEMO, '--servce', 'web'])).code).toBe(2);
    expect((await runCli(['plan', ...DEMO, '--detailed-exitcode', '--service', 'web'])).code).toBe(2);
  });

  it('plan --out into a directory that does not exist names the directory', async () => {
    const result = await runCli(['plan', ...DEMO, '--out', '/no/such/dir/plan.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meshctl: error: cannot save the plan to /no/such/dir/plan.json: the directory /no/such/dir does not exist; create it or choose another --out\n');
  });

  it('refuses a --poll-interval under one second', async () => {
    for (const interval of ['0s', '500ms']) {
      const result = await runCli(['apply', ...DEMO, '--dry-run', '--poll-interval', interval]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--poll-interval ${interval} is under 1s`);
    }
    expect((await runCli(['rollback', ...DEMO, '--dry-run', '--service', 'pricing', '--poll-interval', '0s'])).stderr).toContain('is under 1s');
    expect((await runCli(['apply', ...DEMO, '--dry-run', '--poll-interval', '1s'])).code).toBe(0);
  });

  it('rollback --cluster is repeatable, like every other command\'s', async () => {
    const result = await runCli(['rollback', ...DEMO, '--dry-run', '--cluster', 'legacy-mesh', '--cluster', 'shop-fargate', '--service', 'pricing', '--service', 'web']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('legacy-mesh/pricing: no ACTIVE revision before pricing:1');
    expect(result.stdout).toContain('shop-fargate/web: not on a mesh');
  });

  it('config validation lists every error in the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-config-'));
    const file = join(dir, 'meshctl.yaml');
    await writeFile(file, 'target: istio\nmesh:\n  egressFilter: SOMETIMES\negressIgnoredIPs: [not-an-ip]\n');
    const result = await runCli(['plan', ...DEMO, '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} has 3 errors:`);
    for (const field of ['target:', 'mesh.egressFilter:', 'egressIgnoredIPs.0:']) expect(result.stderr).toContain(`\n  ${field}`);
  });

  it('precheck shows ✔ for cross-vpc-reachability when it ran and found nothing', async () => {
    const result = await runCli(['precheck', ...DEMO, '--service', 'web']);
    expect(result.stdout).toMatch(/^estate\n {2}✔ .*cross-vpc-reachability/m);
  });

  it('plan --summary prints the summary table with the order, the blocked services and the totals, no diffs', async () => {
    const result = await runCli(['plan', ...DEMO, '--summary']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^service +action .* order$/m);
    expect(result.stdout).toContain('blocked (left out of the plan)');
    expect(result.stdout).toMatch(/^Plan: \d+ to create/m);
    expect(result.stdout).not.toContain('--- current');
    expect(result.stdout).not.toMatch(/\[ecs UpdateService\]/);
  });
});
