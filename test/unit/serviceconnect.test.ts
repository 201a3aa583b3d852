// The Service Connect rewrite (golden files) and planner: fresh services in
// place, App Mesh services blue-green or in place by dependency group.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { rewriteForAppMesh } from '../../src/core/appmesh/rewrite.js';
import type { MeshSpecs } from '../../src/core/appmesh/specs.js';
import type { Estate, TaskDefinition } from '../../src/core/estate.js';
import { rewriteForServiceConnect } from '../../src/core/serviceconnect/rewrite.js';
import { planServiceConnect, type MigrationStrategy } from '../../src/core/serviceconnect/plan.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { expectGolden } from '../support/golden.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const logs = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } };

const golden = (name: string, value: unknown) => expectGolden(`test/golden/serviceconnect/${name}.json`, value);

function meshed(name: string, mesh = 'legacy', extra: Partial<TaskDefinition> = {}): TaskDefinition {
  const plain = taskDefinition({ family: name, cpu: '512', memory: '1024', containerDefinitions: [container({ name, logConfiguration: logs })], ...extra });
  const rewritten = rewriteForAppMesh(plain, {
    virtualNodeArn: `arn:aws:appmesh:us-east-1:123456789012:mesh/${mesh}/virtualNode/${name}`, launch: 'FARGATE', sizing: DEFAULT_SIDECAR_SIZING,
    envoyImage: 'envoy:1', xrayImage: 'xray:1', egressIgnoredPorts: [], egressIgnoredIPs: [],
  });
  return { ...plain, ...rewritten } as TaskDefinition;
}

const scOptions = { launch: 'FARGATE' as const, sizing: DEFAULT_SIDECAR_SIZING, appProtocolOf: () => 'http' as const, keepXray: false, agentPresent: false };

describe('rewriteForServiceConnect', () => {
  it('matches the golden file: a plain Fargate service', () => {
    // The container claims the whole task: the agent's 256 CPU / 64 MiB must be added (512/1024 on Fargate).
    golden('fresh', rewriteForServiceConnect(taskDefinition({ family: 'fresh', cpu: '256', memory: '512', containerDefinitions: [container({ cpu: 256, memory: 512, logConfiguration: logs })] }), scOptions));
  });

  it('matches the golden file: a service leaving App Mesh', () => {
    golden('from-appmesh', rewriteForServiceConnect(meshed('orders'), scOptions));
  });

  it('names ports and sets the app protocol, adds no sidecar and no proxy configuration', () => {
    const out = rewriteForServiceConnect(taskDefinition({ containerDefinitions: [container({ name: 'Web_App', portMappings: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'udp' }] })] }), scOptions);
    expect(out.containerDefinitions).toHaveLength(1);
    expect(out.containerDefinitions[0]!.portMappings).toEqual([{ containerPort: 8080, name: 'web_app-8080', appProtocol: 'http' }, { containerPort: 53, protocol: 'udp' }]);
    expect(out.proxyConfiguration).toBeUndefined();
    // The container sets no limits, so the task's 512/1024 is unallocated: the agent runs in it, nothing grows (AWS).
    expect([out.cpu, out.memory]).toEqual(['512', '1024']);
  });

  it('drops Envoy, X-Ray, their dependsOn and the proxy configuration, and keeps the task size', () => {
    const out = rewriteForServiceConnect(meshed('orders'), scOptions);
    expect(out.containerDefinitions.map((c) => c.name)).toEqual(['orders']);
    expect(out.containerDefinitions[0]!.dependsOn).toBeUndefined();
    expect(out.proxyConfiguration).toBeUndefined();
    // App Mesh grew 512/1024 + Envoy/X-Ray to 2048/4096; without Envoy and X-Ray the agent fits in what they
    // leave, so the task keeps its size: the app never loses what it had, and nothing grows.
    expect([out.cpu, out.memory]).toEqual(['2048', '4096']);
  });

  it('keeps the X-Ray daemon when asked', () => {
    const out = rewriteForServiceConnect(meshed('orders'), { ...scOptions, keepXray: true });
    expect(out.containerDefinitions.map((c) => c.name)).toEqual(['orders', 'xray-daemon']);
  });

  it('changes nothing once rewritten and on Service Connect', () => {
    const once = rewriteForServiceConnect(taskDefinition({ family: 'x' }), scOptions);
    const registered = { ...once, taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/x:2', revision: 2 } as TaskDefinition;
    const twice = rewriteForServiceConnect(registered, { ...scOptions, agentPresent: true });
    expect(stableStringify(twice)).toBe(stableStringify(once));
  });
});

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };

function shop(): Estate {
  const pricing = meshed('pricing');
  const inventory = meshed('inventory');
  const web = taskDefinition({ family: 'web', containerDefinitions: [container({ name: 'web', environment: [{ name: 'INVENTORY_URL', value: 'http://inventory.shop.local:8080' }] })] });
  const reg = (n: string) => [{ registryArn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}` }];
  const est = estate({ services: [
    [service(pricing, { serviceRegistries: reg('pricing') }), pricing],
    [service(inventory, { serviceRegistries: reg('inventory') }), inventory],
    [service(web, { serviceRegistries: reg('web') }), web],
  ] });
  est.clusters[0]!.arn = 'arn:aws:ecs:us-east-1:123456789012:cluster/c';
  est.cloudMap = { namespaces: [NS], services: ['pricing', 'inventory', 'web'].map((n) => ({ id: `srv-${n}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}`, name: n, namespaceId: 'ns-1' })) };
  return est;
}

const specs = (): MeshSpecs => ({
  virtualNodes: {
    pricing: { spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }, version: 1 },
    inventory: { spec: { backends: [{ virtualService: { virtualServiceName: 'pricing.shop.local' } }] }, version: 1 },
  },
  virtualServices: {
    'pricing.shop.local': { spec: { provider: { virtualNode: { virtualNodeName: 'pricing' } } }, version: 1 },
    'inventory.shop.local': { spec: { provider: { virtualNode: { virtualNodeName: 'inventory' } } }, version: 1 },
  },
  virtualRouters: {}, routes: {},
});

const plan = (est: Estate, strategy: MigrationStrategy = 'blue-green', removeMeshResources = false, config = parseConfig({}, 'test')) =>
  planServiceConnect({ estate: est, config, specs: specs(), createdAt: 'now', strategy, removeMeshResources });

describe('planServiceConnect', () => {
  it('moves a plain service in place, keeping the DNS name callers use as the alias', () => {
    const p = plan(shop());
    const update = p.steps.find((s) => s.id === 'ecs-service:c/web')!;
    expect(update.input.serviceConnectConfiguration).toEqual({
      enabled: true, namespace: 'shop.local',
      services: [{ portName: 'web-8080', discoveryName: 'web-sc', clientAliases: [{ port: 8080, dnsName: 'web.shop.local' }] }],
    });
    expect(update.before).toEqual({ taskDefinition: expect.stringContaining('web:1'), serviceConnectConfiguration: { enabled: false } });
    expect(p.services.find((s) => s.service === 'web')!.serviceConnect).toEqual({ namespace: 'shop.local', strategy: 'in-place', aliases: ['web.shop.local:8080'] });
  });

  it('gives App Mesh services a green service by default, aliases keeping their virtual-service names, grouped by backends', () => {
    const p = plan(shop());
    const green = p.steps.find((s) => s.id === 'ecs-green-service:c/pricing')!;
    expect(green.operation).toBe('CreateService');
    expect(green.input).toMatchObject({
      cluster: 'c', serviceName: 'pricing-sc', desiredCount: 2, launchType: 'FARGATE',
      serviceConnectConfiguration: { enabled: true, namespace: 'shop.local', services: [{ portName: 'pricing-8080', clientAliases: [{ port: 8080, dnsName: 'pricing.shop.local' }] }] },
    });
    expect(p.steps.some((s) => s.operation === 'UpdateService' && s.ecsService === 'c/pricing')).toBe(false);
    const pricing = p.services.find((s) => s.service === 'pricing')!;
    expect(pricing.notes![0]).toBe('App Mesh dependency group 1: c/pricing, c/inventory');
    expect(pricing.notes![1]).toContain('shift traffic at the edge');
  });

  it('switches a whole group in place when asked, stating the risk', () => {
    const p = plan(shop(), 'in-place');
    expect(p.steps.filter((s) => s.operation === 'UpdateService').map((s) => s.id)).toEqual(['ecs-service:c/pricing', 'ecs-service:c/inventory', 'ecs-service:c/web']);
    expect(p.services.find((s) => s.service === 'inventory')!.notes!.some((n) => n.startsWith('in-place switch: every service of the dependency group moves at once'))).toBe(true);
  });

  it('removes App Mesh resources after the in-place updates, and for blue-green only once the green service exists', () => {
    const inPlace = plan(shop(), 'in-place', true);
    const deleteNode = inPlace.steps.find((s) => s.id === 'delete-virtual-node:pricing')!;
    expect(deleteNode.dependsOn).toEqual(['ecs-service:c/pricing', 'delete-virtual-service:pricing.shop.local']);
    expect(inPlace.steps.find((s) => s.id === 'delete-virtual-service:pricing.shop.local')!.input).toEqual({ meshName: 'legacy', virtualServiceName: 'pricing.shop.local' });

    expect(plan(shop(), 'blue-green', true).steps.some((s) => s.operation.startsWith('Delete'))).toBe(false);
    const cutOver = shop();
    const pricingGreen = service(cutOver.taskDefinitions[cutOver.clusters[0]!.services[0]!.taskDefinitionArn]!, { name: 'pricing-sc' });
    cutOver.clusters[0]!.services.push(pricingGreen);
    const cleanup = plan(cutOver, 'blue-green', true);
    expect(cleanup.steps.filter((s) => s.operation.startsWith('Delete')).map((s) => s.id)).toEqual(['delete-virtual-service:pricing.shop.local', 'delete-virtual-node:pricing']);
  });

  it('creates the configured namespace as an HTTP namespace when it is missing', () => {
    const p = plan(shop(), 'blue-green', false, parseConfig({ cloudMap: { namespace: 'mesh.internal' } }, 'test'));
    expect(p.steps[0]).toMatchObject({ id: 'cloudmap-namespace:mesh.internal', operation: 'CreateHttpNamespace', input: { Name: 'mesh.internal' } });
    expect(p.steps.find((s) => s.id === 'ecs-service:c/web')!.dependsOn).toContain('cloudmap-namespace:mesh.internal');
  });

  it('sets the cluster\'s Service Connect default namespace when configured', () => {
    const p = plan(shop(), 'blue-green', false, parseConfig({ serviceConnect: { setClusterDefaults: true } }, 'test'));
    expect(p.steps.find((s) => s.operation === 'UpdateCluster')).toMatchObject({ input: { cluster: 'c', serviceConnectDefaults: { namespace: 'shop.local' } } });
    expect(plan(shop()).steps.some((s) => s.operation === 'UpdateCluster')).toBe(false);
  });

  it('plans nothing for a service already on Service Connect with the same configuration', () => {
    const first = plan(shop());
    const update = first.steps.find((s) => s.id === 'ecs-service:c/web')!;
    const register = first.steps.find((s) => s.id === 'task-definition:c/web')!;
    const after = shop();
    const web = after.clusters[0]!.services.find((s) => s.name === 'web')!;
    const registered = { ...register.input, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2', revision: 2 } as unknown as TaskDefinition;
    after.taskDefinitions[registered.taskDefinitionArn] = registered;
    web.taskDefinitionArn = registered.taskDefinitionArn;
    web.serviceConnect = update.input.serviceConnectConfiguration as never;
    const second = plan(after);
    expect(second.steps.filter((s) => s.ecsService === 'c/web')).toEqual([]);
    expect(second.services.find((s) => s.service === 'web')!.status).toBe('unchanged');
  });
});
