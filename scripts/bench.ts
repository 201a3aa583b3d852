// npm run bench: meshctl on a 1000-service estate in moto, behind a proxy
// adding 50 ms per call and ECS's token buckets (throttled calls get a real
// ThrottlingException). For each command: wall time, peak RSS, AWS calls per
// operation, the CloudWatch GetMetricData calls that read the services' peaks,
// throttled calls, and the lower bounds the batch limits (calls) and the rate
// limits plus latency (time) allow.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUDWATCH_RATES, ECS_RATES } from '../src/aws/rate-limit.js';
import { startAwsProxy, type AwsProxy } from '../test/support/aws-proxy.js';
import { BIN, isolatedEnv, motoEnv } from '../test/support/cli.js';
import { seedBigEstate, type BigEstate } from '../test/support/big-estate.js';
import { startMoto } from '../test/support/moto.js';

const LATENCY_MS = 50;
const SHAPE = { clusters: 10, servicesPerCluster: 100, servicesPerFamily: 3, ec2Clusters: 2, instancesPerEc2Cluster: 20 };
/** Sequential round trips no batching can avoid: ListClusters → DescribeClusters → ListServices → DescribeServices → DescribeTaskDefinition. */
const CHAIN = 5;

interface Measured {
  wallMs: number;
  rssMb: number;
  code: number | null;
  calls: Record<string, number>;
  throttled: number;
}

/** Runs the CLI through a fresh proxy: every command starts, as a CI job would, with full AWS token buckets. */
async function run(args: string[], motoUrl: string, cwd: string): Promise<Measured> {
  const proxy = await startAwsProxy(motoUrl, { latencyMs: LATENCY_MS, buckets: { ...ECS_RATES, ...CLOUDWATCH_RATES } });
  // moto never ends a deployment; as on AWS, rollouts complete (apply waits for servers before starting their clients).
  proxy.endRollouts('*', 'COMPLETED');
  const env = isolatedEnv(motoEnv(proxy.url));
  try {
    return await measure(args, env, cwd, proxy);
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
      const wallMs = performance.now() - started;
      const rssKb = Number(stderr.trim().split('\n').pop());
      const calls: Record<string, number> = {};
      for (const c of proxy.calls) calls[`${c.service} ${c.operation}`] = (calls[`${c.service} ${c.operation}`] ?? 0) + 1;
      if (code !== 0 && code !== 1) process.stderr.write(stderr);
      resolve({ wallMs, rssMb: rssKb / 1024, code, calls, throttled: proxy.throttled.length });
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
 * caller's account, and the Cloud Map namespace the plan observed. No task
 * definition: revisions are immutable.
 */
function applyReadBound(e: BigEstate): Record<string, number> {
  return {
    'ecs DescribeServices': e.clusters * Math.ceil(e.servicesPerCluster / 10),
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
  process.stderr.write(`seeding ${SHAPE.clusters}×${SHAPE.servicesPerCluster} services…\n`);
  const seedStarted = performance.now();
  const estate = await seedBigEstate(moto.url, SHAPE);
  process.stderr.write(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s\n`);
  const cwd = await mkdtemp(join(tmpdir(), 'meshctl-bench-'));

  const lines = [
    '| command | wall | time lower bound | ratio | peak RSS | AWS calls | call lower bound | GetMetricData calls | throttled | calls above bound | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  // BENCH_ONLY=plan,apply (say) runs a subset.
  const only = process.env.BENCH_ONLY?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  if (wanted('inspect')) lines.push(row('inspect', await run(['inspect'], moto.url, cwd), readLowerBound(estate, false)));
  if (wanted('precheck')) lines.push(row('precheck', await run(['precheck'], moto.url, cwd), readLowerBound(estate, true)));
  if (wanted('plan') || wanted('apply-dry-run')) lines.push(row('plan', await run(['plan', '--out', 'plan.json'], moto.url, cwd), readLowerBound(estate, true)));
  // apply --dry-run is apply's pre-apply read (drift check) and nothing else.
  if (wanted('apply-dry-run')) lines.push(row('apply --dry-run (pre-apply read)', await run(['apply', 'plan.json', '--dry-run'], moto.url, cwd), applyReadBound(estate)));

  // A real apply of one 100-service cluster, without waiting for deployments.
  if (wanted('apply')) {
    await run(['plan', '--cluster', 'cluster5', '--out', 'plan100.json'], moto.url, cwd);
    const applied = await run(['apply', 'plan100.json', '--force', '--no-wait'], moto.url, cwd);
    // The plan's services are read again (no List calls, no task definition); each wave then describes the revisions it needs once.
    const applyBound = {
      ...applyReadBound({ ...estate, clusters: 1 }), 'ecs DescribeTaskDefinition': Math.ceil(SHAPE.servicesPerCluster / SHAPE.servicesPerFamily),
      'ecs RegisterTaskDefinition': SHAPE.servicesPerCluster, 'ecs UpdateService': SHAPE.servicesPerCluster,
    };
    for (const [k, n] of Object.entries(applied.calls)) if (k.startsWith('appmesh PUT')) (applyBound as Record<string, number>)[k] = n;
    lines.push(row('apply 100 services (--no-wait)', applied, applyBound));
  }

  const help = await medianMs(['--help']);
  const version = await medianMs(['--version']);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  process.stdout.write(`meshctl --help median ${help.toFixed(0)} ms, --version median ${version.toFixed(0)} ms (15 runs)\n`);
  process.stdout.write(`estate: ${SHAPE.clusters} clusters × ${SHAPE.servicesPerCluster} services, ${estate.families} task-definition families, ${SHAPE.ec2Clusters * SHAPE.instancesPerEc2Cluster} container instances; ${LATENCY_MS} ms per call; ECS token buckets from src/aws/rate-limit.ts\n`);
} finally {
  await moto.stop();
}
