// The setting of the App Mesh apply and rollback tests against moto
// (test/integration/apply-*.test.ts, rollback-*.test.ts): each test gets the
// demo estate as just seeded (its tests change it; test/support/seeded.ts
// restores it from a snapshot), its own proxy (which
// counts calls, holds calls for crash tests, ends rollouts and stands in for
// App Mesh where moto falls short: test/support/aws-proxy.ts) and its own
// directory whose meshctl.yaml targets App Mesh.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import type { AwsProxy } from './aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from './cli.js';
import { DEMO_OWNERS, DEMO_REGION } from './demo-estate.js';
import { startMoto, type Moto } from './moto.js';
import { DEMO, seeded } from './seeded.js';

export const PLANNED = [['shop-ec2', 'orders'], ['shop-ec2', 'payments'], ['shop-fargate', 'catalog'], ['shop-fargate', 'web']] as const;
export const FAST = ['--poll-interval', '1s'];

export interface AppMeshApplyTestbed {
  moto: Moto;
  proxy: AwsProxy;
  env: NodeJS.ProcessEnv;
  cwd: string;
  client: ecs.ECSClient;
  cli(...args: string[]): ReturnType<typeof runCli>;
  /** Plans into plan.json (the test's directory) and returns its name. */
  savedPlan(): Promise<string>;
  /** The apply journal (a rollback writes its own journal, and its plan, beside it). */
  journal(kind?: 'apply' | 'rollback'): Promise<Journal>;
  serviceTaskDefinition(cluster: string, service: string): Promise<string>;
  revisions(family: string): Promise<string[]>;
}

/** Registers the file's hooks; the testbed's fields are the current test's once its beforeEach ran. */
export function appMeshApplyTestbed(): AppMeshApplyTestbed {
  const bed = {
    cli: (...args: string[]) => runCli(args, bed.env, bed.cwd),
    async savedPlan() {
      const result = await bed.cli('plan', '--out', 'plan.json');
      expect(result.code, result.stderr).toBe(0);
      return 'plan.json';
    },
    async journal(kind: 'apply' | 'rollback' = 'apply') {
      const names = (await readdir(join(bed.cwd, '.meshctl'))).filter((n) => /^journal-.*\.json$/.test(n));
      const journals = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(bed.cwd, '.meshctl', n), 'utf8')) as Journal));
      return journals.find((j) => (j.undoes !== undefined) === (kind === 'rollback'))!;
    },
    async serviceTaskDefinition(cluster: string, service: string) {
      return (await bed.client.send(new ecs.DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.taskDefinition!;
    },
    async revisions(family: string) {
      return (await bed.client.send(new ecs.ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns!;
    },
  } as AppMeshApplyTestbed;

  beforeAll(async () => {
    bed.moto = await startMoto();
    bed.client = new ecs.ECSClient({ endpoint: bed.moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });

  beforeEach(async () => {
    await bed.proxy?.stop();
    bed.proxy = (await seeded(bed.moto, DEMO)).proxy;
    bed.env = isolatedEnv(motoEnv(bed.proxy.url));
    bed.cwd = await mkdtemp(join(tmpdir(), 'meshctl-apply-'));
    // These tests cover the App Mesh target (no longer the default): every command here, apply without a plan file too, plans for it.
    // With the demo's owners: the services infrastructure code owns (ledger, reviews, shipping) are held, the rest move.
    await writeFile(join(bed.cwd, 'meshctl.yaml'), `target: appmesh\n${DEMO_OWNERS}`);
  });

  afterAll(async () => {
    await bed.proxy?.stop();
    await bed.moto?.stop();
  });

  return bed;
}
