// Secrets never leave in clear, against an estate that holds them in clear:
// moto seeded with the demo, whose task definitions carry DB passwords in
// URLs and variables, a JVM -D...password= flag, a JSON document with a
// "password" key and a token on the command line (DEMO_SECRETS). The e2e
// tests cannot prove this: their fixtures are already redacted.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_REGION, DEMO_SECRETS } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;

beforeAll(async () => {
  moto = await startMoto();
  ({ proxy } = await seeded(moto, DEMO));
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-secrets-'));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

const leaks = (text: string) => DEMO_SECRETS.filter((secret) => text.includes(secret));

async function filesUnder(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((n) => n.isFile()).map((n) => readFile(join(n.parentPath, n.name), 'utf8')));
  return texts.join('\n');
}

describe('secrets in a live estate', () => {
  it('appear in no output of inspect, precheck, plan (both targets, text, JSON, saved) or apply --dry-run, verbose included', async () => {
    const runs = [
      ['inspect', '--output', 'json'], ['precheck', '--format', 'json'], ['precheck', '--target', 'appmesh', '--verbose'],
      ['plan', '--out', 'sc.json'], ['plan', '--output', 'json'], ['plan', '--target', 'appmesh', '--out', 'appmesh.json', '--verbose'],
      ['plan', '--target', 'appmesh', '--output', 'json'], ['apply', 'appmesh.json', '--dry-run'], ['apply', 'sc.json', '--dry-run', '--verbose'],
    ];
    for (const args of runs) {
      const result = await runCli(args, env, cwd);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBeLessThan(2);
      expect(leaks(result.stdout + result.stderr), args.join(' ')).toEqual([]);
    }
    expect(leaks(await filesUnder(cwd))).toEqual([]);
  });

  it('appear in no recording, and apply registers the real values, journal still masked', async () => {
    expect((await runCli(['record', '--out', 'recording'], env, cwd)).code).toBe(0);
    expect(leaks(await filesUnder(join(cwd, 'recording')))).toEqual([]);

    expect((await runCli(['plan', '--service', 'payments', '--out', 'payments.json'], env, cwd)).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    const applied = await runCli(['apply', 'payments.json', '--force', '--no-wait'], env, cwd);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(leaks(applied.stdout + applied.stderr)).toEqual([]);
    expect(leaks(await filesUnder(join(cwd, '.meshctl')))).toEqual([]);

    const client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const service = (await client.send(new ecs.DescribeServicesCommand({ cluster: 'shop-ec2', services: ['payments'] }))).services![0]!;
    const td = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }))).taskDefinition!;
    expect(td.revision).toBe(2);
    const app = td.containerDefinitions![0]!;
    const value = (name: string) => app.environment!.find((e) => e.name === name)!.value;
    expect(value('JAVA_OPTS')).toContain('-Dspring.datasource.password=ledger-Pa55');
    expect(JSON.parse(value('APP_CONFIG')!).db.password).toBe('json-s3cret');
    expect(app.command).toContain('cmd-t0ken-value');
    expect(value('STRIPE_API_KEY')).toBe('sk_live_demo0000000000000000000000');
  });
});
