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
import { cluster, container, estate, service, taskDefinition } from '../support/estate-builder.js';
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

/** Services named `web` in clusters c1 and c2 (each with its own task definition), joining shop.local. */
function twoClusters(c1: Partial<Parameters<typeof service>[1]> = {}, c2: Partial<Parameters<typeof service>[1]> = {}): Estate {
  const make = (name: string, overrides: Partial<Parameters<typeof service>[1]>) => {
    const td = taskDefinition({ family: `${name}-web`, containerDefinitions: [container({ name: 'web', memory: 512, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] })] });
    const svc = service(td, { name: 'web', clusterName: name, arn: `arn:aws:ecs:us-east-1:123456789012:service/${name}/web`, serviceRegistries: [], ...overrides });
    return { td, cluster: cluster({ name, arn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`, services: [svc] }) };
  };
  const one = make('c1', c1);
  const two = make('c2', c2);
  const est = estate({ services: [] });
  est.clusters = [one.cluster, two.cluster];
  est.taskDefinitions = { [one.td.taskDefinitionArn]: one.td, [two.td.taskDefinitionArn]: two.td };
  est.cloudMap = { namespaces: [NS], services: [] };
  return est;
}

const LIVE_WEB = { enabled: true, namespace: 'shop.local', services: [{ portName: 'web-8080', discoveryName: 'web', clientAliases: [{ port: 8080, dnsName: 'web.shop.local' }] }] };

describe('names unique across the namespace', () => {
  it('gives two services of one name in different clusters distinct discovery names and aliases', () => {
    const p = plan(twoClusters(), { cloudMap: { namespace: 'shop.local' } });
    expect(entriesOf(p, 'c1/web')).toEqual([{ portName: 'web-8080', discoveryName: 'web', clientAliases: [{ port: 8080, dnsName: 'c1-web.shop.local' }] }]);
    expect(entriesOf(p, 'c2/web')).toEqual([{ portName: 'web-8080', discoveryName: 'c2-web', clientAliases: [{ port: 8080, dnsName: 'c2-web.shop.local' }] }]);
  });

  it('keeps clear of a service of the same name already on Service Connect in a cluster the plan leaves alone', () => {
    const p = plan(twoClusters({ serviceConnect: LIVE_WEB }), { cloudMap: { namespace: 'shop.local' }, include: { clusters: ['c2'] } });
    expect(entriesOf(p, 'c2/web')).toEqual([{ portName: 'web-8080', discoveryName: 'c2-web', clientAliases: [{ port: 8080, dnsName: 'c2-web.shop.local' }] }]);
    expect(p.services[0]!.serviceConnect!.aliases).toEqual(['c2-web.shop.local:8080']);
  });

  it('never takes a name another service\'s Cloud Map registry answers, nor its Cloud Map service name', () => {
    const est = twoClusters({ serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web' }] });
    est.cloudMap.services.push({ id: 'srv-web', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web', name: 'web', namespaceId: 'ns-1' });
    const p = plan(est, { cloudMap: { namespace: 'shop.local' }, include: { clusters: ['c2'] } });
    expect(entriesOf(p, 'c2/web')).toEqual([{ portName: 'web-8080', discoveryName: 'web-sc', clientAliases: [{ port: 8080, dnsName: 'c2-web.shop.local' }] }]);
  });

  it('blocks a service whose callers use a name another service already answers in the namespace', () => {
    const est = twoClusters({ name: 'gateway', arn: 'arn:aws:ecs:us-east-1:123456789012:service/c1/gateway', serviceConnect: LIVE_WEB },
      { serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web' }] });
    est.cloudMap.services.push({ id: 'srv-web', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web', name: 'web', namespaceId: 'ns-1' });
    const p = plan(est, { cloudMap: { namespace: 'shop.local' }, include: { clusters: ['c2'] } });
    expect(p.steps).toEqual([]);
    expect(p.blocked).toEqual([{ cluster: 'c2', service: 'web', findings: [expect.objectContaining({
      rule: 'client-alias', severity: 'error', blocking: true,
      message: 'c2/web: clients call it web.shop.local, a name c1/gateway already answers in namespace shop.local; a client alias sends every caller in the namespace to one service',
    })] }]);
  });

  it('lets a blue service and its live green twin share their names', () => {
    const est = twoClusters({}, {});
    const green = { ...est.clusters[0]!.services[0]!, name: 'web-sc', arn: 'arn:aws:ecs:us-east-1:123456789012:service/c1/web-sc', serviceConnect: LIVE_WEB };
    est.clusters[0]!.services.push(green);
    const p = plan(est, { cloudMap: { namespace: 'shop.local' }, include: { services: ['c1/web'] } });
    expect(p.blocked).toEqual([]);
    expect(entriesOf(p, 'c1/web')).toEqual([expect.objectContaining({ clientAliases: [{ port: 8080, dnsName: 'web.shop.local' }] })]);
  });
});
