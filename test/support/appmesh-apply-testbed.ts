// The setting of the App Mesh apply and rollback tests against moto
// (test/integration/apply*.test.ts, rollback.test.ts): each test gets the
// demo estate as just seeded (its tests change it; test/support/seeded.ts
// restores it from a snapshot), its own proxy (which counts calls, holds
// calls for crash tests, ends rollouts and stands in for App Mesh where moto
// falls short: test/support/aws-proxy.ts) and its own directory whose
// meshctl.yaml targets App Mesh. Most tests begin by saving the plan, and
// most rollback tests by applying it: startPlanned() and startApplied() give
// them that, restored from snapshots made once per worker, instead of a plan
// (and an apply) of their own each time.
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import type { AwsProxy } from './aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from './cli.js';
import { DEMO_OWNERS, DEMO_REGION } from './demo-estate.js';
import { startMoto, type Moto } from './moto.js';
import { DEMO, seeded, type Seed } from './seeded.js';

export const PLANNED = [['shop-ec2', 'orders'], ['shop-ec2', 'payments'], ['shop-fargate', 'catalog'], ['shop-fargate', 'web']] as const;
export const FAST = ['--poll-interval', '1s'];

/** These tests cover the App Mesh target (no longer the default), with the demo's owners: the services infrastructure code owns (ledger, reviews, shipping) are held, the rest move. */
const CONFIG = `target: appmesh\n${DEMO_OWNERS}`;

/** The demo and its App Mesh plan: a directory with meshctl.yaml and plan.json. */
const PLAN_SAVED: Seed<string> = {
  name: 'appmesh-planned',
  from: DEMO,
  async run(_motoUrl, proxy) {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-planned-'));
    await writeFile(join(dir, 'meshctl.yaml'), CONFIG);
    const planned = await runCli(['plan', '--out', 'plan.json'], isolatedEnv(motoEnv(proxy.url)), dir);
    expect(planned.code, planned.stderr).toBe(0);
    return dir;
  },
};

/** That plan applied, without waiting: the directory apply left (the journal beside the plan). */
const APPLIED: Seed<string, string> = {
  name: 'appmesh-applied',
  from: PLAN_SAVED,
  async run(_motoUrl, proxy, planned) {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-applied-'));
    await cp(planned!, dir, { recursive: true });
    const applied = await runCli(['apply', 'plan.json', '--force', '--no-wait'], isolatedEnv(motoEnv(proxy.url)), dir);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    return dir;
  },
};

export interface AppMeshApplyTestbed {
  moto: Moto;
  proxy: AwsProxy;
  env: NodeJS.ProcessEnv;
  cwd: string;
  client: ecs.ECSClient;
  cli(...args: string[]): ReturnType<typeof runCli>;
  /** Plans into plan.json (the test's directory) and returns its name. */
  savedPlan(): Promise<string>;
  /**
   * The estate, proxy and directory as the test's savedPlan() would leave
   * them, restored from a snapshot (PLAN_SAVED) in place of the test's fresh
   * demo; returns the plan's name.
   */
  startPlanned(): Promise<string>;
  /**
   * The estate, proxy and directory as the test's `apply` of that plan
   * (--force --no-wait, exit 0) would leave them, restored from a snapshot
   * (APPLIED) in place of the test's fresh demo.
   */
  startApplied(): Promise<void>;
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
    async startPlanned() {
      const { seeded: dir } = await seeded(bed.moto, PLAN_SAVED, { into: bed.proxy });
      await cp(dir, bed.cwd, { recursive: true });
      return 'plan.json';
    },
    async startApplied() {
      const { seeded: dir } = await seeded(bed.moto, APPLIED, { into: bed.proxy });
      await cp(dir, bed.cwd, { recursive: true });
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
    // Every command here, apply without a plan file too, plans for the App Mesh target.
    await writeFile(join(bed.cwd, 'meshctl.yaml'), CONFIG);
  });

  afterAll(async () => {
    await bed.proxy?.stop();
    await bed.moto?.stop();
  });

  return bed;
}
