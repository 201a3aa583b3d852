// A team's state in S3, against moto's S3: apply in one directory, then
// status, shift, finalize and rollback from another with no local journal;
// one apply at a time across machines, the lock reported after a SIGKILL,
// freed by meshctl unlock and resumed from a third directory; a lock taken
// over once its TTL passed; a journal write that fails retried, and one that
// keeps failing stopping apply before its next mutation. The S3 backend's
// conditional writes are proven against moto itself first.
import { copyFile, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as s3 from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { createSdkCaller } from '../../src/aws/sdk-caller.js';
import { s3State } from '../../src/aws/s3-state.js';
import { StateConflictError, type LockRecord } from '../../src/core/state.js';
import { startAwsProxy, type AwsProxy, type ObservedCall } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli, spawnCli } from '../support/cli.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded, type Seed } from '../support/seeded.js';
import { localTime } from '../../src/util/local-time.js';

const BUCKET = 'meshctl-state';
const PREFIX = 'team';
const STATE = `s3://${BUCKET}/${PREFIX}`;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;

const bucket = () => new s3.S3Client({ endpoint: moto.url, region: DEMO_REGION, credentials, forcePathStyle: true });
const services = () => new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });

/** The state's objects, by name under the prefix. */
async function objects(): Promise<string[]> {
  const out = await bucket().send(new s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/` }));
  return (out.Contents ?? []).map((o) => o.Key!.slice(PREFIX.length + 1)).sort();
}
async function object<T>(name: string): Promise<T> {
  return JSON.parse(await (await bucket().send(new s3.GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${name}` }))).Body!.transformToString()) as T;
}

/** A directory of a machine or CI job of the team: only meshctl.yaml naming the shared state. */
async function machine(extra = ''): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-team-'));
  await writeFile(join(dir, 'meshctl.yaml'), `state: { url: ${STATE}${extra} }\n`);
  return dir;
}
const cli = (dir: string, ...args: string[]) => runCli(args, env, dir);
const noLocalState = async (dir: string) => expect(await readdir(dir)).not.toContain('.meshctl');
const isJournalWrite = (c: ObservedCall) => c.service === 's3' && c.operation === 'PutObject' && /\/journal-[0-9a-f]+\.json$/.test(String(c.input?.Key));
/** moto's ECS registers no task in a target group: stand in for green's task, healthy (moto reports registered IPs healthy), as shift and finalize require. */
async function greenServes(): Promise<void> {
  const elb = new elbv2.ElasticLoadBalancingV2Client({ endpoint: moto.url, region: DEMO_REGION, credentials });
  const greenTg = (await elb.send(new elbv2.DescribeTargetGroupsCommand({ Names: ['pricing-sc'] }))).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(new elbv2.RegisterTargetsCommand({ TargetGroupArn: greenTg, Targets: [{ Id: '10.20.1.50', Port: 8080 }] }));
}

/** Calls that change the estate (not the state, not STS). */
const estateChanges = () => proxy.calls.filter((c) => c.mutating && c.service !== 's3' && c.service !== 'sts');

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('the S3 state against moto', () => {
  beforeEach(async () => {
    await moto.reset();
    await bucket().send(new s3.CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('creates only what is absent, writes and deletes only the version read, and says who changed what', async () => {
    // The SDK caller takes moto's test keys from the environment, as the CLI does (put back after: the worker runs other files next).
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const state = s3State(createSdkCaller({ region: DEMO_REGION, endpointUrl: moto.url }), { bucket: BUCKET, prefix: PREFIX, lockTtlMs: 60_000 });
    const first = await state.write('journal-1.json', '{"v":1}', { ifNoneMatch: '*' });
    await expect(state.write('journal-1.json', '{"v":"other"}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(StateConflictError);
    const second = await state.write('journal-1.json', '{"v":2}', { ifMatch: first });
    await expect(state.write('journal-1.json', '{"v":"lost race"}', { ifMatch: first })).rejects.toThrow(/s3:\/\/meshctl-state\/team\/journal-1\.json changed under this run/);
    // A retried write whose first attempt landed is not a conflict: the object is already what was written.
    expect(await state.write('journal-1.json', '{"v":2}', { ifMatch: first })).toBe(second);
    await expect(state.delete('journal-1.json', first)).rejects.toBeInstanceOf(StateConflictError);
    expect((await state.read('journal-1.json'))?.text).toBe('{"v":2}');
    await state.delete('journal-1.json', second);
    expect(await state.read('journal-1.json')).toBeUndefined();
    expect(await state.list()).toEqual([]);
  });
});

/** The demo, the team's bucket, and a plan in a machine's directory (its result) that moves pricing blue-green: a green twin beside it at weight 0. */
const PLANNED: Seed<string> = {
  name: 'state-s3-planned',
  from: DEMO,
  async run(motoUrl, seeding) {
    await new s3.S3Client({ endpoint: motoUrl, region: DEMO_REGION, credentials, forcePathStyle: true }).send(new s3.CreateBucketCommand({ Bucket: BUCKET }));
    const dir = await machine();
    expect((await runCli(['plan', '--service', 'pricing', '--out', 'plan.json'], isolatedEnv(motoEnv(seeding.url)), dir)).code).toBe(0);
    return dir;
  },
};

describe('a team sharing one state', () => {
  let planDir: string;

  beforeEach(async () => {
    await proxy?.stop();
    let planned: string;
    ({ proxy, seeded: planned } = await seeded(moto, PLANNED));
    env = isolatedEnv(motoEnv(proxy.url));
    planDir = await machine();
    await copyFile(join(planned, 'plan.json'), join(planDir, 'plan.json'));
  });

  /** ECS's deployments end as soon as they start (but for status --watch, which waits for them). */
  const deploymentsComplete = () => proxy.endRollouts('*', 'COMPLETED');

  it('apply in one directory; status, shift, finalize from another with no local journal', async () => {
    deploymentsComplete();
    // A dry run reads the state but writes nothing there (the mutation guard).
    expect((await cli(planDir, 'apply', 'plan.json', '--force', '--dry-run')).code).toBe(0);
    expect(proxy.calls.filter((c) => c.service === 's3' && c.mutating)).toEqual([]);
    // One transient 500 on the first journal write: the SDK retries it.
    proxy.failNext('PutObject', 'InternalError', 1, { status: 500, when: isJournalWrite });
    const applied = await cli(planDir, 'apply', 'plan.json', '--force', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(`state: ${STATE} (the caller's own credentials)`);
    expect(applied.stdout).toMatch(new RegExp(`^journal: ${STATE}/journal-[0-9a-f]{16}\\.json$`, 'm'));
    expect(applied.stdout).toMatch(new RegExp(`Roll back with: meshctl rollback --journal ${STATE}/journal-`));
    const journalWrites = proxy.calls.filter(isJournalWrite);
    expect(journalWrites[0]!.injected).toBe('InternalError');
    expect(journalWrites[1]!.input).toMatchObject({ Key: journalWrites[0]!.input!.Key, IfNoneMatch: '*' });
    // Every later write is conditional on the version before it.
    expect(journalWrites.slice(2).every((c) => typeof c.input?.IfMatch === 'string')).toBe(true);
    await noLocalState(planDir);
    const [journalName] = (await objects()).filter((n) => n.startsWith('journal-'));
    expect(await objects()).toEqual([journalName]);

    await greenServes();
    const other = await machine();
    const status = await cli(other, 'status', '--output', 'json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ journal: `${STATE}/${journalName}`, kind: 'apply', services: [expect.objectContaining({ service: 'legacy-mesh/pricing', greenService: 'pricing-sc' })] });

    const shifted = await cli(other, 'shift', '--to', '100', '--yes');
    expect(shifted.code, shifted.stdout + shifted.stderr).toBe(0);
    expect((await object<Journal>(journalName!)).shift).toMatchObject({ weight: 100, state: 'done' });

    // inventory, still on App Mesh, would lose pricing's names: once it is gone, finalize may remove blue.
    await services().send(new ecs.DeleteServiceCommand({ cluster: 'legacy-mesh', service: 'inventory', force: true }));
    const finalized = await cli(other, 'finalize', '--yes', '--bake', '0s');
    expect(finalized.code, finalized.stdout + finalized.stderr).toBe(0);
    expect((await services().send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['pricing'] }))).services?.find((s) => s.status === 'ACTIVE')).toBeUndefined();
    expect((await object<Journal>(journalName!)).services['legacy-mesh/pricing']!.state).toBe('finalized');
    const names = await objects();
    expect(names.filter((n) => n.startsWith('finalize-'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('.lock'))).toEqual([]);
    await noLocalState(other);
  });

  it('apply in one directory; shift and rollback from another, which saves its plan in the state', async () => {
    deploymentsComplete();
    expect((await cli(planDir, 'apply', 'plan.json', '--force', '--no-wait')).code).toBe(0);
    await greenServes();
    const other = await machine();
    expect((await cli(other, 'shift', '--to', '50')).code).toBe(0);
    const rolledBack = await cli(other, 'rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect((await services().send(new ecs.DescribeServicesCommand({ cluster: 'legacy-mesh', services: ['pricing-sc'] }))).services?.find((s) => s.status === 'ACTIVE')).toBeUndefined();
    const names = await objects();
    expect(names.filter((n) => n.startsWith('rollback-'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('journal-'))).toHaveLength(2);
    const [applyJournal] = (await Promise.all(names.filter((n) => n.startsWith('journal-')).map(async (n) => [n, await object<Journal>(n)] as const))).filter(([, j]) => j.undoes === undefined);
    expect(applyJournal![1].services['legacy-mesh/pricing']!.state).toBe('rolled-back');
    expect(applyJournal![1].pendingRollback).toBeUndefined();
    // A third machine sees pricing rolled back in the apply journal (the latest written), and the rollback's journal too.
    const third = await machine();
    expect(JSON.parse((await cli(third, 'status', '--output', 'json')).stdout)).toMatchObject({ kind: 'apply', journal: `${STATE}/${applyJournal![0]}`, services: [expect.objectContaining({ state: 'rolled-back' })] });
    const [rollbackJournal] = names.filter((n) => n.startsWith('journal-') && n !== applyJournal![0]);
    expect(JSON.parse((await cli(third, 'status', '--output', 'json', '--journal', `${STATE}/${rollbackJournal}`)).stdout)).toMatchObject({ kind: 'rollback', undoes: `${STATE}/${applyJournal![0]}` });
    await noLocalState(other);
  });

  it('status --watch, from another directory, refreshes from the state until every deployment settled', async () => {
    // The rollouts apply starts do not end until the test says so.
    expect((await cli(planDir, 'apply', 'plan.json', '--force', '--no-wait')).code).toBe(0);
    const other = await machine();
    const watch = runCli(['status', '--watch', '--poll-interval', '1s'], env, other);
    let exited = false;
    void watch.then(() => { exited = true; });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(exited).toBe(false);
    const looks = proxy.count((c) => c.operation === 'GetObject' && /journal-/.test(String(c.input?.Key)));
    expect(looks).toBeGreaterThan(2);
    proxy.endRollouts('*', 'COMPLETED');
    const result = await watch;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/IN_PROGRESS[\s\S]*settled[\s\S]*COMPLETED/);
  });

  it('two applies at once: one refused naming the holder; SIGKILL leaves the lock, which is reported until unlock frees it; the re-run resumes from another directory', async () => {
    deploymentsComplete();
    const before = (await services().send(new ecs.ListTaskDefinitionsCommand({ familyPrefix: 'pricing' }))).taskDefinitionArns!.length;
    const held = proxy.holdNext('RegisterTaskDefinition', 'after');
    const first = spawnCli(['apply', 'plan.json', '--force', '--no-wait'], env, planDir);
    await held;
    const lock = await object<LockRecord>((await objects()).find((n) => n.endsWith('.lock'))!);
    expect(lock).toMatchObject({ command: 'meshctl apply', pid: first.child.pid, ttlSeconds: 600, journal: expect.stringMatching(new RegExp(`^${STATE}/journal-`)) });

    const second = await machine();
    await copyFile(join(planDir, 'plan.json'), join(second, 'plan.json'));
    const refused = await cli(second, 'apply', 'plan.json', '--force', '--no-wait');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`meshctl apply (${lock.user}, pid ${first.child.pid} on ${lock.host}, since ${localTime(lock.startedAt)}; last heartbeat`);
    expect(refused.stderr).toContain(`holds the journal ${lock.journal} (lock ${lock.id}): wait for it to finish; if it is gone, free it with meshctl unlock ${lock.id}, or wait until it expires`);

    first.child.kill('SIGKILL');
    await first.done;
    // The holder is gone, but nothing here can know: the lock stands, and says whose it is.
    const stillRefused = await cli(second, 'apply', 'plan.json', '--force', '--no-wait');
    expect(stillRefused.code).toBe(2);
    expect(stillRefused.stderr).toContain(`(lock ${lock.id})`);
    const status = await cli(second, 'status');
    expect(status.stdout).toContain(`locked by meshctl apply (${lock.user}, pid ${first.child.pid}`);
    expect(status.stdout).toContain(`lock ${lock.id}; if that run is gone, free it with meshctl unlock ${lock.id}`);

    const unlocked = await cli(second, 'unlock', lock.id);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain(`freed the lock ${lock.id} on ${lock.journal}`);

    const third = await machine();
    await copyFile(join(planDir, 'plan.json'), join(third, 'plan.json'));
    const resumed = await cli(third, 'apply', 'plan.json', '--force', '--no-wait');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${lock.journal}`);
    // The revision the killed run registered is adopted, not registered again.
    expect(resumed.stderr).toContain('(already done by an earlier run)');
    expect((await services().send(new ecs.ListTaskDefinitionsCommand({ familyPrefix: 'pricing' }))).taskDefinitionArns).toHaveLength(before + 1);
    expect((await objects()).filter((n) => n.endsWith('.lock'))).toEqual([]);
    await noLocalState(third);
  });

  it('a lock whose heartbeat is older than its TTL is taken over, saying whose it was', async () => {
    deploymentsComplete();
    const short = await machine(', lockTtl: 2s');
    await copyFile(join(planDir, 'plan.json'), join(short, 'plan.json'));
    const held = proxy.holdNext('RegisterTaskDefinition', 'after');
    const first = spawnCli(['apply', 'plan.json', '--force', '--no-wait'], env, short);
    await held;
    first.child.kill('SIGKILL');
    await first.done;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const resumed = await cli(short, 'apply', 'plan.json', '--force', '--no-wait');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`took over the lock [0-9a-f-]+ of ${STATE}/journal-[0-9a-f]+\\.json \\(meshctl apply \\(.*pid ${first.child.pid} .*\\)\\): its last heartbeat \\(.*\\) is older than its 2s TTL`));
  });

  it('a 500 on every attempt of a journal write stops apply before its next mutation, saying what AWS already has; the re-run resumes', async () => {
    deploymentsComplete();
    // After the first change to the estate, journal writes fail (each attempt: the SDK retries, AWS_MAX_ATTEMPTS=3).
    proxy.failNext('PutObject', 'InternalError', 1000, { status: 500, when: (c) => isJournalWrite(c) && estateChanges().length > 0 });
    const failing = { ...env, AWS_MAX_ATTEMPTS: '3' };
    const result = await runCli(['apply', 'plan.json', '--force', '--no-wait', '--concurrency', '1'], failing, planDir);
    expect(result.code).toBe(2);
    const changes = estateChanges();
    expect(changes).toHaveLength(1);
    const failed = proxy.calls.filter((c) => c.injected);
    expect(failed).toHaveLength(3);
    // No change to the estate after the first failed journal write.
    expect(proxy.calls.indexOf(failed[0]!)).toBeGreaterThan(proxy.calls.indexOf(changes[0]!));
    expect(proxy.calls.slice(proxy.calls.indexOf(failed[0]!)).filter((c) => c.mutating && c.service !== 's3')).toEqual([]);
    expect(result.stderr).toMatch(new RegExp(`could not save the journal ${STATE}/journal-[0-9a-f]+\\.json: AWS s3:PutObject failed \\(InternalError\\)`));
    expect(result.stderr).toContain('apply stopped before its next change (nothing is changed without a durable record).');
    expect(result.stderr).toMatch(new RegExp(`AWS already has these changes from this run \\(1\\), which the saved journal may not show as done:\\n  - ${changes[0]!.service} ${changes[0]!.operation} `));
    expect(result.stderr).toContain('once the state can be written, run meshctl apply plan.json');
    // The saved journal says the step was sent (running): the re-run adopts it.
    const [journalName] = (await objects()).filter((n) => n.startsWith('journal-'));
    expect(Object.values((await object<Journal>(journalName!)).steps).map((s) => s.status)).toEqual(['running']);
    expect((await objects()).filter((n) => n.endsWith('.lock'))).toEqual([]);

    // S3 is back.
    proxy.failNext('PutObject', 'InternalError', 0);
    const resumed = await cli(await copiedPlan(), 'apply', 'plan.json', '--force', '--no-wait');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('(already done by an earlier run)');
  });

  async function copiedPlan(): Promise<string> {
    const dir = await machine();
    await copyFile(join(planDir, 'plan.json'), join(dir, 'plan.json'));
    return dir;
  }
});

describe('a state in one account of a run over several', () => {
  const TOOLS = '333333333333';

  beforeEach(async () => {
    await proxy?.stop();
    await moto.reset();
    proxy = await startAwsProxy(moto.url);
    env = isolatedEnv(motoEnv(proxy.url));
    // The bucket lives in the tools account (moto keeps each account's buckets apart).
    const sts = new STSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
    const assumed = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TOOLS}:role/meshctl-state`, RoleSessionName: 'seed' }))).Credentials!;
    await new s3.S3Client({ endpoint: moto.url, region: DEMO_REGION, forcePathStyle: true, credentials: { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken! } })
      .send(new s3.CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('reads and writes the state with the credentials of state.account, says so, and status finds the journal there', async () => {
    const config = [
      `state: { url: ${STATE}, account: tools }`,
      'accounts:',
      '  provider: { roleArn: "arn:aws:iam::111111111111:role/meshctl" }',
      `  tools: { roleArn: "arn:aws:iam::${TOOLS}:role/meshctl-state", clusters: [] }`,
    ].join('\n');
    const first = await mkdtemp(join(tmpdir(), 'meshctl-team-'));
    await writeFile(join(first, 'meshctl.yaml'), config);
    await mkdir(join(first, '.meshctl'));
    await writeFile(join(first, '.meshctl', 'journal-00aa.json'), JSON.stringify({
      formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:00aa', region: DEMO_REGION, target: 'service-connect', mesh: '',
      startedAt: '2026-12-03T10:00:00.000Z', updatedAt: '2026-12-03T10:00:00.000Z', services: {}, steps: {}, created: [],
    }, null, 2));
    const pushed = await cli(first, 'state', 'push');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain(`state: ${STATE} (credentials of account tools (${TOOLS}))`);

    const other = await mkdtemp(join(tmpdir(), 'meshctl-team-'));
    await writeFile(join(other, 'meshctl.yaml'), config);
    const status = await cli(other, 'status', '--output', 'json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ journal: `${STATE}/journal-00aa.json` });
    const stateCalls = proxy.calls.filter((c) => c.service === 's3');
    expect(stateCalls.length).toBeGreaterThan(0);
    expect(new Set(stateCalls.map((c) => c.account))).toEqual(new Set([TOOLS]));
  });
});
