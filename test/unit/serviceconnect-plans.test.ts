// Service Connect plans that must not break a live service: what a service
// already has is kept, names and protocols carry over from App Mesh, servers
// move before clients, tasks are sized as AWS does. Golden plans are in
// test/golden/serviceconnect-plans.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { rewriteForAppMesh } from '../../src/core/appmesh/rewrite.js';
import type { MeshSpecs } from '../../src/core/appmesh/specs.js';
import type { Estate, TaskDefinition } from '../../src/core/estate.js';
import type { Plan } from '../../src/core/plan/model.js';
import { schedulePlan, startNow } from '../../src/core/plan/schedule.js';
import { observeAgain } from '../../src/core/plan/drift.js';
import { weightedActions } from '../../src/core/edge.js';
import { planServiceConnect, type MigrationStrategy } from '../../src/core/serviceconnect/plan.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';
import { expectGolden } from '../support/golden.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };
const noSpecs = (): MeshSpecs => ({ virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} });
const logs = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } };

function withCloudMap(est: Estate, names: string[]): Estate {
  est.cloudMap = { namespaces: [NS], services: names.map((n) => ({ id: `srv-${n}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}`, name: n, namespaceId: 'ns-1' })) };
  return est;
}
const registry = (n: string) => [{ registryArn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${n}` }];

function plan(est: Estate, options: { specs?: MeshSpecs; config?: Record<string, unknown>; strategy?: MigrationStrategy } = {}): Plan {
  return planServiceConnect({
    estate: est, config: parseConfig(options.config ?? {}, 'test'), specs: options.specs ?? noSpecs(),
    createdAt: '2026-12-01T00:00:00.000Z', strategy: options.strategy ?? 'blue-green', removeMeshResources: false,
  });
}

const golden = (name: string, p: Plan) => expectGolden(`test/golden/serviceconnect-plans/${name}.json`, { steps: p.steps, services: p.services, blocked: p.blocked, warnings: p.warnings });

// A service on Service Connect with TLS, a timeout, logs, access logs and an ingress port override.
const LIVE_CONFIG = {
  enabled: true,
  namespace: NS.arn,
  services: [{
    portName: 'api-8080', discoveryName: 'api', ingressPortOverride: 9090,
    clientAliases: [{ port: 8080, dnsName: 'api.shop.local' }],
    timeout: { perRequestTimeoutSeconds: 30, idleTimeoutSeconds: 120 },
    tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/ca' }, roleArn: 'arn:aws:iam::123456789012:role/sc-tls' },
  }],
  logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/sc' } },
  accessLogConfiguration: { format: 'JSON', includeQueryParameters: 'DISABLED' },
};

function liveService(overrides: { appProtocol?: 'http' | 'grpc'; registries?: string[] } = {}): Estate {
  const td = taskDefinition({
    family: 'api', cpu: '1024', memory: '2048',
    containerDefinitions: [container({ name: 'api', cpu: 512, memory: 1024, portMappings: [{ containerPort: 8080, name: 'api-8080', ...(overrides.appProtocol && { appProtocol: overrides.appProtocol }) }] })],
  });
  const est = estate({ services: [[service(td, { serviceRegistries: (overrides.registries ?? []).flatMap(registry), serviceConnect: structuredClone(LIVE_CONFIG) }), td]] });
  return withCloudMap(est, ['api', ...(overrides.registries ?? [])]);
}

describe('a service already on Service Connect', () => {
  it('plans nothing when it needs nothing: tls, timeout, logs and access logs stay as they are', () => {
    const p = plan(liveService({ appProtocol: 'http' }));
    expect(p.steps).toEqual([]);
    expect(p.services[0]!.status).toBe('unchanged');
  });

  it('adds a name clients still resolve through Cloud Map as its own entry, keeping every field it has (golden)', () => {
    const p = plan(liveService({ appProtocol: 'http', registries: ['legacy-api'] }));
    const update = p.steps.find((s) => s.operation === 'UpdateService')!;
    const sent = update.input.serviceConnectConfiguration as typeof LIVE_CONFIG;
    expect(sent.services[0]).toEqual(LIVE_CONFIG.services[0]);
    expect(sent.accessLogConfiguration).toEqual(LIVE_CONFIG.accessLogConfiguration);
    expect(sent.logConfiguration).toEqual(LIVE_CONFIG.logConfiguration);
    expect(sent.namespace).toBe(NS.arn);
    expect(sent.services[1]).toMatchObject({ portName: 'api-8080', clientAliases: [{ port: 8080, dnsName: 'legacy-api.shop.local' }] });
    golden('live-keeps-everything', p);
  });

  it('blocks a change of appProtocol on a live port, which AWS allows only by recreating the service', () => {
    const p = plan(liveService(), { config: { services: { api: { protocol: 'http' } } } });
    expect(p.steps).toEqual([]);
    expect(p.blocked[0]!.findings[0]).toMatchObject({ rule: 'app-protocol', blocking: true });
    expect(p.blocked[0]!.findings[0]!.message).toContain('api-8080 unset (TCP) → http');
  });
});

function meshed(name: string, port: number): TaskDefinition {
  const plain = taskDefinition({ family: name, cpu: '512', memory: '1024', containerDefinitions: [container({ name, cpu: 256, memory: 512, logConfiguration: logs, portMappings: [{ containerPort: port, protocol: 'tcp' }] })] });
  const rewritten = rewriteForAppMesh(plain, {
    virtualNodeArn: `arn:aws:appmesh:us-east-1:123456789012:mesh/legacy/virtualNode/${name}`, launch: 'FARGATE', sizing: DEFAULT_SIDECAR_SIZING,
    envoyImage: 'envoy:1', xrayImage: 'xray:1', egressIgnoredPorts: [], egressIgnoredIPs: [],
  });
  return { ...plain, ...rewritten } as TaskDefinition;
}

function appMeshShop(): { est: Estate; specs: MeshSpecs } {
  const pricing = meshed('pricing', 8080);
  const quotes = meshed('quotes', 50051);
  const est = withCloudMap(estate({ services: [
    [service(pricing, { serviceRegistries: registry('pricing') }), pricing],
    [service(quotes, { serviceRegistries: registry('quotes') }), quotes],
  ] }), ['pricing', 'quotes']);
  const vs = (node: string) => ({ spec: { provider: { virtualNode: { virtualNodeName: node } } }, version: 1 });
  const specs: MeshSpecs = {
    virtualNodes: {
      pricing: { version: 1, spec: {
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 's', value: 300 } } }, outlierDetection: { maxServerErrors: 5 } }],
        backends: [{ virtualService: { virtualServiceName: 'quotes.shop.local' } }],
      } },
      quotes: { version: 1, spec: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' }, timeout: { grpc: { perRequest: { unit: 'ms', value: 2500 } } } }] } },
    },
    // pricing serves two names: both keep resolving, each in its own services[] entry.
    virtualServices: { 'pricing.shop.local': vs('pricing'), 'prices.shop.local': vs('pricing'), 'quotes.shop.local': vs('quotes') },
    virtualRouters: {}, routes: {},
  };
  return { est, specs };
}

describe('services leaving App Mesh', () => {
  it('carry listener protocols (http, grpc), timeouts and every virtual-service name; list what does not carry over (golden)', () => {
    const { est, specs } = appMeshShop();
    const p = plan(est, { specs });
    const green = (name: string) => p.steps.find((s) => s.id === `ecs-green-service:c/${name}`)!.input.serviceConnectConfiguration as { services: unknown[] };
    expect(green('pricing').services).toEqual([
      { portName: 'pricing-8080', discoveryName: 'prices', clientAliases: [{ port: 8080, dnsName: 'prices.shop.local' }], timeout: { idleTimeoutSeconds: 300, perRequestTimeoutSeconds: 15 } },
      { portName: 'pricing-8080', discoveryName: 'pricing-sc', clientAliases: [{ port: 8080, dnsName: 'pricing.shop.local' }], timeout: { idleTimeoutSeconds: 300, perRequestTimeoutSeconds: 15 } },
    ]);
    expect(green('quotes').services).toEqual([
      { portName: 'quotes-50051', discoveryName: 'quotes-sc', clientAliases: [{ port: 50051, dnsName: 'quotes.shop.local' }], timeout: { perRequestTimeoutSeconds: 3 } },
    ]);
    const register = (name: string) => p.steps.find((s) => s.id === `task-definition:c/${name}`)!.input as TaskDefinition;
    expect(register('pricing').containerDefinitions[0]!.portMappings![0]!.appProtocol).toBe('http');
    expect(register('quotes').containerDefinitions[0]!.portMappings![0]!.appProtocol).toBe('grpc');
    expect(p.services.find((s) => s.service === 'pricing')!.parity).toEqual(['outlier detection on port 8080: Service Connect applies its own passive outlier detection, not this policy']);
    golden('from-appmesh-names-protocols-timeouts', p);
  });

  it('leave appProtocol unset (TCP) for a TCP listener or an unknown protocol, never defaulting to http', () => {
    const { est, specs } = appMeshShop();
    (specs.virtualNodes.quotes!.spec.listeners as { portMapping: { protocol: string } }[])[0]!.portMapping.protocol = 'tcp';
    const p = plan(est, { specs });
    expect((p.steps.find((s) => s.id === 'task-definition:c/quotes')!.input as TaskDefinition).containerDefinitions[0]!.portMappings![0]!.appProtocol).toBeUndefined();
    const unknown = plan(est, { specs: noSpecs() });
    expect((unknown.steps.find((s) => s.id === 'task-definition:c/pricing')!.input as TaskDefinition).containerDefinitions[0]!.portMappings![0]!.appProtocol).toBeUndefined();
  });

  it('list weighted routes, header matches and retries in the parity report, keeping a router-served name on its heaviest node', () => {
    const { est, specs } = appMeshShop();
    specs.virtualServices['pricing.shop.local'] = { spec: { provider: { virtualRouter: { virtualRouterName: 'pricing-router' } } }, version: 1 };
    specs.routes['pricing-router/main'] = { version: 1, spec: { httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-canary' }] }, retryPolicy: { maxRetries: 3 },
      action: { weightedTargets: [{ virtualNode: 'pricing', weight: 90 }, { virtualNode: 'quotes', weight: 10 }] },
    } } };
    const p = plan(est, { specs });
    expect(p.services.find((s) => s.service === 'pricing')!.serviceConnect!.aliases).toEqual(['prices.shop.local:8080', 'pricing.shop.local:8080']);
    expect(p.services.find((s) => s.service === 'pricing')!.parity).toEqual(expect.arrayContaining([
      'weighted route pricing-router/main (pricing 90, quotes 10): pricing.shop.local goes to pricing only',
      'header match on route pricing-router/main: Service Connect routes by name and port only',
      'retry policy on route pricing-router/main: Service Connect retries with its own fixed policy',
    ]));
  });

  it('plan from ECS and Cloud Map alone when App Mesh cannot be read, saying so once', () => {
    const { est } = appMeshShop();
    est.appMesh.unreadable = 'ListMeshes: AccessDeniedException: not authorized';
    const p = plan(est);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings![0]).toContain('App Mesh could not be read (ListMeshes: AccessDeniedException');
    expect(p.services.map((s) => s.serviceConnect!.aliases)).toEqual([['pricing.shop.local:8080'], ['quotes.shop.local:50051']]);
  });
});

function chain(): Estate {
  const app = (name: string, env: Record<string, string>) => taskDefinition({ family: name, containerDefinitions: [container({ name, cpu: 256, memory: 512, environment: Object.entries(env).map(([n, value]) => ({ name: n, value })) })] });
  const web = app('web', { ORDERS_URL: 'http://orders.shop.local:8080' });
  const orders = app('orders', { PAYMENTS_URL: 'http://payments.shop.local:8080/pay' });
  const payments = app('payments', {});
  return withCloudMap(estate({ services: [
    [service(web, { serviceRegistries: registry('web') }), web],
    [service(orders, { serviceRegistries: registry('orders') }), orders],
    [service(payments, { serviceRegistries: registry('payments') }), payments],
  ] }), ['web', 'orders', 'payments']);
}

describe('rollout order: servers before clients', () => {
  it('makes each client\'s update depend on its servers\' updates, servers first in the plan and in apply\'s schedule (golden)', () => {
    const p = plan(chain());
    const step = (id: string) => p.steps.find((s) => s.id === id)!;
    expect(step('ecs-service:c/orders').dependsOn).toContain('ecs-service:c/payments');
    expect(step('ecs-service:c/web').dependsOn).toContain('ecs-service:c/orders');
    expect(p.steps.filter((s) => s.operation === 'UpdateService').map((s) => s.ecsService)).toEqual(['c/payments', 'c/orders', 'c/web']);
    expect(p.services.map((s) => [s.service, s.rollout])).toEqual([
      ['payments', { position: 1, after: [] }], ['orders', { position: 2, after: ['c/payments'] }], ['web', { position: 3, after: ['c/orders'] }],
    ]);
    expect(schedulePlan(p).moves.map((m) => [m.label, m.servers])).toEqual([['c/payments', []], ['c/orders', ['c/payments']], ['c/web', ['c/orders']]]);
    golden('chain', p);
  });

  it('starts the head of the longest chain first within --max-in-flight, and a client only once its servers completed', () => {
    const est = chain();
    const extra = taskDefinition({ family: 'audit', containerDefinitions: [container({ name: 'audit' })] });
    est.clusters[0]!.services.push(service(extra, { serviceRegistries: [] }));
    est.taskDefinitions[extra.taskDefinitionArn] = extra;
    const { moves } = schedulePlan(plan(est));
    const none = new Set<string>();
    expect(startNow(moves, { completed: none, failed: none, inFlight: none }, 1)).toEqual(['c/payments']);
    expect(startNow(moves, { completed: none, failed: none, inFlight: none }, 10)).toEqual(['c/payments', 'c/audit']);
    expect(startNow(moves, { completed: new Set(['c/payments']), failed: none, inFlight: new Set(['c/audit']) }, 2)).toEqual(['c/orders']);
  });

  it('moves services that call each other as one group, with a warning naming the cycle', () => {
    const a = taskDefinition({ family: 'a', containerDefinitions: [container({ name: 'a', environment: [{ name: 'B', value: 'http://b.shop.local:8080' }] })] });
    const b = taskDefinition({ family: 'b', containerDefinitions: [container({ name: 'b', environment: [{ name: 'A', value: 'http://a.shop.local:8080' }] })] });
    const p = plan(withCloudMap(estate({ services: [[service(a, { serviceRegistries: registry('a') }), a], [service(b, { serviceRegistries: registry('b') }), b]] }), ['a', 'b']));
    expect(p.warnings).toEqual([expect.stringContaining('c/a, c/b call each other')]);
    expect(p.steps.find((s) => s.id === 'ecs-service:c/a')!.dependsOn).not.toContain('ecs-service:c/b');
    expect(schedulePlan(p).moves.map((m) => m.servers)).toEqual([[], []]);
  });
});

describe('task sizing', () => {
  it('gives an EC2 task without task memory its containers plus the agent (golden)', () => {
    const td = taskDefinition({ family: 'batch', requiresCompatibilities: ['EC2'], cpu: undefined, memory: undefined, networkMode: 'bridge',
      containerDefinitions: [container({ name: 'batch', cpu: 256, memoryReservation: 384, portMappings: [{ containerPort: 8080, hostPort: 0 }] })] });
    const p = plan(withCloudMap(estate({ services: [[service(td, { launchType: 'EC2', serviceRegistries: registry('batch') }), td]] }), ['batch']));
    const register = p.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input as TaskDefinition;
    expect(register.memory).toBe('448');
    expect(register.cpu).toBeUndefined();
    golden('ec2-without-task-memory', p);
  });

  it('blocks an EC2 task whose memory cannot be worked out', () => {
    const td = taskDefinition({ family: 'batch', requiresCompatibilities: ['EC2'], cpu: undefined, memory: undefined, networkMode: 'bridge',
      containerDefinitions: [container({ name: 'batch' })] });
    const p = plan(withCloudMap(estate({ services: [[service(td, { launchType: 'EC2', serviceRegistries: registry('batch') }), td]] }), ['batch']));
    expect(p.steps).toEqual([]);
    expect(p.blocked[0]!.findings.map((f) => f.rule)).toEqual(['task-memory']);
  });

  it('names ports and discovery names as AWS requires, whatever the ECS service is called', () => {
    const td = taskDefinition({ family: 'Legacy_API.v2', containerDefinitions: [container({ name: '--Main.App', portMappings: [{ containerPort: 8080 }] })] });
    const long = `-${'X'.repeat(80)}`;
    const est = withCloudMap(estate({ services: [[service(td, { name: long, serviceRegistries: [] }), td]] }), []);
    const p = plan(est, { config: { cloudMap: { namespace: 'shop.local' } } });
    const sc = p.steps.find((s) => s.operation === 'UpdateService')!.input.serviceConnectConfiguration as { services: { portName: string; discoveryName: string }[] };
    for (const name of [sc.services[0]!.portName, sc.services[0]!.discoveryName]) {
      expect(name).toMatch(/^[a-z0-9_][a-z0-9_-]{0,63}$/);
    }
    expect(sc.services[0]!.portName).toBe('main-app-8080');
  });
});

describe('names and capacity from the task definition and the service', () => {
  it('takes portName from the container\'s port mapping, not from the service name, in the task definition and the configuration alike', () => {
    const td = taskDefinition({ family: 'orders', containerDefinitions: [
      container({ name: 'app', portMappings: [{ containerPort: 8080 }] }),
      container({ name: 'admin', portMappings: [{ containerPort: 9090, name: 'mgmt' }] }),
    ] });
    const p = plan(withCloudMap(estate({ services: [[service(td, { serviceRegistries: registry('orders') }), td]] }), ['orders']));
    const register = p.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input as TaskDefinition;
    expect(register.containerDefinitions.flatMap((c) => c.portMappings!.map((m) => m.name))).toEqual(['app-8080', 'mgmt']);
    const sc = p.steps.find((s) => s.operation === 'UpdateService')!.input.serviceConnectConfiguration as { services: { portName: string; discoveryName: string }[] };
    expect(sc.services.map((e) => [e.portName, e.discoveryName])).toEqual([['app-8080', 'orders-8080'], ['mgmt', 'orders-9090']]);
  });

  it('gives a green twin the blue service\'s capacity provider strategy instead of a launch type', () => {
    const { est, specs } = appMeshShop();
    const pricing = est.clusters[0]!.services.find((s) => s.name === 'pricing')!;
    pricing.launchType = undefined;
    pricing.capacityProviderStrategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 }, { capacityProvider: 'FARGATE', weight: 1, base: 1 }];
    const green = plan(est, { specs }).steps.find((s) => s.id === 'ecs-green-service:c/pricing')!.input;
    expect(green.capacityProviderStrategy).toEqual(pricing.capacityProviderStrategy);
    expect(green.launchType).toBeUndefined();
  });

  it('gives a green twin every other setting CreateService takes from the blue service: grace period, placement, tags, circuit breaker and alarms, exec, volumes', () => {
    const { est, specs } = appMeshShop();
    const pricing = est.clusters[0]!.services.find((s) => s.name === 'pricing')!;
    const deploymentConfiguration = {
      maximumPercent: 200, minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['pricing-5xx'], enable: true, rollback: true },
    };
    pricing.settings = {
      healthCheckGracePeriodSeconds: 120,
      placementConstraints: [{ type: 'distinctInstance' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      tags: [{ key: 'team', value: 'pricing' }],
      propagateTags: 'SERVICE', enableECSManagedTags: true, enableExecuteCommand: true,
      deploymentConfiguration, availabilityZoneRebalancing: 'ENABLED',
      volumeConfigurations: [{ name: 'scratch', managedEBSVolume: { roleArn: 'arn:aws:iam::123456789012:role/ebs', sizeInGiB: 20 } }],
    };
    const green = plan(est, { specs }).steps.find((s) => s.id === 'ecs-green-service:c/pricing')!.input;
    expect(green).toMatchObject({ ...pricing.settings, serviceName: 'pricing-sc', deploymentConfiguration });
  });
});

describe('names over AWS\'s limits', () => {
  it('blocks a blue-green move whose green twin name would pass ECS\'s 255 characters, and lets it move in place', () => {
    const { est, specs } = appMeshShop();
    const pricing = est.clusters[0]!.services.find((s) => s.name === 'pricing')!;
    pricing.name = `pricing${'x'.repeat(246)}`;
    const blocked = plan(est, { specs }).blocked.find((b) => b.service === pricing.name)!;
    expect(blocked.findings[0]).toMatchObject({ rule: 'service-name', blocking: true });
    expect(blocked.findings[0]!.message).toContain('would have 256 characters, over ECS\'s limit of 255');
    expect(plan(est, { specs, strategy: 'in-place' }).blocked.some((b) => b.service === pricing.name)).toBe(false);
  });
});

describe('the edge of a blue-green move', () => {
  const forward = (actions: Record<string, unknown>[]) => ({ kind: 'rule' as const, arn: 'rule-1', targetGroupArn: 'blue', actions });

  it('turns a plain forward into blue 100, green 0', () => {
    expect(weightedActions(forward([{ Type: 'forward', TargetGroupArn: 'blue', Order: 1 }]), 'green')).toEqual([
      { Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'blue', Weight: 100 }, { TargetGroupArn: 'green', Weight: 0 }] } },
    ]);
  });

  it('keeps every target group of a weighted forward, with its weights and stickiness, and adds green at 0', () => {
    const config = { TargetGroups: [{ TargetGroupArn: 'blue', Weight: 80 }, { TargetGroupArn: 'canary', Weight: 20 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 } };
    expect(weightedActions(forward([{ Type: 'forward', ForwardConfig: config }]), 'green')).toEqual([
      { Type: 'forward', ForwardConfig: { ...config, TargetGroups: [...config.TargetGroups, { TargetGroupArn: 'green', Weight: 0 }] } },
    ]);
  });
});

describe('green target groups', () => {
  it('copy the blue group\'s protocol version, address type, health check and attributes, set before the green service registers', () => {
    const { est, specs } = appMeshShop();
    const pricing = est.clusters[0]!.services.find((s) => s.name === 'pricing')!;
    pricing.loadBalancers = [{ targetGroupArn: 'arn:tg/pricing', containerName: 'app', containerPort: 8080 }];
    const edge = {
      targetGroups: {
        'arn:tg/pricing': {
          arn: 'arn:tg/pricing', name: 'pricing', protocol: 'HTTP', port: 8080, vpcId: 'vpc-1', protocolVersion: 'GRPC', ipAddressType: 'ipv6',
          healthCheck: { HealthCheckPath: '/health' }, attributes: { 'slow_start.duration_seconds': '60', 'deregistration_delay.timeout_seconds': '30' },
        },
      },
      forwards: [{ kind: 'rule' as const, arn: 'arn:rule/1', targetGroupArn: 'arn:tg/pricing', actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg/pricing' }] }],
    };
    const p = planServiceConnect({ estate: est, config: parseConfig({}, 'test'), specs, createdAt: '2026-12-01T00:00:00.000Z', strategy: 'blue-green', removeMeshResources: false, edge });
    const create = p.steps.find((s) => s.operation === 'CreateTargetGroup')!;
    expect(create.input).toMatchObject({ Name: 'pricing-sc', ProtocolVersion: 'GRPC', IpAddressType: 'ipv6', HealthCheckPath: '/health', TargetType: 'ip' });
    const attributes = p.steps.find((s) => s.operation === 'ModifyTargetGroupAttributes')!;
    expect(attributes.input.Attributes).toEqual([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }, { Key: 'slow_start.duration_seconds', Value: '60' }]);
    expect(attributes.dependsOn).toEqual([create.id]);
    const green = p.steps.find((s) => s.id === 'ecs-green-service:c/pricing')!;
    expect(green.dependsOn).toEqual(expect.arrayContaining([create.id, attributes.id]));
    expect(green.input.loadBalancers).toHaveLength(1);
    // ECS refuses a target group no load balancer forwards to: the rule forwards to green (at 0) before green is created.
    const weights = p.steps.find((s) => s.operation === 'ModifyRule')!;
    expect(weights.dependsOn).toEqual([create.id]);
    expect(green.dependsOn).toContain(weights.id);
    expect(p.steps.indexOf(weights)).toBeLessThan(p.steps.indexOf(green));
  });
});

describe('green twins scale as the blue service does', () => {
  it('registers the blue scalable target (suspended scaling kept suspended) and policies for the twin, once it exists', () => {
    const { est, specs } = appMeshShop();
    // Scale-in suspended on blue (during an incident, say): the twin must not start scaling in.
    const suspendedState = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };
    const scaling = {
      'service/c/pricing': {
        minCapacity: 2, maxCapacity: 6, suspendedState,
        policies: [{ PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }],
        policyArns: {}, stepAlarms: [], scheduledActions: [],
      },
    };
    const p = planServiceConnect({ estate: est, config: parseConfig({}, 'test'), specs, createdAt: '2026-12-01T00:00:00.000Z', strategy: 'blue-green', removeMeshResources: false, scaling });
    const target = { ServiceNamespace: 'ecs', ResourceId: 'service/c/pricing-sc', ScalableDimension: 'ecs:service:DesiredCount' };
    expect(p.steps.find((s) => s.id === 'scaling-target:c/pricing')).toMatchObject({ operation: 'RegisterScalableTarget', input: { ...target, MinCapacity: 2, MaxCapacity: 6, SuspendedState: suspendedState }, dependsOn: ['ecs-green-service:c/pricing'] });
    expect(p.steps.find((s) => s.id === 'scaling-policy:c/pricing:cpu')).toMatchObject({ operation: 'PutScalingPolicy', input: { ...target, ...scaling['service/c/pricing'].policies[0] }, dependsOn: ['scaling-target:c/pricing'] });
    // They move with the twin.
    expect(schedulePlan(p).moves.find((m) => m.label === 'c/pricing')!.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['scaling-target:c/pricing', 'scaling-policy:c/pricing:cpu']));
    // A service without a scalable target gets none.
    expect(p.steps.some((s) => s.id === 'scaling-target:c/quotes')).toBe(false);
  });
});

describe('a namespace named by its ARN (another account\'s, shared through AWS RAM)', () => {
  const FOREIGN = 'arn:aws:servicediscovery:us-east-1:210987654321:namespace/ns-shared1';
  const shop = () => {
    const td = taskDefinition({ family: 'orders', containerDefinitions: [container({ name: 'orders', portMappings: [{ containerPort: 8080, protocol: 'tcp' }] })] });
    return estate({ services: [[service(td, { serviceRegistries: [] }), td]] });
  };

  it('is never created: one not shared with this account blocks the services, with the RAM share that fixes it', () => {
    const p = plan(shop(), { config: { cloudMap: { namespace: FOREIGN } } });
    expect(p.steps).toEqual([]);
    expect(p.blocked[0]!.findings.find((f) => f.rule === 'shared-namespace')).toMatchObject({
      message: expect.stringContaining(`${FOREIGN} of account 210987654321 is not shared with this account`),
      hint: expect.stringContaining('--permission-arns arn:aws:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission'),
    });
  });

  it('once shared, services name it by its ARN, and the cluster keeps its own default namespace', () => {
    const est = shop();
    // Shared: this account's ListNamespaces shows it (readCloudMap marks who sees another account's namespace).
    est.cloudMap.namespaces.push({ id: 'ns-shared1', arn: FOREIGN, name: 'shop.shared', type: 'HTTP', sharedWith: ['123456789012'] });
    const p = plan(est, { config: { cloudMap: { namespace: FOREIGN }, serviceConnect: { setClusterDefaults: true } } });
    const update = p.steps.find((s) => s.operation === 'UpdateService')!;
    expect((update.input.serviceConnectConfiguration as { namespace: string }).namespace).toBe(FOREIGN);
    expect(p.steps.some((s) => s.operation === 'UpdateCluster' || s.operation === 'CreateHttpNamespace')).toBe(false);
    expect(p.warnings).toEqual([expect.stringContaining('belongs to account 210987654321, and a cluster\'s default must be a namespace of its own account')]);
    expect(p.observed.cloudMap).toEqual({ [`namespace/${FOREIGN}`]: 'ns-shared1' });
    // apply's drift check reads the ARN key back (it holds a slash itself).
    expect(observeAgain(p.observed, est, noSpecs()).cloudMap).toEqual(p.observed.cloudMap);
  });
});
