// Live runs against moto's server through the real AWS SDK, and the recording
// made from them replayed with no network: both must print the same thing.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMeshClient, CreateMeshCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;
let live: NodeJS.ProcessEnv;

/** The first line names the source (endpoint or fixtures directory); everything after must match. */
const body = (text: string) => text.split('\n').slice(1).join('\n');

beforeAll(async () => {
  moto = await startMoto();
  ({ proxy } = await seeded(moto, DEMO));
  live = isolatedEnv(motoEnv(proxy.url));
  // An existing mesh, read through the proxy that stands in for moto's App Mesh timestamps.
  const appmesh = new AppMeshClient({ endpoint: proxy.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await appmesh.send(new CreateMeshCommand({ meshName: 'legacy-mesh' }));
  await appmesh.send(new CreateVirtualNodeCommand({
    meshName: 'legacy-mesh', virtualNodeName: 'old-api',
    spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'old-api.shop.local' } } },
  }));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('live against moto', () => {
  it('inspects the seeded estate, App Mesh included', async () => {
    const result = await runCli(['inspect'], live);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/orders\s+EC2\s+awsvpc\s+orders:1\s+2\/0\s+1536\/2048/);
    expect(result.stdout).toContain('App Mesh meshes: legacy-mesh (1 virtual nodes)');
  });

  it('prechecks the seeded estate: ENIs of the full t3.medium instances, Fargate limits, DB ports', async () => {
    const result = await runCli(['precheck', '--target', 'appmesh', '--format', 'json'], live);
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout);
    const find = (service: string, rule: string) => findings.find((f: { service: string; rule: string }) => f.service === service && f.rule === rule);
    expect(find('orders', 'eni-capacity')).toMatchObject({ severity: 'error' });
    expect(find('orders', 'eni-capacity').message).toContain('(2 × t3.medium: 3 ENIs − 1 primary = 2 each; awsvpcTrunking off)');
    expect(find('recommender', 'cpu-memory-headroom')).toMatchObject({ severity: 'error' });
    expect(find('orders', 'db-egress-ports').message).toContain('EgressIgnoredPorts will be 5432,6379');
    expect(find('legacy-reports', 'network-mode')).toMatchObject({ severity: 'error' });
    expect(find('checkout', 'deployment-controller')).toMatchObject({ severity: 'error' });
  });

  it('logs each AWS call with its duration under --verbose', async () => {
    const result = await runCli(['inspect', '--cluster', 'shop-fargate', '--verbose'], live);
    expect(result.stderr).toMatch(/^aws ecs ListClusters \d+ms$/m);
    expect(result.stderr).toMatch(/^aws ecs DescribeTaskDefinition \d+ms$/m);
  });
});

describe('record → replay', () => {
  it('replays inspect and precheck exactly as the live run printed them, with secrets redacted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-rec-'));
    const recorded = await runCli(['record', '--out', dir], live);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain('secrets redacted');

    const before = proxy.calls.length;
    const fixtures = ['--fixtures', dir];
    const offline = isolatedEnv();
    for (const args of [['inspect'], ['inspect', '--output', 'json'], ['precheck'], ['precheck', '--format', 'json'], ['precheck', '--format', 'junit'], ['precheck', '--target', 'service-connect', '--format', 'github']]) {
      const liveRun = await runCli(args, live);
      const reached = proxy.calls.length;
      const replayed = await runCli([...args, ...fixtures], offline);
      expect(proxy.calls.length, `${args.join(' ')} --fixtures reached the endpoint`).toBe(reached);
      expect(replayed.code, args.join(' ')).toBe(liveRun.code);
      if (args.length === 1) expect(body(replayed.stdout)).toBe(body(liveRun.stdout));
      else expect(replayed.stdout).toBe(liveRun.stdout);
    }
    // The live runs reached the endpoint (each replay, checked above, did not).
    expect(proxy.calls.length).toBeGreaterThan(before);

    const { readFile } = await import('node:fs/promises');
    const ecs = await readFile(join(dir, 'ecs.json'), 'utf8');
    expect(ecs).not.toMatch(/hunter2|s3cr3t-Passw0rd|sk_live_demo|catalog-pw|demo-session-secret/);
    expect(ecs).toContain('postgres://orders:****@orders-db');
  });
});
