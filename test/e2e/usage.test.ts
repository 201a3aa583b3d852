// Sizing from usage on the demo fixtures, replayed on whatever day the test
// runs: the recorded metric reads answer by what they ask, not by when.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/checks/rule.js';
import type { Plan } from '../../src/core/plan/model.js';
import { runCli } from '../support/cli.js';

const DEMO = ['--fixtures', 'fixtures/demo'];

describe('usage on the demo fixtures', () => {
  it('sizes search from its recorded peak in the plan, and precheck names the same numbers', async () => {
    const text = await runCli(['plan', ...DEMO]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/shop-ec2\/search\s+update in place\s+-\/- → -\/1217 \(peak 384\/922\)/);
    expect(text.stdout).toMatch(/shop-ec2\/audit\s+update in place\s+-\/- → -\/320 \(peak 21\/90\)/);
    expect(text.stdout).toMatch(/legacy-mesh\/pricing\s+green pricing-sc\s+2048\/4096 → 2048\/4096 \(peak 1127\/1680, 620 req\/s\)/);
    expect(text.stdout).toMatch(/shop-ec2\/orders\s+update in place\s+1536\/2048 → 1792\/2112 \(no usage data\)/);
    expect(text.stdout).toContain('peak 620 requests/s per task, above AWS\'s 500: the Service Connect agent is sized at 512 CPU units');

    const report = JSON.parse((await runCli(['precheck', ...DEMO, '--format', 'json'])).stdout) as { findings: Finding[] };
    const search = report.findings.find((f) => f.service === 'search' && f.rule === 'task-memory')!;
    expect(search).toMatchObject({ severity: 'warning' });
    expect(search.message).toContain('peak 922 MiB (busiest task over the last 14d) against 512 MiB of reservations: a hard limit of 576 MiB would OOM-kill it; the plan sets 1217 MiB');
    const orders = report.findings.find((f) => f.service === 'orders' && f.rule === 'observed-usage')!;
    expect(orders.message).toContain('no usage in CloudWatch over the last 14d (no datapoints');
  });

  it('--no-usage sizes from the task definitions alone; a window the recording lacks leaves every service without data, and the run goes on', async () => {
    const plain = await runCli(['plan', ...DEMO, '--no-usage', '--output', 'json']);
    const plan = JSON.parse(plain.stdout) as Plan;
    expect(plan.steps.find((s) => s.id === 'task-definition:shop-ec2/search')!.input.memory).toBe('576');
    expect(plan.services.some((s) => s.usage)).toBe(false);

    const other = await runCli(['plan', ...DEMO, '--usage-window', '30d']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toMatch(/shop-ec2\/search\s+update in place\s+-\/- → -\/576 \(no usage data\)/);
  });

  it('refuses usage flags for a plan that is already sized, and bad values, naming the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-usage-'));
    const file = join(dir, 'plan.json');
    expect((await runCli(['plan', ...DEMO, '--out', file])).code).toBe(0);
    const refused = await runCli(['apply', file, ...DEMO, '--dry-run', '--usage-window', '7d']);
    // 2: the command could not run (bad input).
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`meshctl: error: --no-usage, --usage-window and --usage-headroom choose how to size a plan; ${file} is already sized`);
    const bad = await runCli(['precheck', ...DEMO, '--usage-window', '90m']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('meshctl: error: --usage-window 90m: give whole hours or days between 1h and 455d (CloudWatch keeps hourly data for 455 days), for example 14d or 36h');
  });
});
