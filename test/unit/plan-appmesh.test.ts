import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, type MeshctlConfig } from '../../src/config/config.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import type { MeshSpecs } from '../../src/core/appmesh/specs.js';
import type { Estate, TaskDefinition } from '../../src/core/estate.js';
import type { Plan } from '../../src/core/plan/model.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };
const noSpecs = (): MeshSpecs => ({ virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} });

function shop(): Estate {
  const orders = taskDefinition({ family: 'orders', containerDefinitions: [container({ name: 'orders', environment: [
    { name: 'DATABASE_URL', value: 'postgres://o:pw@db.cluster-x.us-east-1.rds.amazonaws.com:5432/orders' },
    { name: 'DB_PASSWORD', value: 'hunter2' },
  ] })] });
  const web = taskDefinition({ family: 'web', containerDefinitions: [container({ name: 'web', environment: [{ name: 'ORDERS_URL', value: 'http://orders.shop.local:8080/api' }] })] });
  const legacy = taskDefinition({ family: 'legacy', networkMode: 'bridge', requiresCompatibilities: ['EC2'] });
  const registry = (name: string) => [{ registryArn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${name}` }];
  const est = estate({ services: [
    [service(orders, { serviceRegistries: registry('orders') }), orders],
    [service(web, { serviceRegistries: [] }), web],
    [service(legacy, { launchType: 'EC2', serviceRegistries: registry('legacy') }), legacy],
  ] });
  est.clusters[0]!.arn = 'arn:aws:ecs:us-east-1:123456789012:cluster/c';
  est.cloudMap = {
    namespaces: [NS],
    services: ['orders', 'legacy'].map((n) => ({ id: `srv-${n}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}`, name: n, namespaceId: 'ns-1' })),
  };
  return est;
}

const plan = (est: Estate, config: MeshctlConfig = defaultConfig(), specs = noSpecs()) => planAppMesh({ estate: est, config, specs, createdAt: '2026-11-22T00:00:00.000Z' });
const ids = (p: Plan) => p.steps.map((s) => s.id);

/** What AWS holds after the plan ran: registered revisions and the mesh resources it created. */
function applied(est: Estate, p: Plan): { estate: Estate; specs: MeshSpecs } {
  const next = structuredClone(est);
  const specs = noSpecs();
  for (const step of p.steps) {
    const spec = step.input.spec as Record<string, unknown>;
    if (step.operation === 'CreateMesh') specs.mesh = { spec, version: 1 };
    if (step.operation === 'CreateVirtualNode') specs.virtualNodes[step.input.virtualNodeName as string] = { spec, version: 1 };
    if (step.operation === 'CreateVirtualService') specs.virtualServices[step.input.virtualServiceName as string] = { spec, version: 1 };
    if (step.operation === 'CreateService') {
      const arn = `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-new-${step.input.Name}`;
      next.cloudMap.services.push({ id: `srv-new-${step.input.Name}`, arn, name: step.input.Name as string, namespaceId: step.input.NamespaceId as string });
      const svc = next.clusters[0]!.services.find((s) => `c/${s.name}` === step.ecsService)!;
      svc.serviceRegistries = [{ registryArn: arn }];
    }
    if (step.operation === 'RegisterTaskDefinition') {
      const svc = next.clusters[0]!.services.find((s) => `c/${s.name}` === step.ecsService)!;
      const source = est.taskDefinitions[step.sourceTaskDefinition!]!;
      // The plan masks secrets; AWS holds the real values, restored from the source revision.
      const registered = { ...structuredClone(step.input), taskDefinitionArn: `${source.taskDefinitionArn.replace(/:\d+$/, '')}:2`, revision: 2, status: 'ACTIVE' } as TaskDefinition;
      registered.containerDefinitions = registered.containerDefinitions.map((c) => {
        const original = source.containerDefinitions.find((o) => o.name === c.name);
        return original ? { ...c, environment: original.environment } : c;
      });
      next.taskDefinitions[registered.taskDefinitionArn] = registered;
      svc.taskDefinitionArn = registered.taskDefinitionArn;
    }
  }
  const mesh = { name: 'meshctl', arn: 'arn', version: 1, virtualNodes: Object.keys(specs.virtualNodes).map((n) => ({ name: n, arn: n, version: 1 })),
    virtualServices: Object.keys(specs.virtualServices).map((n) => ({ name: n, arn: n, version: 1 })), virtualRouters: [] };
  next.appMesh = { meshes: [mesh] };
  return { estate: next, specs };
}

describe('planAppMesh', () => {
  it('orders the steps: mesh, Cloud Map, virtual nodes, virtual services, task definitions, service updates', () => {
    expect(ids(plan(shop()))).toEqual([
      'mesh:meshctl',
      'virtual-node:orders', 'virtual-service:orders.shop.local',
      'cloudmap-service:shop.local/web', 'virtual-node:web', 'virtual-service:web.shop.local',
      'task-definition:c/orders', 'ecs-service:c/orders',
      'task-definition:c/web', 'ecs-service:c/web',
    ]);
  });

  it('links every step to what it needs, with output references for ARNs not known yet', () => {
    const p = plan(shop());
    const step = (id: string) => p.steps.find((s) => s.id === id)!;
    expect(step('ecs-service:c/web').dependsOn).toEqual(['task-definition:c/web', 'cloudmap-service:shop.local/web', 'virtual-service:web.shop.local', 'virtual-service:orders.shop.local']);
    expect(step('ecs-service:c/web').input).toEqual({
      cluster: 'c', service: 'web',
      taskDefinition: { $ref: 'task-definition:c/web', path: 'taskDefinition.taskDefinitionArn' },
      serviceRegistries: [{ registryArn: { $ref: 'cloudmap-service:shop.local/web', path: 'Service.Arn' } }],
    });
    const position = new Map(p.steps.map((s, i) => [s.id, i]));
    for (const s of p.steps) for (const d of s.dependsOn) expect(position.get(d)!).toBeLessThan(position.get(s.id)!);
  });

  it('infers backends from environment URLs naming other services, and marks them inferred', () => {
    const web = plan(shop()).services.find((s) => s.service === 'web')!;
    expect(web.backends).toEqual([{ virtualService: 'orders.shop.local', inferred: true, from: 'web.ORDERS_URL' }]);
  });

  it('takes backends from the config instead when given', () => {
    const config = parseConfig({ services: { web: { backends: ['payments.shop.local'] } } }, 'test');
    const node = plan(shop(), config).steps.find((s) => s.id === 'virtual-node:web')!;
    expect((node.input.spec as { backends: unknown }).backends).toEqual([{ virtualService: { virtualServiceName: 'payments.shop.local' } }]);
  });

  it('leaves out what cannot be rewritten, listing the blocking finding', () => {
    const p = plan(shop());
    expect(p.blocked).toEqual([expect.objectContaining({ cluster: 'c', service: 'legacy', findings: [expect.objectContaining({ rule: 'network-mode', blocking: true })] })]);
    expect(ids(p).some((id) => id.includes('legacy'))).toBe(false);
    expect(p.summary).toEqual({ create: 8, update: 2, delete: 0, unchanged: 0, blocked: 1 });
  });

  it('sets the DB ports as EgressIgnoredPorts and masks secrets, naming the revision to restore them from', () => {
    const register = plan(shop()).steps.find((s) => s.id === 'task-definition:c/orders')!;
    const text = JSON.stringify(register.input);
    expect(text).toContain('{"name":"EgressIgnoredPorts","value":"5432"}');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('postgres://o:****@db');
    expect(register.sourceTaskDefinition).toBe(shop().taskDefinitions['arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1']?.taskDefinitionArn);
  });

  it('plans nothing once applied', () => {
    const first = plan(shop());
    const after = applied(shop(), first);
    const second = plan(after.estate, defaultConfig(), after.specs);
    expect(second.steps).toEqual([]);
    expect(second.services.every((s) => s.status === 'unchanged')).toBe(true);
    expect(second.summary).toMatchObject({ create: 0, update: 0, blocked: 1 });
    expect(second.summary.unchanged).toBeGreaterThan(0);
  });

  it('updates an existing virtual node whose spec differs, keeping the old spec for the diff', () => {
    const first = plan(shop());
    const after = applied(shop(), first);
    after.specs.virtualNodes.orders = { spec: { listeners: [{ portMapping: { port: 9090, protocol: 'tcp' } }] }, version: 3 };
    const p = plan(after.estate, defaultConfig(), after.specs);
    expect(p.steps.map((s) => `${s.operation} ${s.id}`)).toEqual(['UpdateVirtualNode virtual-node:orders']);
    expect(p.steps[0]!.before).toEqual({ listeners: [{ portMapping: { port: 9090, protocol: 'tcp' } }] });
    expect(p.observed.meshResources['virtualNode/orders']).toBe(3);
  });

  it('routes through a virtual router when canary weights are configured', () => {
    const config = parseConfig({ services: { orders: { canary: [{ virtualNode: 'orders', weight: 90 }, { virtualNode: 'orders-v2', weight: 10 }] } } }, 'test');
    const p = plan(shop(), config);
    const route = p.steps.find((s) => s.id === 'route:orders-router/orders-route')!;
    expect(route.input.spec).toEqual({ httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'orders', weight: 90 }, { virtualNode: 'orders-v2', weight: 10 }] } } });
    expect(p.steps.find((s) => s.id === 'virtual-service:orders.shop.local')!.input.spec).toEqual({ provider: { virtualRouter: { virtualRouterName: 'orders-router' } } });
  });

  it('fingerprints the observed state: same estate, same fingerprint; a new deployment changes it', () => {
    const a = plan(shop());
    expect(plan(shop()).fingerprint).toBe(a.fingerprint);
    const moved = shop();
    moved.clusters[0]!.services[0]!.taskDefinitionArn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:7';
    moved.taskDefinitions['arn:aws:ecs:us-east-1:123456789012:task-definition/orders:7'] = { ...moved.taskDefinitions[Object.keys(moved.taskDefinitions)[0]!]!, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:7', revision: 7 };
    expect(plan(moved).fingerprint).not.toBe(a.fingerprint);
  });

  it('creates a missing namespace as a private DNS namespace in the configured VPC, registering services in it', () => {
    const config = parseConfig({ cloudMap: { namespace: 'mesh.internal', vpc: 'vpc-0abc' } }, 'test');
    const p = plan(shop(), config);
    expect(p.steps.find((s) => s.operation === 'CreatePrivateDnsNamespace')).toMatchObject({ id: 'cloudmap-namespace:mesh.internal', input: { Name: 'mesh.internal', Vpc: 'vpc-0abc' } });
    const registry = p.steps.find((s) => s.id === 'cloudmap-service:mesh.internal/web')!;
    expect(registry.input.NamespaceId).toEqual({ $ref: 'cloudmap-namespace:mesh.internal', path: 'NamespaceId' });
    expect(registry.dependsOn).toEqual(['cloudmap-namespace:mesh.internal']);
    // Without a VPC the namespace cannot be created: the services that need it are blocked, saying how to fix it.
    const blocked = plan(shop(), parseConfig({ cloudMap: { namespace: 'mesh.internal' } }, 'test')).blocked.find((b) => b.service === 'web')!;
    expect(blocked.findings[0]!.hint).toContain('Set cloudMap.vpc');
  });

  it('respects include and exclude from the config', () => {
    const config = parseConfig({ exclude: { services: ['web'] } }, 'test');
    expect(plan(shop(), config).services.map((s) => s.service)).toEqual(['orders']);
  });
});
