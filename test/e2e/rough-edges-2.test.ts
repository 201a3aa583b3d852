// More of what a new user ran into, on the demo fixtures: a journal read
// against another region's or account's estate, shift --to 100 without a
// terminal to confirm on, long output on a terminal (through PAGER).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { isolatedEnv, ROOT, runCli } from '../support/cli.js';
import { runOnTerminal } from '../support/on-terminal.js';

const DEMO = ['--fixtures', join(ROOT, 'fixtures/demo')];

/** An apply journal of shop-fargate/web, in `region` and `account`. */
async function journalFile(region: string, account: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-journal-'));
  const journal: Journal = {
    formatVersion: 1, tool: 'meshctl', planFingerprint: `sha256:${'a'.repeat(64)}`, region, target: 'service-connect', mesh: '',
    startedAt: '2026-12-01T09:00:00.000Z', updatedAt: '2026-12-01T09:05:00.000Z', created: [],
    services: {
      'shop-fargate/web': {
        cluster: 'shop-fargate', service: 'web', serviceArn: `arn:aws:ecs:${region}:${account}:service/shop-fargate/web`, account,
        previousTaskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/web:1`, previousServiceRegistries: [],
        newTaskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/web:2`, state: 'updated',
      },
    },
    steps: { 'task-definition:shop-fargate/web': { status: 'done' }, 'ecs-service:shop-fargate/web': { status: 'done' } },
  };
  const file = join(dir, 'journal.json');
  await writeFile(file, JSON.stringify(journal));
  return { dir, file };
}

describe('a journal read against another estate', () => {
  it('status refuses a journal of another region, naming it', async () => {
    const { file } = await journalFile('us-west-2', '123456789012');
    const result = await runCli(['status', ...DEMO, '--journal', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`meshctl: error: the journal ${file} is for us-west-2; pass --region us-west-2\n`);
  });

  it('status, rollback, shift and finalize refuse a journal of another account, naming both', async () => {
    const { dir, file } = await journalFile('us-east-1', '111111111111');
    for (const command of [['status'], ['rollback', '--dry-run'], ['shift', '--to', '10', '--dry-run', '--route53-zone', 'Z1', '--route53-name', 'shop.example.com'], ['finalize', '--dry-run']]) {
      const result = await runCli([...command, ...DEMO, '--journal', file], isolatedEnv(), dir);
      expect(result.code, command.join(' ')).toBe(2);
      expect(result.stderr, command.join(' ')).toContain(`the journal ${file} is for account 111111111111, but these credentials act in account 123456789012`);
    }
  });
});

describe('shift --to 100', () => {
  it('asks for confirmation: without a terminal it needs --yes, before anything is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-shift-'));
    const result = await runCli(['shift', '--to', '100'], isolatedEnv(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meshctl: error: shift --to 100 sends all the traffic to green at once and asks for confirmation, and there is no terminal to ask on: pass --yes, or shift in steps (--steps 10,50,100)\n');
    // --yes, a smaller move or a dry run go on (here to the AWS session, which has no region).
    for (const flags of [['--to', '100', '--yes'], ['--to', '50'], ['--to', '100', '--dry-run']]) {
      const goesOn = await runCli(['shift', ...flags], isolatedEnv(), dir);
      expect(goesOn.stderr, flags.join(' ')).not.toContain('asks for confirmation');
      expect(goesOn.stderr, flags.join(' ')).toContain('no AWS region');
    }
  });
});

describe('long output on a terminal', () => {
  const PAGER = "sed 's/^/paged: /'";

  it('goes through PAGER; not with --no-pager, not for --output json, not when piped', async () => {
    const env = isolatedEnv({ PAGER });
    const paged = await runOnTerminal(['plan', ...DEMO], { env, cwd: ROOT });
    expect(paged.code).toBe(0);
    expect(paged.output).toContain('paged: meshctl plan · target service-connect');
    expect(paged.output).toMatch(/^paged: Plan: \d+ to create/m);
    for (const flags of [['--no-pager'], ['--output', 'json']]) {
      const straight = await runOnTerminal(['plan', ...DEMO, ...flags], { env, cwd: ROOT });
      expect(straight.code, flags.join(' ')).toBe(0);
      expect(straight.output, flags.join(' ')).not.toContain('paged: ');
    }
    const piped = await runCli(['plan', ...DEMO], env);
    expect(piped.stdout).toMatch(/^meshctl plan · target service-connect/);
  });
});

describe('a selection whose services call servers outside it', () => {
  it('plan --service web names them on web, in text and JSON, with the plans that move them first; reading one name each', async () => {
    const text = await runCli(['plan', ...DEMO, '--service', 'web', '--verbose']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^shop-fargate\/web .* 1 \(after shop-fargate\/catalog, shop-ec2\/orders, outside this plan\)$/m);
    expect(text.stdout).toContain('rollout: step 1; servers outside this plan should move first: shop-fargate/catalog, shop-ec2/orders (see server-outside-selection)');
    expect(text.stdout).toContain('‼ server-outside-selection  shop-fargate/web: calls shop-fargate/catalog (catalog.shop.local), shop-ec2/orders (orders.shop.local), outside this selection and not on Service Connect yet');
    expect(text.stdout).toContain('hint: Move them first (meshctl plan --cluster shop-ec2 --service orders; meshctl plan --cluster shop-fargate --service catalog)');
    // Bounded: who serves a name is read for the two names web calls, not for the estate.
    expect(text.stderr.match(/servicediscovery ListInstances/g)).toHaveLength(2);
    const json = JSON.parse((await runCli(['plan', ...DEMO, '--service', 'web', '--output', 'json'])).stdout) as { services: { rollout: unknown }[] };
    expect(json.services[0]!.rollout).toEqual({ position: 1, after: [], outside: [{ name: 'catalog.shop.local', server: 'shop-fargate/catalog' }, { name: 'orders.shop.local', server: 'shop-ec2/orders' }] });
  });

  it('precheck --cluster shop-fargate warns on web, checkout and shipping about orders in shop-ec2 and on ledger about payments; the whole estate reads and says nothing of it', async () => {
    const narrowed = await runCli(['precheck', ...DEMO, '--cluster', 'shop-fargate', '--output', 'json']);
    const findings = (JSON.parse(narrowed.stdout) as { findings: { rule: string; service: string; message: string }[] }).findings.filter((f) => f.rule === 'server-outside-selection');
    expect(findings.map((f) => f.service).sort()).toEqual(['checkout', 'ledger', 'shipping', 'web']);
    for (const f of findings) {
      const server = f.service === 'ledger' ? 'payments' : 'orders';
      expect(f.message).toContain(`calls shop-ec2/${server} (${server}.shop.local), outside this selection`);
    }
    expect(narrowed.code).toBe(1);
    const whole = await runCli(['precheck', ...DEMO, '--verbose']);
    expect(whole.stdout).not.toContain('‼ server-outside-selection');
    expect(whole.stderr).not.toContain('ListInstances');
  });
});
