// What a Service Connect plan names in its namespace: a namespace meshctl.yaml
// names by its ARN still gives names and messages in the namespace's name, and
// discovery names and client aliases stay unique across the namespace (other
// clusters, other services already on Service Connect, Cloud Map services
// that already hold a name). Pure planner, no AWS.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import type { Estate } from '../../src/core/estate.js';
import type { Plan } from '../../src/core/plan/model.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';
import { validateInput } from '../support/sdk-shapes.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'HTTP' };
const noSpecs = () => ({ virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} });

function shop(): Estate {
  const td = taskDefinition({ family: 'web', containerDefinitions: [container({ name: 'web', memory: 512, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] })] });
  const est = estate({ services: [[service(td, { serviceRegistries: [] }), td]] });
  est.cloudMap = { namespaces: [NS], services: [] };
  return est;
}

const plan = (est: Estate, config: Record<string, unknown> = {}): Plan => planServiceConnect({
  estate: est, config: parseConfig(config, 'test'), specs: noSpecs(), createdAt: 'now', strategy: 'blue-green', removeMeshResources: false,
});

type Entry = { portName: string; discoveryName: string; clientAliases?: { port: number; dnsName: string }[] };
const entriesOf = (p: Plan, label: string) => ((p.steps.find((s) => s.ecsService === label && s.operation === 'UpdateService')!.input
  .serviceConnectConfiguration as { services: Entry[] }).services);

describe('a namespace meshctl.yaml names by its ARN, in one account', () => {
  it('gives client aliases, discovery names and the plan the namespace\'s name, never the ARN', () => {
    const p = plan(shop(), { cloudMap: { namespace: NS.arn } });
    const update = p.steps.find((s) => s.operation === 'UpdateService')!;
    expect(update.input.serviceConnectConfiguration).toEqual({
      enabled: true, namespace: 'shop.local',
      services: [{ portName: 'web-8080', discoveryName: 'web', clientAliases: [{ port: 8080, dnsName: 'web.shop.local' }] }],
    });
    expect(p.services[0]!.serviceConnect).toMatchObject({ namespace: 'shop.local', aliases: ['web.shop.local:8080'] });
    expect(p.observed.cloudMap).toEqual({ 'namespace/shop.local': 'ns-1' });
    expect(p.steps.some((s) => s.operation === 'CreateHttpNamespace')).toBe(false);
    expect(JSON.stringify({ steps: p.steps, services: p.services })).not.toContain('arn:aws:servicediscovery');
    expect(validateInput('ecs', 'UpdateService', { ...update.input, taskDefinition: 'web:2' })).toEqual([]);
  });

  it('gives App Mesh virtual services and nodes the namespace\'s name too', () => {
    const est = shop();
    est.cloudMap.namespaces[0]!.type = 'DNS_PRIVATE';
    const p = planAppMesh({ estate: est, config: parseConfig({ target: 'appmesh', cloudMap: { namespace: NS.arn } }, 'test'), specs: noSpecs(), createdAt: 'now' });
    expect(p.steps.find((s) => s.operation === 'CreateVirtualService')!.input.virtualServiceName).toBe('web.shop.local');
    expect(p.steps.find((s) => s.operation === 'CreateVirtualNode')!.input.spec).toMatchObject({ serviceDiscovery: { awsCloudMap: { namespaceName: 'shop.local', serviceName: 'web' } } });
    expect(p.steps.find((s) => s.service === 'servicediscovery')!.input.NamespaceId).toBe('ns-1');
  });
});
