// Services infrastructure code owns, against moto through the real SDK: the
// tags (aws:cloudformation:*, copilot-*, the estate's own) read with
// DescribeServices and DescribeTaskDefinition include TAGS, recorded and
// replayed; apply sends nothing for a held service; rollback and status have
// nothing to say about it; --allow-iac-owned moves it.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_OWNERS } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

const OWNED = ['ledger', 'reviews', 'shipping'];
const cli = (...args: string[]) => runCli(args, env, cwd);
const sentFor = (service: string, from = 0) => proxy.calls.slice(from).filter((c) => c.mutating && c.service === 'ecs'
  && (c.input?.service === service || c.input?.serviceName === service || c.input?.family === service));

beforeAll(async () => {
  moto = await startMoto();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-owner-'));
  await writeFile(join(cwd, 'meshctl.yaml'), DEMO_OWNERS);
  // moto's deployments never end: the demo's services are steady.
  proxy.endRollouts('*', 'COMPLETED');
  proxy.calls.length = 0;
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('owners against moto', () => {
  it('reads every tag, aws: ones too, with the reads meshctl already makes (no extra call), and records them', async () => {
    const inspected = await cli('inspect', '--output', 'json');
    const owners = Object.fromEntries((JSON.parse(inspected.stdout) as { clusters: { services: { service: string; owner?: { name: string; stack?: string; workspace?: string } }[] }[] })
      .clusters.flatMap((c) => c.services).filter((s) => s.owner).map((s) => [s.service, s.owner]));
    expect(owners).toEqual({
      ledger: expect.objectContaining({ name: 'cloudformation', stack: 'shop-ledger', logicalId: 'LedgerService', taskDefinitionLogicalId: 'LedgerTaskDefinition' }),
      reviews: expect.objectContaining({ name: 'copilot', stack: 'shop-prod-reviews' }),
      shipping: expect.objectContaining({ name: 'terraform', workspace: 'prod' }),
    });
    const reads = proxy.calls.filter((c) => c.operation === 'DescribeServices' || c.operation === 'DescribeTaskDefinition');
    expect(reads.every((c) => (c.input?.include as string[] | undefined)?.includes('TAGS'))).toBe(true);
    expect(proxy.calls.filter((c) => c.operation === 'ListTagsForResource')).toEqual([]);

    expect((await cli('record', '--out', 'recording')).code).toBe(0);
    const recorded = await readFile(join(cwd, 'recording', 'ecs.json'), 'utf8');
    expect(recorded).toContain('"aws:cloudformation:stack-name"');
    expect(recorded).toContain('"copilot-application"');
    const replayed = await cli('inspect', '--fixtures', 'recording');
    expect(replayed.stdout).toMatch(/ledger .*cloudformation:shop-ledger/);
  });

  it('apply sends nothing for held services, and rollback and status have nothing of them; --allow-iac-owned moves them', async () => {
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(0);
    const from = proxy.calls.length;
    const applied = await cli('apply', 'plan.json', '--force', '--no-wait', '--output', 'json');
    expect(applied.code, applied.stderr).toBe(0);
    const result = JSON.parse(applied.stdout) as { held: { service: string }[]; services: { service: string }[] };
    expect(result.held.map((h) => h.service)).toEqual(OWNED);
    for (const service of OWNED) {
      expect(sentFor(service, from), service).toEqual([]);
      expect(result.services.some((s) => s.service.endsWith(`/${service}`)), service).toBe(false);
    }
    const status = JSON.parse((await cli('status', '--output', 'json')).stdout) as { services: { service: string }[] };
    expect(status.services.filter((s) => OWNED.some((o) => s.service.endsWith(`/${o}`)))).toEqual([]);
    const rolledBack = await cli('rollback', '--yes', '--no-wait', '--dry-run', '--output', 'json');
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(OWNED.some((o) => rolledBack.stdout.includes(`shop-fargate/${o}`))).toBe(false);

    const again = proxy.calls.length;
    const moved = await cli('apply', '--allow-iac-owned', '--service', 'ledger', '--yes', '--force', '--no-wait');
    expect(moved.code, moved.stderr + moved.stdout).toBe(0);
    expect(sentFor('ledger', again).map((c) => c.operation)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    // aws: tags cannot be set: the new revision carries the user's tags only.
    const registered = proxy.calls.slice(again).find((c) => c.operation === 'RegisterTaskDefinition')!;
    expect(registered.input!.tags).toEqual([{ key: 'team', value: 'ledger' }]);
  });
});
