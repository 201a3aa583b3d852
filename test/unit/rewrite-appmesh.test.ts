// Golden files for the App Mesh task-definition rewrite, one per scenario.
// UPDATE_GOLDEN=1 npx vitest run test/unit/rewrite-appmesh.test.ts rewrites them; review the diff.
import { describe, expect, it } from 'vitest';
import { rewriteForAppMesh, type AppMeshRewrite } from '../../src/core/appmesh/rewrite.js';
import { scanDbEndpoints } from '../../src/core/db-endpoints.js';
import type { TaskDefinition } from '../../src/core/estate.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { registrationInput } from '../../src/core/task-definition-input.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { expectGolden } from '../support/golden.js';
import { container, taskDefinition } from '../support/estate-builder.js';

const logs = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } };

function options(td: TaskDefinition, overrides: Partial<AppMeshRewrite> = {}): AppMeshRewrite {
  return {
    virtualNodeArn: `arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/${td.family}`,
    launch: td.requiresCompatibilities?.includes('FARGATE') ? 'FARGATE' : 'EC2',
    sizing: DEFAULT_SIDECAR_SIZING,
    envoyImage: '840364872350.dkr.ecr.us-east-1.amazonaws.com/aws-appmesh-envoy:v1.29.12.1-prod',
    xrayImage: 'public.ecr.aws/xray/aws-xray-daemon:3.x',
    egressIgnoredPorts: scanDbEndpoints(td).ports,
    egressIgnoredIPs: [],
    ...overrides,
  };
}

const golden = (name: string, value: unknown) => expectGolden(`test/golden/rewrite/${name}.json`, value);

const scenarios: Record<string, TaskDefinition> = {
  fargate: taskDefinition({ family: 'fargate', cpu: '256', memory: '512', containerDefinitions: [container({ logConfiguration: logs })], tags: [{ key: 'team', value: 'shop' }] }),
  'ec2-awsvpc': taskDefinition({ family: 'ec2-awsvpc', requiresCompatibilities: ['EC2'], cpu: undefined, memory: undefined, containerDefinitions: [container({ cpu: 256, memory: 512 })] }),
  'multi-container': taskDefinition({
    family: 'multi-container',
    containerDefinitions: [container({ name: 'web', portMappings: [{ containerPort: 80 }] }), container({ name: 'api', portMappings: [{ containerPort: 8080 }, { containerPort: 8081 }] }), container({ name: 'worker', portMappings: [] })],
  }),
  'existing-depends-on': taskDefinition({
    family: 'existing-depends-on',
    containerDefinitions: [container({ name: 'app', dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }] }), container({ name: 'migrate', essential: false, portMappings: [] })],
  }),
  'db-ports': taskDefinition({
    family: 'db-ports',
    containerDefinitions: [container({ environment: [
      { name: 'DATABASE_URL', value: 'postgres://app:****@db.cluster-x.us-east-1.rds.amazonaws.com:5432/app' },
      { name: 'CACHE_HOST', value: 'cache.x.0001.use1.cache.amazonaws.com' },
    ] })],
  }),
  'nothing-to-ignore': taskDefinition({ family: 'nothing-to-ignore', containerDefinitions: [container({ environment: [{ name: 'ORDERS_URL', value: 'http://orders.shop.local:8080' }] })] }),
};

describe('rewriteForAppMesh', () => {
  for (const [name, td] of Object.entries(scenarios)) {
    it(`matches the golden file: ${name}`, () => golden(name, rewriteForAppMesh(td, options(td))));
  }

  it('adds Envoy with AWS\'s recommended settings and X-Ray, and the proxy configuration', () => {
    const out = rewriteForAppMesh(scenarios['db-ports']!, options(scenarios['db-ports']!));
    const envoy = out.containerDefinitions.find((c) => c.name === 'envoy')!;
    expect(envoy).toMatchObject({ user: '1337', essential: true, cpu: 512, memoryReservation: 64, ulimits: [{ name: 'nofile', softLimit: 15000, hardLimit: 15000 }] });
    expect(envoy.environment).toContainEqual({ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/db-ports' });
    expect(out.containerDefinitions.find((c) => c.name === 'xray-daemon')).toMatchObject({ user: '1337', cpu: 32, memoryReservation: 256, portMappings: [{ containerPort: 2000, protocol: 'udp' }] });
    expect(out.proxyConfiguration).toEqual({
      type: 'APPMESH', containerName: 'envoy', properties: [
        { name: 'IgnoredUID', value: '1337' }, { name: 'ProxyIngressPort', value: '15000' }, { name: 'ProxyEgressPort', value: '15001' },
        { name: 'AppPorts', value: '8080' }, { name: 'EgressIgnoredIPs', value: '169.254.170.2,169.254.169.254' }, { name: 'EgressIgnoredPorts', value: '5432,6379' },
      ],
    });
  });

  it('leaves EgressIgnoredPorts out when there is nothing to ignore', () => {
    const out = rewriteForAppMesh(scenarios['nothing-to-ignore']!, options(scenarios['nothing-to-ignore']!));
    expect(out.proxyConfiguration!.properties!.map((p) => p.name)).not.toContain('EgressIgnoredPorts');
  });

  it('grows a Fargate task to the smallest valid size and keeps tags, dropping read-only fields', () => {
    const td = { ...scenarios.fargate!, registeredAt: '2026-01-01T00:00:00Z', compatibilities: ['EC2', 'FARGATE'], requiresAttributes: [{ name: 'x' }] };
    const out = rewriteForAppMesh(td, options(td));
    expect([out.cpu, out.memory]).toEqual(['1024', '2048']);
    expect(out.tags).toEqual([{ key: 'team', value: 'shop' }]);
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'registeredAt', 'compatibilities', 'requiresAttributes']) expect(out).not.toHaveProperty(field);
  });

  it('makes every app container wait for a healthy Envoy, ports or not (all egress goes through it), keeping existing dependsOn', () => {
    const out = rewriteForAppMesh(scenarios['existing-depends-on']!, options(scenarios['existing-depends-on']!));
    expect(out.containerDefinitions.find((c) => c.name === 'app')!.dependsOn).toEqual([
      { containerName: 'migrate', condition: 'SUCCESS' }, { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
    expect(out.containerDefinitions.find((c) => c.name === 'migrate')!.dependsOn).toEqual([{ containerName: 'envoy', condition: 'HEALTHY' }]);
  });

  it('is idempotent: rewriting an already meshed task definition changes nothing', () => {
    for (const td of Object.values(scenarios)) {
      const once = rewriteForAppMesh(td, options(td));
      const registered: TaskDefinition = { ...once, taskDefinitionArn: `${td.taskDefinitionArn.replace(/:\d+$/, '')}:2`, revision: 2, status: 'ACTIVE' } as TaskDefinition;
      const twice = rewriteForAppMesh(registered, options(registered));
      expect(stableStringify(twice)).toBe(stableStringify(registrationInput(registered)));
    }
  });
});
