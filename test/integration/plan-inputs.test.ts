// Every input a live plan computes is accepted by its AWS API: the plan runs
// against moto, then each step is sent through the SDK in order, output
// references resolved from earlier outputs. ECS and Cloud Map go to moto;
// App Mesh goes to moto (mesh, virtual nodes) and to the proxy's stand-in for
// virtual services, which moto lacks (see test/support/aws-proxy.ts).
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import * as appmesh from '@aws-sdk/client-app-mesh';
import * as ecs from '@aws-sdk/client-ecs';
import * as sd from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { DEMO_REGION } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { DEMO, seeded } from '../support/seeded.js';

let moto: Moto;
let proxy: AwsProxy;

beforeAll(async () => {
  moto = await startMoto();
  ({ proxy } = await seeded(moto, DEMO));
  // A service with no Cloud Map registry yet: the plan registers it.
  const client = new ecs.ECSClient({ endpoint: moto.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const web = (await client.send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['web'] }))).services![0]!;
  await client.send(new ecs.CreateServiceCommand({
    cluster: 'shop-fargate', serviceName: 'notifications', taskDefinition: web.taskDefinition, desiredCount: 1, launchType: 'FARGATE',
    networkConfiguration: web.networkConfiguration,
  }));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

function resolve(value: unknown, outputs: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, outputs));
  if (value && typeof value === 'object') {
    if ('$ref' in value) {
      const { $ref, path } = value as { $ref: string; path: string };
      return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], outputs.get($ref));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, outputs)]));
  }
  return value;
}

describe('planned inputs against the APIs', () => {
  it('are accepted by ECS, Cloud Map and App Mesh, in plan order', async () => {
    const result = await runCli(['plan', '--target', 'appmesh', '--output', 'json'], isolatedEnv(motoEnv(proxy.url)));
    expect(result.stderr).toBe('');
    const plan = JSON.parse(result.stdout) as Plan;
    const operations = new Set(plan.steps.map((s) => `${s.service} ${s.operation}`));
    expect(operations).toEqual(new Set([
      'appmesh CreateMesh', 'appmesh CreateVirtualNode', 'appmesh CreateVirtualService',
      'servicediscovery CreateService', 'ecs RegisterTaskDefinition', 'ecs UpdateService',
    ]));

    const config = { endpoint: proxy.url, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const clients = { ecs: new ecs.ECSClient(config), servicediscovery: new sd.ServiceDiscoveryClient(config), appmesh: new AppMeshClient(config) };
    const modules: Record<string, Record<string, unknown>> = { ecs, servicediscovery: sd, appmesh };
    const outputs = new Map<string, unknown>();
    for (const step of plan.steps) {
      const Command = modules[step.service]![`${step.operation}Command`] as new (input: unknown) => never;
      const client = clients[step.service as keyof typeof clients] as { send(command: never): Promise<unknown> };
      outputs.set(step.id, await client.send(new Command(resolve(step.input, outputs))));
    }

    const web1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
    const after = await clients.ecs.send(new ecs.DescribeServicesCommand({ cluster: 'shop-fargate', services: ['notifications', 'web'] }));
    for (const service of after.services!) {
      expect(service.taskDefinition).not.toBe(web1);
      expect(service.serviceRegistries).toHaveLength(1);
    }
    const registered = await clients.ecs.send(new ecs.DescribeTaskDefinitionCommand({ taskDefinition: after.services![1]!.taskDefinition! }));
    expect(registered.taskDefinition!.containerDefinitions!.map((c) => c.name)).toEqual(['web', 'envoy', 'xray-daemon']);
    expect(registered.taskDefinition!.proxyConfiguration!.type).toBe('APPMESH');
  });
});
