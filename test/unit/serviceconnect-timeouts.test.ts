// App Mesh timeouts on Service Connect as ECS takes them: a per-request
// timeout only on a port whose final appProtocol is http, http2 or grpc; a
// TCP (or unset) port keeps its idle timeout only, and the parity report
// says what was not kept (Amazon ECS API Reference, TimeoutConfiguration).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { rewriteForAppMesh } from '../../src/core/appmesh/rewrite.js';
import type { MeshSpecs } from '../../src/core/appmesh/specs.js';
import type { TaskDefinition } from '../../src/core/estate.js';
import type { Plan } from '../../src/core/plan/model.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';
import { validateInput } from '../support/sdk-shapes.js';

function pricing(): TaskDefinition {
  const plain = taskDefinition({ family: 'pricing', containerDefinitions: [container({ name: 'pricing', cpu: 256, memory: 512, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] })] });
  const rewritten = rewriteForAppMesh(plain, {
    virtualNodeArn: 'arn:aws:appmesh:us-east-1:123456789012:mesh/legacy/virtualNode/pricing', launch: 'FARGATE', sizing: DEFAULT_SIDECAR_SIZING,
    envoyImage: 'envoy:1', xrayImage: 'xray:1', egressIgnoredPorts: [], egressIgnoredIPs: [],
  });
  return { ...plain, ...rewritten } as TaskDefinition;
}

const specs = (listener: Record<string, unknown>): MeshSpecs => ({
  virtualNodes: { pricing: { version: 1, spec: { listeners: [listener] } } },
  virtualServices: { 'pricing.shop.local': { version: 1, spec: { provider: { virtualNode: { virtualNodeName: 'pricing' } } } } },
  virtualRouters: {}, routes: {},
});
const HTTP_WITH_TIMEOUTS = { portMapping: { port: 8080, protocol: 'http' }, timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 's', value: 300 } } } };

function plan(meshSpecs: MeshSpecs, config: Record<string, unknown> = {}): Plan {
  const td = pricing();
  const est = estate({ services: [[service(td, { name: 'pricing', serviceRegistries: [] }), td]] });
  est.cloudMap = { namespaces: [{ id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'HTTP' }], services: [] };
  return planServiceConnect({ estate: est, config: parseConfig({ cloudMap: { namespace: 'shop.local' }, ...config }, 'test'), specs: meshSpecs, createdAt: 'now', strategy: 'blue-green', removeMeshResources: false });
}

const green = (p: Plan) => p.steps.find((s) => s.operation === 'CreateService')!.input;
const entries = (p: Plan) => (green(p).serviceConnectConfiguration as { services: { timeout?: Record<string, number> }[] }).services;

describe('timeouts of a service leaving App Mesh', () => {
  it('keep both on an http port', () => {
    const p = plan(specs(HTTP_WITH_TIMEOUTS));
    expect(entries(p).map((e) => e.timeout)).toEqual([{ idleTimeoutSeconds: 300, perRequestTimeoutSeconds: 15 }]);
    expect(p.services[0]!.parity).toBeUndefined();
  });

  it('keep only the idle timeout on a port meshctl.yaml makes TCP, and say the per-request timeout was not kept', () => {
    const p = plan(specs(HTTP_WITH_TIMEOUTS), { services: { pricing: { protocol: 'tcp' } } });
    expect(entries(p).map((e) => e.timeout)).toEqual([{ idleTimeoutSeconds: 300 }]);
    const register = p.steps.find((s) => s.operation === 'RegisterTaskDefinition')!.input as TaskDefinition;
    expect(register.containerDefinitions[0]!.portMappings![0]!.appProtocol).toBeUndefined();
    expect(p.services[0]!.parity).toEqual([
      'per-request timeout of 15s on port 8080: not kept, the port\'s appProtocol is unset (TCP) and Service Connect takes a per-request timeout only for http, http2 and grpc (the idle timeout of 300s is kept)',
    ]);
    expect(validateInput('ecs', 'CreateService', { ...green(p), taskDefinition: 'pricing:2' })).toEqual([]);
  });

  it('send no timeout at all for a TCP port whose only timeout was per request (a route\'s)', () => {
    const meshSpecs = specs({ portMapping: { port: 8080, protocol: 'tcp' } });
    meshSpecs.virtualServices['pricing.shop.local'] = { version: 1, spec: { provider: { virtualRouter: { virtualRouterName: 'pricing-router' } } } };
    meshSpecs.routes = { 'pricing-router/r': { version: 1, spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'pricing', weight: 1 }] }, timeout: { perRequest: { unit: 's', value: 20 } } } } } };
    const p = plan(meshSpecs);
    expect(entries(p).every((e) => e.timeout === undefined)).toBe(true);
    expect(p.services[0]!.parity).toEqual([expect.stringMatching(/^per-request timeout of 20s on port 8080: not kept, the port's appProtocol is unset \(TCP\)/)]);
  });
});
