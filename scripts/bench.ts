// npm run bench: meshctl on a 1000-service estate in moto, behind a proxy
// adding 50 ms per call and ECS's token buckets (throttled calls get a real
// ThrottlingException). For each command: wall time, peak RSS, AWS calls per
// operation, the CloudWatch GetMetricData calls that read the services' peaks,
// throttled calls, and the lower bounds the batch limits (calls) and the rate
// limits plus latency (time) allow. Then apply --wait of an estate whose
// deployments take seeded times, in dependency chains, under a cap: its
// makespan against the lower bound, and what the waves apply used before
// would have taken for the same deployment times.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUDWATCH_RATES, ECS_RATES } from '../src/aws/rate-limit.js';
import { parsePlan } from '../src/core/plan/plan-file.js';
import { schedulePlan } from '../src/core/plan/schedule.js';
import { startAwsProxy, type AwsProxy } from '../test/support/aws-proxy.js';
import { BIN, isolatedEnv, motoEnv } from '../test/support/cli.js';
import { seedBigEstate, type BigEstate } from '../test/support/big-estate.js';
import { CHAIN_CLUSTER, seedChainEstate } from '../test/support/chain-estate.js';
import { startMoto } from '../test/support/moto.js';
import { makespanLowerBound, seededEstate, simulate, waveMakespan } from '../test/support/schedule-simulation.js';

const LATENCY_MS = 50;
const SHAPE = { clusters: 10, servicesPerCluster: 100, servicesPerFamily: 3, ec2Clusters: 2, instancesPerEc2Cluster: 20 };
/** Sequential round trips no batching can avoid: ListClusters → DescribeClusters → ListServices → DescribeServices → DescribeTaskDefinition. */
const CHAIN = 5;
/**
 * The apply --wait row: 40 services calling up to two of the services before
 * them, each deployment 5–60 s (seeded), run 3 times faster so the bench
 * stays quick, at most 6 in flight, polled every second (the shortest
 * --poll-interval: as 3 s would be on the real times).
 */
const MAKESPAN = { seed: 2026, services: 40, cap: 6, timeFactor: 1 / 3, poll: '1s' };

interface Measured {
  wallMs: number;
  rssMb: number;
  code: number | null;
  calls: Record<string, number>;
  throttled: number;
  /** On the proxy's clock (performance.now()): the first service's start (apply describes the revision it needs), and the CLI's exit. */
  firstMoveAt?: number;
  exitedAt: number;
  /** With timed rollouts: the most deployments running at once, as the stand-in ran them. */
  peakDeployments?: number;
}

/**
 * Runs the CLI through a fresh proxy: every command starts, as a CI job would,
 * with full AWS token buckets. `rolloutMs`: how long each named service's
 * deployment takes (the others complete at once).
 */
async function run(args: string[], motoUrl: string, cwd: string, rolloutMs: Record<string, number> = {}): Promise<Measured> {
  const proxy = await startAwsProxy(motoUrl, { latencyMs: LATENCY_MS, buckets: { ...ECS_RATES, ...CLOUDWATCH_RATES } });
  // moto never ends a deployment; as on AWS, rollouts complete (apply waits for servers before starting their clients).
  proxy.endRollouts('*', 'COMPLETED');
  proxy.rolloutDurations(rolloutMs);
  const env = isolatedEnv(motoEnv(proxy.url));
  try {
    const measured = await measure(args, env, cwd, proxy);
    const spans = [...proxy.rolloutStarts].filter(([s]) => rolloutMs[s] !== undefined).map(([s, at]) => [at, at + rolloutMs[s]!] as const);
    const peakDeployments = Math.max(0, ...spans.map(([at]) => spans.filter(([start, end]) => start <= at && end > at).length));
    return { ...measured, ...(spans.length > 0 && { peakDeployments }) };
  } finally {
    await proxy.stop();
  }
}

function measure(args: string[], env: NodeJS.ProcessEnv, cwd: string, proxy: AwsProxy): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // GNU time reports the peak RSS (KiB) of the CLI process.
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const exitedAt = performance.now();
      const wallMs = exitedAt - started;
      const rssKb = Number(stderr.trim().split('\n').pop());
      const calls: Record<string, number> = {};
      for (const c of proxy.calls) calls[`${c.service} ${c.operation}`] = (calls[`${c.service} ${c.operation}`] ?? 0) + 1;
      if (code !== 0 && code !== 1) process.stderr.write(stderr);
      const firstMoveAt = proxy.calls.find((c) => c.operation === 'DescribeTaskDefinition')?.at;
      resolve({ wallMs, rssMb: rssKb / 1024, code, calls, throttled: proxy.throttled.length, exitedAt, ...(firstMoveAt !== undefined && { firstMoveAt }) });
    });
  });
}

/** GetMetricData takes 500 queries a call: memory and CPU for each service. */
const METRIC_QUERIES_PER_CALL = 500;

/** The fewest calls the batch limits allow for reading this estate (moto serves List calls in one page); `usage`: with the services' peaks (precheck, plan). */
function readLowerBound(e: BigEstate, usage: boolean, clusters = e.clusters, services = e.servicesPerCluster): Record<string, number> {
  const ec2 = Math.min(e.ec2Clusters, clusters);
  const families = Math.ceil((clusters * services) / e.servicesPerFamily);
  return {
    'ecs ListClusters': 1,
    'ecs DescribeClusters': 1,
    'ecs ListServices': clusters,
    'ecs DescribeServices': clusters * Math.ceil(services / 10),
    'ecs ListContainerInstances': ec2,
    'ecs DescribeContainerInstances': ec2 * Math.ceil(e.instancesPerEc2Cluster / 100),
    'ecs DescribeTaskDefinition': families,
    'ecs ListAccountSettings': 1,
    'ec2 DescribeInstanceTypes': ec2 > 0 ? 1 : 0,
    // The awsvpc services' subnets: one VPC, so the cross-VPC check reads nothing more.
    'ec2 DescribeSubnets': 1,
    'servicediscovery ListNamespaces': 1,
    'servicediscovery ListServices': e.namespaces,
    'appmesh GET /v20190125/meshes': 1,
    ...(usage && { 'cloudwatch GetMetricData': Math.ceil((2 * clusters * services) / METRIC_QUERIES_PER_CALL) }),
  };
}

/**
 * What apply reads again before running a plan of every service: the planned
 * services in DescribeServices batches (from their ARNs, no List calls), the
 * caller's account, and the Cloud Map namespace the plan observed; and each
 * distinct revision a rollback would return to (one per family here), whose
 * status says whether it is still ACTIVE: apply refuses a service whose
 * revision was deregistered since planning, and the dry run names it too.
 */
function applyReadBound(e: BigEstate): Record<string, number> {
  return {
    'ecs DescribeServices': e.clusters * Math.ceil(e.servicesPerCluster / 10),
    'ecs DescribeTaskDefinition': Math.ceil((e.clusters * e.servicesPerCluster) / e.servicesPerFamily),
    'sts GetCallerIdentity': 1,
    'servicediscovery ListNamespaces': 1,
    'servicediscovery ListServices': e.namespaces,
  };
}

/** The shortest time the rate limits and the latency allow for these calls. */
function timeLowerBoundMs(calls: Record<string, number>): number {
  let slowest = 0;
  for (const [key, n] of Object.entries(calls)) {
    const rate = ECS_RATES[key.replace(/^ecs /, '')];
    if (key.startsWith('ecs ') && rate) slowest = Math.max(slowest, (Math.max(0, n - rate.burst) / rate.perSecond) * 1000);
  }
  // The peaks are read once the task definitions are in (their revisions say over what to read): one more round trip.
  return slowest + (CHAIN + (calls['cloudwatch GetMetricData'] ? 1 : 0)) * LATENCY_MS;
}

function row(name: string, m: Measured, bound: Record<string, number>): string {
  const total = Object.values(m.calls).reduce((a, b) => a + b, 0);
  const boundTotal = Object.values(bound).reduce((a, b) => a + b, 0);
  const extra = Object.entries(m.calls).filter(([k, n]) => n > (bound[k] ?? 0)).map(([k, n]) => `${k} ${n}>${bound[k] ?? 0}`);
  const tBound = timeLowerBoundMs(bound);
  const metrics = m.calls['cloudwatch GetMetricData'] ?? 0;
  return `| ${name} | ${(m.wallMs / 1000).toFixed(1)} s | ${(tBound / 1000).toFixed(1)} s | ${(m.wallMs / tBound).toFixed(2)}× | ${m.rssMb.toFixed(0)} MB | ${total} | ${boundTotal} | ${metrics} | ${m.throttled} | ${extra.length === 0 ? 'none' : extra.join(', ')} | exit ${m.code} |`;
}

/** The rows of the 1000-service estate: the reads, and a real apply of one 100-service cluster. */
async function bigEstateRows(estate: BigEstate, wanted: (name: string) => boolean, motoUrl: string, cwd: string): Promise<string[]> {
  const lines: string[] = [];
  if (wanted('inspect')) lines.push(row('inspect', await run(['inspect'], motoUrl, cwd), readLowerBound(estate, false)));
  if (wanted('precheck')) lines.push(row('precheck', await run(['precheck'], motoUrl, cwd), readLowerBound(estate, true)));
  if (wanted('plan') || wanted('apply-dry-run')) lines.push(row('plan', await run(['plan', '--out', 'plan.json'], motoUrl, cwd), readLowerBound(estate, true)));
  // apply --dry-run is apply's pre-apply read (drift check) and nothing else.
  if (wanted('apply-dry-run')) lines.push(row('apply --dry-run (pre-apply read)', await run(['apply', 'plan.json', '--dry-run'], motoUrl, cwd), applyReadBound(estate)));

  // A real apply of one 100-service cluster, without waiting for deployments.
  if (wanted('apply')) {
    await run(['plan', '--cluster', 'cluster5', '--out', 'plan100.json'], motoUrl, cwd);
    const applied = await run(['apply', 'plan100.json', '--force', '--no-wait'], motoUrl, cwd);
    // The plan's services are read again (no List calls, no task definition); each revision a service needs is then described once, just before it starts.
    const applyBound = {
      ...applyReadBound({ ...estate, clusters: 1 }), 'ecs DescribeTaskDefinition': Math.ceil(SHAPE.servicesPerCluster / SHAPE.servicesPerFamily),
      'ecs RegisterTaskDefinition': SHAPE.servicesPerCluster, 'ecs UpdateService': SHAPE.servicesPerCluster,
    };
    for (const [k, n] of Object.entries(applied.calls)) if (k.startsWith('appmesh PUT')) (applyBound as Record<string, number>)[k] = n;
    lines.push(row('apply 100 services (--no-wait)', applied, applyBound));
  }
  return lines;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * apply --wait of the chain estate (moto reset first): its makespan, from the
 * first service's start (apply reads no task definition before) to the CLI's exit, against the lower bound
 * max(longest chain of deployment times, total deployment time ÷ cap); and
 * the waves apply ran before, computed from the same deployment times.
 */
async function makespanRows(resetMoto: () => Promise<void>, motoUrl: string, cwd: string): Promise<string[]> {
  await resetMoto();
  const { servers, seconds: times } = seededEstate(MAKESPAN.seed, MAKESPAN.services);
  await seedChainEstate(motoUrl, servers);
  const planned = await run(['plan', '--cluster', CHAIN_CLUSTER, '--out', 'chains.json'], motoUrl, cwd);
  if (planned.code !== 0) throw new Error('planning the chain estate failed');
  const rolloutMs = Object.fromEntries([...times].map(([name, s]) => [name, s * 1000 * MAKESPAN.timeFactor]));
  const applied = await run(['apply', 'chains.json', '--force', '--max-in-flight', String(MAKESPAN.cap), '--poll-interval', MAKESPAN.poll], motoUrl, cwd, rolloutMs);
  const plan = parsePlan(await readFile(join(cwd, 'chains.json'), 'utf8'), 'chains.json');
  const { moves } = schedulePlan(plan);
  const durations = new Map(moves.map((m) => [m.label, rolloutMs[m.label.split('/').pop()!]!]));
  const bound = makespanLowerBound(moves, durations, MAKESPAN.cap);
  const makespan = applied.exitedAt - applied.firstMoveAt!;
  const waves = waveMakespan(moves, plan.services.map((s) => `${s.cluster}/${s.service}`), durations, MAKESPAN.cap);
  const total = Object.values(applied.calls).reduce((a, b) => a + b, 0);
  process.stderr.write(`chain estate: ${moves.length} moves, the longest chain ${Math.max(...moves.map((m) => m.chain))} services; `
    + `simulated (no API time) ${seconds(simulate(moves, durations, MAKESPAN.cap).makespan)}; peak deployments running at once ${applied.peakDeployments}; wall ${seconds(applied.wallMs)}\n`);
  const what = `${moves.length} services in dependency chains, deployments 5–60 s ÷ ${1 / MAKESPAN.timeFactor}, \`--max-in-flight ${MAKESPAN.cap}\``;
  return [
    `| apply --wait, ${what}: makespan | ${seconds(makespan)} | ${seconds(bound)} | ${(makespan / bound).toFixed(2)}× | ${applied.rssMb.toFixed(0)} MB | ${total} | — | 0 | ${applied.throttled} | — | exit ${applied.code} |`,
    `| the same with the waves apply ran before (computed from the same deployment times) | ${seconds(waves)} | ${seconds(bound)} | ${(waves / bound).toFixed(2)}× | — | — | — | — | — | — | — |`,
  ];
}

async function medianMs(args: string[], runs = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await new Promise((resolve) => spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' }).on('close', resolve));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const moto = await startMoto();
try {
  // BENCH_ONLY=plan,apply (say) runs a subset.
  const only = process.env.BENCH_ONLY?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const cwd = await mkdtemp(join(tmpdir(), 'meshctl-bench-'));
  const lines = [
    '| command | wall | time lower bound | ratio | peak RSS | AWS calls | call lower bound | GetMetricData calls | throttled | calls above bound | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let estate: BigEstate | undefined;
  if (['inspect', 'precheck', 'plan', 'apply-dry-run', 'apply'].some(wanted)) {
    process.stderr.write(`seeding ${SHAPE.clusters}×${SHAPE.servicesPerCluster} services…\n`);
    const seedStarted = performance.now();
    estate = await seedBigEstate(moto.url, SHAPE);
    process.stderr.write(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s\n`);
    lines.push(...await bigEstateRows(estate, wanted, moto.url, cwd));
  }
  // Last: it resets moto for an estate of its own.
  if (wanted('makespan')) lines.push(...await makespanRows(() => moto.reset(), moto.url, cwd));

  const help = await medianMs(['--help']);
  const version = await medianMs(['--version']);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  process.stdout.write(`meshctl --help median ${help.toFixed(0)} ms, --version median ${version.toFixed(0)} ms (15 runs)\n`);
  if (estate) process.stdout.write(`estate: ${SHAPE.clusters} clusters × ${SHAPE.servicesPerCluster} services, ${estate.families} task-definition families, ${SHAPE.ec2Clusters * SHAPE.instancesPerEc2Cluster} container instances; ${LATENCY_MS} ms per call; ECS token buckets from src/aws/rate-limit.ts\n`);
} finally {
  await moto.stop();
}
