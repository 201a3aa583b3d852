// Spawns the built CLI on the bundled demo fixtures: output of every format,
// exit codes, and a clear message for every kind of bad input.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../support/cli.js';

const DEMO = ['--fixtures', 'fixtures/demo'];
// These tests cover the App Mesh target, which is no longer the default.
const APPMESH = [...DEMO, '--target', 'appmesh'];
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

async function demoCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-demo-'));
  await cp('fixtures/demo', dir, { recursive: true });
  return dir;
}

function expectCleanFailure(result: { code: number | null; stderr: string }, message: string | RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(STACK_TRACE);
}

describe('meshctl --help and --version', () => {
  it('lists the commands and exits 0 without warnings', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/inspect[\s\S]*precheck[\s\S]*record/);
    expect(result.stdout).toContain('--endpoint-url');
    expect(result.stderr).toBe('');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8'));
    expect((await runCli(['--version'])).stdout.trim()).toBe(pkg.version);
  });
});

describe('meshctl inspect on the demo fixtures', () => {
  it('prints a table per cluster with every column', async () => {
    const result = await runCli(['inspect', ...DEMO]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('cluster shop-ec2');
    expect(result.stdout).toContain('cluster shop-fargate');
    expect(result.stdout).toMatch(/SERVICE\s+LAUNCH\s+NETWORK\s+TASK DEFINITION\s+DESIRED\/RUNNING\s+CPU\/MEMORY\s+CONTAINERS\s+MESH/);
    expect(result.stdout).toMatch(/legacy-reports\s+EC2\s+bridge\s+legacy-reports:1\s+1\/0\s+512\/1024\s+legacy-reports\s+none/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('prints the same data as JSON', async () => {
    const result = await runCli(['inspect', ...DEMO, '--output', 'json']);
    const report = JSON.parse(result.stdout);
    expect(report.region).toBe('us-east-1');
    const fargate = report.clusters.find((c: { cluster: string }) => c.cluster === 'shop-fargate');
    expect(fargate.services.find((s: { service: string }) => s.service === 'recommender')).toMatchObject({
      launchType: 'FARGATE', networkMode: 'awsvpc', taskDefinition: 'recommender:1', cpu: 16384, memory: 65536, mesh: 'none',
    });
  });

  it('narrows to the named cluster and service', async () => {
    const report = JSON.parse((await runCli(['inspect', ...DEMO, '--cluster', 'shop-ec2', '--service', 'orders', '--output', 'json'])).stdout);
    expect(report.clusters.map((c: { cluster: string }) => c.cluster)).toEqual(['shop-ec2']);
    expect(report.clusters[0].services.map((s: { service: string }) => s.service)).toEqual(['orders']);
  });
});

describe('meshctl precheck on the demo fixtures', () => {
  it('reports findings per service with marks, hints and a summary; exit 1 on errors', async () => {
    const result = await runCli(['precheck', ...APPMESH]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('shop-ec2/orders');
    expect(result.stdout).toMatch(/× eni-capacity\s+shop-ec2\/orders: rolling deployment needs 6 task ENIs/);
    expect(result.stdout).toMatch(/‼ appmesh-end-of-support/);
    expect(result.stdout).toMatch(/✔ db-egress-ports\s+shop-ec2\/orders: EgressIgnoredPorts will be 5432,6379/);
    expect(result.stdout).toContain('hint: ');
    expect(result.stdout).toMatch(/15 service\(s\) checked: \d+ error\(s\), \d+ warning\(s\), \d+ info — fails at --fail-on error/);
  });

  it('emits JSON findings with rule, severity, cluster, service, message and hint', async () => {
    const result = await runCli(['precheck', ...APPMESH, '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    for (const f of report.findings) expect(Object.keys(f).sort()).toEqual(['cluster', 'hint', 'message', 'rule', 'service', 'severity']);
    // Read alone, every service finding's message says where it is.
    for (const f of report.findings.filter((x: { service: string }) => x.service)) expect(f.message.startsWith(`${f.cluster}/${f.service}: `)).toBe(true);
    const ids = new Set(report.findings.map((f: { rule: string }) => f.rule));
    for (const id of ['cpu-memory-headroom', 'eni-capacity', 'db-egress-ports', 'network-mode', 'deployment-controller', 'agent-version', 'service-discovery', 'appmesh-end-of-support']) {
      expect(ids).toContain(id);
    }
    expect(report.findings).toContainEqual(expect.objectContaining({
      rule: 'cpu-memory-headroom', severity: 'error', cluster: 'shop-fargate', service: 'recommender',
    }));
    expect(report.summary).toMatchObject({ services: 15, failOn: 'error', failed: true });
    expect(report.summary.errors).toBe(report.findings.filter((f: { severity: string }) => f.severity === 'error').length);
  });

  it('follows --output json when --format is not given', async () => {
    expect(JSON.parse((await runCli(['precheck', ...APPMESH, '--output', 'json'])).stdout).target).toBe('appmesh');
    // Without --target or config, precheck checks for Service Connect: App Mesh reached end of support.
    expect(JSON.parse((await runCli(['precheck', ...DEMO, '--output', 'json'])).stdout).target).toBe('service-connect');
  });

  it('writes JUnit with one testcase per service and rule', async () => {
    const result = await runCli(['precheck', ...APPMESH, '--format', 'junit']);
    expect(result.code).toBe(1);
    expect(result.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(result.stdout.match(/<testsuite /g)).toHaveLength(16);
    expect(result.stdout.match(/<testcase /g)).toHaveLength(15 * 15 + 1);
    expect(result.stdout).toMatch(/<testcase classname="meshctl.shop-fargate\/recommender" name="cpu-memory-headroom">\s*<failure type="error"/);
  });

  it('writes GitHub workflow commands', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-gha-'));
    const summaryFile = join(dir, 'summary.md');
    const result = await runCli(['precheck', ...APPMESH, '--format', 'github'], isolatedEnv({ GITHUB_STEP_SUMMARY: summaryFile }));
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    const report = JSON.parse((await runCli(['precheck', ...APPMESH, '--format', 'json'])).stdout) as { findings: { severity: string }[] };
    const errorCount = report.findings.filter((f) => f.severity === 'error').length;
    // GitHub shows 10 annotations per kind (the cap itself is a unit test); the job summary lists every error.
    expect(errors).toHaveLength(Math.min(errorCount, 10));
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBeLessThanOrEqual(10);
    // Informational and passing checks are not annotations.
    expect(lines.some((l) => l.startsWith('::notice '))).toBe(false);
    const summary = await readFile(summaryFile, 'utf8');
    expect(summary).toContain('## meshctl precheck (appmesh)');
    expect(summary.split('\n').filter((l) => l.startsWith('| ❌ '))).toHaveLength(errorCount);
    expect(summary).toContain('```mermaid\nflowchart LR');
    expect(summary).toMatch(/s_shop_ec2_orders\["orders"\]:::error/);
  });

  it('exits 0 below --fail-on and 1 at it', async () => {
    expect((await runCli(['precheck', ...APPMESH, '--service', 'web'])).code).toBe(0);
    expect((await runCli(['precheck', ...APPMESH, '--service', 'web', '--fail-on', 'warning'])).code).toBe(1);
  });

  it('skips the App Mesh-only rules for Service Connect and says why', async () => {
    const result = await runCli(['precheck', ...DEMO, '--target', 'service-connect']);
    expect(result.stdout).toContain('target service-connect');
    expect(result.stdout).not.toMatch(/[×‼✔] db-egress-ports/);
    expect(result.stdout).toMatch(/db-egress-ports: Service Connect intercepts only traffic to its own client aliases/);
    expect(result.stdout).toMatch(/older than 1\.67\.2/);
  });

  it('takes sidecar sizing from the config file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-cfg-'));
    const config = join(dir, 'meshctl.yaml');
    await writeFile(config, 'sidecars:\n  envoy:\n    cpu: 256\n    memory: 128\n');
    const report = JSON.parse((await runCli(['precheck', ...APPMESH, '--service', 'catalog', '--config', config, '--format', 'json'])).stdout);
    const headroom = report.findings.find((f: { rule: string }) => f.rule === 'cpu-memory-headroom');
    expect(headroom.message).toContain('to 544 CPU / 896 MiB');
  });
});

describe('bad input: a clear message, exit 2, no stack trace', () => {
  it('unknown cluster', async () => {
    expectCleanFailure(await runCli(['precheck', ...APPMESH, '--cluster', 'nope']), /cluster nope not found in this region \(clusters: legacy-mesh, shop-ec2, shop-fargate\)/);
  });

  it('unknown service', async () => {
    expectCleanFailure(await runCli(['inspect', ...DEMO, '--service', 'nope']), /service nope not found in cluster\(s\) legacy-mesh, shop-ec2, shop-fargate/);
  });

  it('a fixtures directory that does not exist', async () => {
    expectCleanFailure(await runCli(['inspect', '--fixtures', 'no/such/dir']), /no\/such\/dir is not a meshctl fixtures directory/);
  });

  it('a truncated fixture file', async () => {
    const dir = await demoCopy();
    const text = await readFile(join(dir, 'ecs.json'), 'utf8');
    await writeFile(join(dir, 'ecs.json'), text.slice(0, 2000));
    expectCleanFailure(await runCli(['precheck', '--fixtures', dir]), new RegExp(`${join(dir, 'ecs.json')} is not valid JSON`));
  });

  it('a call missing from the fixtures', async () => {
    const dir = await demoCopy();
    const file = JSON.parse(await readFile(join(dir, 'ecs.json'), 'utf8'));
    file.calls = file.calls.filter((c: { operation: string; input: { taskDefinition?: string } }) =>
      !(c.operation === 'DescribeTaskDefinition' && c.input.taskDefinition?.endsWith('/orders:1')));
    await writeFile(join(dir, 'ecs.json'), JSON.stringify(file));
    expectCleanFailure(await runCli(['precheck', '--fixtures', dir]), /no ecs DescribeTaskDefinition call with input \{"include":\["TAGS"\],"taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition\/orders:1"\}/);
  });

  it('bad flag values', async () => {
    expectCleanFailure(await runCli(['precheck', ...APPMESH, '--format', 'xml']), /argument 'xml' is invalid. Allowed choices are text, json, junit, github/);
    expectCleanFailure(await runCli(['precheck', ...DEMO, '--target', 'istio']), /argument 'istio' is invalid/);
    expectCleanFailure(await runCli(['precheck', ...APPMESH, '--fail-on', 'info']), /argument 'info' is invalid/);
    expectCleanFailure(await runCli(['inspect', '--bogus']), /unknown option '--bogus'/);
  });

  it('an invalid config file, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-cfg-'));
    await writeFile(join(dir, 'bad.yaml'), 'sidecars:\n  envoy:\n    cpu: lots\n');
    expectCleanFailure(await runCli(['precheck', ...APPMESH, '--config', join(dir, 'bad.yaml')]), /bad\.yaml: sidecars\.envoy\.cpu: /);
  });

  it('no credentials for a live run', async () => {
    const result = await runCli(['inspect', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9']);
    expectCleanFailure(result, /no AWS credentials found: use --profile/);
  });

  it('no region for a live run', async () => {
    expectCleanFailure(await runCli(['inspect'], isolatedEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' })), /no AWS region: pass --region/);
  });

  it('an unreachable endpoint', async () => {
    const env = isolatedEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' });
    expectCleanFailure(await runCli(['inspect', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], env), /cannot reach AWS for ecs:ListClusters/);
  });
});
