// Services infrastructure code owns, end to end on the demo fixtures: ledger
// (a CloudFormation stack's), reviews (Copilot's) and shipping (Terraform's,
// by the tags fixtures/demo/meshctl.yaml names: --config).
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const DEMO = ['--fixtures', 'fixtures/demo', '--config', 'fixtures/demo/meshctl.yaml'];
const OWNED = ['shop-fargate/ledger', 'shop-fargate/reviews', 'shop-fargate/shipping'];

describe('owners on the demo fixtures', () => {
  it('inspect shows each service\'s owner, text and JSON; Terraform only through meshctl.yaml', async () => {
    const text = await runCli(['inspect', ...DEMO]);
    expect(text.stdout).toMatch(/ledger .*cloudformation:shop-ledger/);
    expect(text.stdout).toMatch(/reviews .*copilot:shop\/prod\/reviews/);
    expect(text.stdout).toMatch(/shipping .*terraform:prod/);
    const json = JSON.parse((await runCli(['inspect', ...DEMO, '--output', 'json'])).stdout) as { clusters: { services: { service: string; owner?: { name: string; stack?: string } }[] }[] };
    const owners = Object.fromEntries(json.clusters.flatMap((c) => c.services).map((s) => [s.service, s.owner?.name ?? null]));
    expect(owners).toMatchObject({ ledger: 'cloudformation', reviews: 'copilot', shipping: 'terraform', web: null });
    // fixtures/demo/meshctl.yaml names the Terraform owner: without it, AWS's own tags still name the other two.
    const without = await runCli(['inspect', '--fixtures', 'fixtures/demo']);
    expect(without.stdout).toMatch(/shipping .*none {2}-/);
    expect(without.stdout).toMatch(/ledger .*cloudformation:shop-ledger/);
  });

  it('precheck names the owners, the deploy that would revert the move and the export that carries it (warnings)', async () => {
    const result = await runCli(['precheck', ...DEMO, '--format', 'json']);
    const findings = (JSON.parse(result.stdout) as { findings: { rule: string; severity: string; cluster: string; service: string; message: string; hint: string }[] }).findings.filter((f) => f.rule === 'iac-owner');
    expect(findings.map((f) => `${f.cluster}/${f.service} ${f.severity}`)).toEqual(OWNED.map((s) => `${s} warning`));
    expect(findings[0]!.message).toContain('owned by CloudFormation stack shop-ledger (logical id LedgerService, task definition LedgerTaskDefinition)');
    expect(findings[1]!.message).toContain('its next deploy (copilot svc deploy --app shop --env prod --name reviews)');
    expect(findings[2]!.message).toContain('owned by Terraform, workspace prod: its next deploy (terraform apply in workspace prod)');
    expect(findings[2]!.hint).toContain('meshctl plan --export DIR --format terraform');
  });

  it('apply holds them without --allow-iac-owned, and moves them with it; the plan says why, JSON too', async () => {
    const held = JSON.parse((await runCli(['apply', ...DEMO, '--dry-run', '--output', 'json'])).stdout) as { held: { cluster: string; service: string; reason: string }[]; steps: { ecsService?: string }[] };
    expect(held.held.map((h) => `${h.cluster}/${h.service}`)).toEqual(OWNED);
    expect(held.steps.filter((s) => OWNED.includes(s.ecsService ?? ''))).toEqual([]);
    const allowed = JSON.parse((await runCli(['apply', ...DEMO, '--dry-run', '--output', 'json', '--allow-iac-owned'])).stdout) as typeof held;
    expect(allowed.held).toEqual([]);
    for (const service of OWNED) expect(allowed.steps.some((s) => s.ecsService === service), service).toBe(true);
    const plan = JSON.parse((await runCli(['plan', ...DEMO, '--output', 'json'])).stdout) as { held: { services: { service: string }[]; steps: unknown[] }; summary: { held: number } };
    expect(plan.held.services.map((s) => s.service)).toEqual(['ledger', 'reviews', 'shipping']);
    expect(plan.summary.held).toBe(3);
  });

  it('a saved plan keeps its hold: apply refuses --allow-iac-owned beside it; a plan of only held services changes nothing yet reports changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-owner-'));
    const planFile = join(dir, 'plan.json');
    const planned = await runCli(['plan', ...DEMO, '--service', 'ledger', '--out', planFile, '--detailed-exitcode']);
    expect(planned.code).toBe(2);
    const refused = await runCli(['apply', planFile, ...DEMO, '--dry-run', '--allow-iac-owned']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--allow-iac-owned choose what to plan');
    const applied = await runCli(['apply', planFile, ...DEMO, '--dry-run']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Nothing to apply: every change of the plan is held for infrastructure code (1 service(s)).');
    expect(applied.stdout).toContain('shop-fargate/ledger: owned by CloudFormation stack shop-ledger');
  });

  it('plan --export writes all four formats for the demo, with a README of owners, files and order', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meshctl-export-')), 'out');
    const result = await runCli(['plan', ...DEMO, '--export', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`exported `);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'cli', 'cloudformation', 'ecspresso', 'export.json', 'terraform']);
    for (const file of ['cloudformation/shop-fargate/ledger.yaml', 'cloudformation/shop-fargate/reviews.yaml', 'terraform/shop-fargate_shipping.tf', 'ecspresso/shop-fargate/shipping/ecs-task-def.json', 'cli/shop-fargate/shipping/02-update-service.json',
      // promotions' ECS canary: two deploys (advancedConfiguration first, then the strategy)
      'ecspresso/legacy-mesh/promotions/deploy-1/ecs-service-def.json', 'ecspresso/legacy-mesh/promotions/deploy-2/ecs-service-def.json',
      'cloudformation/legacy-mesh/promotions.deploy-1.yaml', 'cloudformation/legacy-mesh/promotions.deploy-2.yaml', 'terraform/deploy-2/legacy-mesh_promotions.tf']) {
      expect((await readFile(join(dir, file), 'utf8')).length, file).toBeGreaterThan(0);
    }
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('### shop-fargate/ledger — held');
    expect(readme).toContain('- Owner: AWS Copilot application shop, environment prod, service reviews');
    // A second export replaces the first; one format only.
    expect((await runCli(['plan', ...DEMO, '--export', dir, '--format', 'terraform'])).code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'export.json', 'terraform']);
  });

  it('refuses --format without --export, an unknown format, and a non-empty directory that holds no export', async () => {
    const noExport = await runCli(['plan', ...DEMO, '--format', 'terraform']);
    expect(noExport.code).toBe(2);
    expect(noExport.stderr).toContain('--format chooses the formats of --export DIR; add --export DIR');
    const unknown = await runCli(['plan', ...DEMO, '--export', '/tmp/x', '--format', 'pulumi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Allowed choices are cli, ecspresso, cloudformation, terraform');
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-export-'));
    await mkdir(join(dir, 'src'));
    const foreign = await runCli(['plan', ...DEMO, '--export', dir]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('is not empty and holds no meshctl export (no export.json): choose a new or empty directory');
  });
});
