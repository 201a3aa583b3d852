// Service Connect against moto: plain services in place, the App Mesh estate
// blue-green (green services created) or in place with its mesh resources
// removed, and rollback of both.
//
// Test-support note: moto accepts serviceConnectConfiguration on CreateService
// and UpdateService but ignores it (DescribeServices never reports it back),
// so these tests check task definitions, services and the journal; what the
// Service Connect configuration says is covered by the unit and e2e tests.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as appmesh from '@aws-sdk/client-app-mesh';
import * as ecs from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/journal.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_REGION, LEGACY_MESH, seedDemoEstate } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let proxy: AwsProxy;
let env: NodeJS.ProcessEnv;
let cwd: string;
let client: ecs.ECSClient;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const cli = (...args: string[]) => runCli(args, env, cwd);

async function describe1(cluster: string, service: string) {
  return (await client.send(new ecs.DescribeServicesCommand({ cluster, services: [service] }))).services?.find((s) => s.status === 'ACTIVE');
}

beforeAll(async () => {
  moto = await startMoto();
  client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials });
});

beforeEach(async () => {
  await proxy?.stop();
  await moto.reset();
  proxy = await startAwsProxy(moto.url);
  env = isolatedEnv(motoEnv(proxy.url));
  cwd = await mkdtemp(join(tmpdir(), 'meshctl-sc-'));
  await seedDemoEstate(moto.url, proxy.url);
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('apply --target service-connect', () => {
  it('creates green services beside the App Mesh ones and moves plain services in place; rollback undoes both', async () => {
    expect((await cli('plan', '--target', 'service-connect', '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json', '--force', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    for (const name of ['pricing', 'inventory']) {
      const green = await describe1('legacy-mesh', `${name}-sc`);
      expect(green, name).toBeDefined();
      const td = (await client.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: green!.taskDefinition }))).taskDefinition!;
      expect(td.containerDefinitions!.map((c) => c.name)).toEqual([name]);
      expect(td.containerDefinitions![0]!.portMappings![0]).toMatchObject({ name: `${name}-8080`, appProtocol: 'http' });
      expect(td.proxyConfiguration).toBeUndefined();
      // The blue service is untouched: still on App Mesh.
      expect((await describe1('legacy-mesh', name))!.taskDefinition).toMatch(new RegExp(`${name}:1$`));
    }
    expect((await describe1('shop-fargate', 'web'))!.taskDefinition).toMatch(/web:2$/);

    const [file] = await readdir(join(cwd, '.meshctl'));
    const journal = JSON.parse(await readFile(join(cwd, '.meshctl', file!), 'utf8')) as Journal;
    expect(journal.services['legacy-mesh/pricing']).toMatchObject({ greenService: 'pricing-sc', state: 'updated' });
    expect(journal.created.filter((c) => c.kind === 'EcsService').map((c) => c.identity.service).sort()).toEqual(['inventory-sc', 'pricing-sc']);

    const rolledBack = await cli('rollback', '--yes', '--no-wait');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('deleted ECS service legacy-mesh/pricing-sc');
    expect(await describe1('legacy-mesh', 'pricing-sc')).toBeUndefined();
    expect((await describe1('shop-fargate', 'web'))!.taskDefinition).toMatch(/web:1$/);
  });

  it('in place with --remove-mesh-resources switches the group and then deletes its App Mesh resources', async () => {
    expect((await cli('plan', '--target', 'service-connect', '--strategy', 'in-place', '--remove-mesh-resources', '--service', 'pricing', '--service', 'inventory', '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json', '--no-wait');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await describe1('legacy-mesh', 'pricing'))!.taskDefinition).toMatch(/pricing:2$/);
    const mesh = new appmesh.AppMeshClient({ endpoint: proxy.url, region: DEMO_REGION, credentials });
    const nodes = await mesh.send(new appmesh.ListVirtualNodesCommand({ meshName: LEGACY_MESH }));
    expect(nodes.virtualNodes).toEqual([]);
    const services = await mesh.send(new appmesh.ListVirtualServicesCommand({ meshName: LEGACY_MESH }));
    expect(services.virtualServices).toEqual([]);
  });
});
