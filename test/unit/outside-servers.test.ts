// Servers outside a --cluster/--service selection: which names the selection
// calls that it does not serve, the precheck rule and the plan's note. Pure.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { serverOutsideSelection } from '../../src/core/checks/server-outside-selection.js';
import type { Estate } from '../../src/core/estate.js';
import { callsOutside, moveFirstCommands } from '../../src/core/outside-servers.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };
const HTTP_NS = { id: 'ns-2', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-2', name: 'api', type: 'HTTP' };
const registry = (name: string, namespaceId = 'ns-1') => ({ id: `srv-${name}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${name}`, name, namespaceId });

/** web and its own registry selected; orders, catalog, billing (HTTP namespace) registered by services outside. */
function selection(): Estate {
  const td = taskDefinition({
    family: 'web',
    containerDefinitions: [container({
      name: 'web',
      environment: [
        { name: 'ORDERS_URL', value: 'http://orders.shop.local:8080' },
        { name: 'CATALOG_URL', value: 'http://Catalog.shop.local:8080/v1' },
        { name: 'SELF', value: 'http://web.shop.local:3000' },
        { name: 'BILLING', value: 'billing.api' },
        { name: 'EXTERNAL', value: 'https://api.stripe.com' },
      ],
    })],
  });
  const web = service(td, { serviceRegistries: [{ registryArn: registry('web').arn }] });
  const est = estate({ services: [[web, td]] });
  est.cloudMap = { namespaces: [NS, HTTP_NS], services: [registry('web'), registry('orders'), registry('catalog'), registry('billing', 'ns-2')] };
  return est;
}

const orders = { name: 'orders.shop.local', clients: ['c/web'], cluster: 'shop-ec2', service: 'orders', onServiceConnect: false };
const catalog = { name: 'catalog.shop.local', clients: ['c/web'], cluster: 'c', service: 'catalog', onServiceConnect: false };

describe('callsOutside', () => {
  it('the Cloud Map DNS names the selection calls and does not serve, with their callers', () => {
    expect(callsOutside(selection())).toEqual(new Map([['catalog.shop.local', ['c/web']], ['orders.shop.local', ['c/web']]]));
  });

  it('adds declared backends (App Mesh), and leaves out names a selected service serves, through Service Connect too', () => {
    const est = selection();
    const web = est.clusters[0]!.services[0]!;
    web.serviceConnect = { enabled: true, namespace: 'shop.local', services: [{ portName: 'http', clientAliases: [{ port: 8080, dnsName: 'orders.shop.local' }] }] };
    est.cloudMap.services.push(registry('pricing'));
    expect(callsOutside(est, new Map([['c/web', ['pricing.shop.local', 'not-in-cloud-map.shop.local']]])))
      .toEqual(new Map([['catalog.shop.local', ['c/web']], ['pricing.shop.local', ['c/web']]]));
  });
});

describe('server-outside-selection', () => {
  it('warns on the client, naming the servers not on Service Connect yet and the plans that move them first', () => {
    const est = { ...selection(), outsideServers: [orders, catalog, { ...orders, name: 'x.shop.local', service: 'moved', onServiceConnect: true }, { name: 'y.shop.local', clients: ['c/web'], onServiceConnect: false }] };
    const findings = runPrecheck(est, { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING }).findings.filter((f) => f.rule === 'server-outside-selection');
    expect(findings).toEqual([{
      rule: 'server-outside-selection', severity: 'warning', cluster: 'c', service: 'web',
      message: 'c/web: calls shop-ec2/orders (orders.shop.local), c/catalog (catalog.shop.local), outside this selection and not on Service Connect yet: moved first, it needs a new deployment after they move to reach them through Service Connect',
      hint: 'Move them first (meshctl plan --cluster c --service catalog; meshctl plan --cluster shop-ec2 --service orders), or plan them with this service: one plan moves servers before their clients.',
    }]);
  });

  it('says nothing for a whole-estate read, for servers on Service Connect, or for App Mesh', () => {
    const check = (est: Estate, target: 'service-connect' | 'appmesh' = 'service-connect') => runPrecheck(est, { target, sizing: DEFAULT_SIDECAR_SIZING }).findings.filter((f) => f.rule === serverOutsideSelection.id);
    expect(check(selection())).toEqual([]);
    expect(check({ ...selection(), outsideServers: [{ ...orders, onServiceConnect: true }] })).toEqual([]);
    expect(check({ ...selection(), outsideServers: [orders] }, 'appmesh')).toEqual([]);
  });

  it('moveFirstCommands: one plan per cluster, its services named', () => {
    expect(moveFirstCommands([orders, catalog, { ...orders, service: 'payments' }])).toEqual([
      'meshctl plan --cluster c --service catalog',
      'meshctl plan --cluster shop-ec2 --service orders --service payments',
    ]);
  });
});

describe('a narrowed Service Connect plan', () => {
  it('names the servers outside it on the client: backends, rollout.outside and the warning', () => {
    const est = { ...selection(), outsideServers: [orders, catalog] };
    const plan = planServiceConnect({ estate: est, config: parseConfig({}, 'test'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: '2026-12-03T00:00:00Z', strategy: 'blue-green', removeMeshResources: false });
    const web = plan.services.find((s) => s.service === 'web')!;
    expect(web.rollout).toEqual({ position: 1, after: [], outside: [{ name: 'orders.shop.local', server: 'shop-ec2/orders' }, { name: 'catalog.shop.local', server: 'c/catalog' }] });
    expect(web.backends.map((b) => b.virtualService)).toEqual(['catalog.shop.local', 'orders.shop.local']);
    expect(web.findings.map((f) => f.rule)).toContain('server-outside-selection');
    // The whole estate read: nothing outside, nothing said.
    const whole = planServiceConnect({ estate: selection(), config: parseConfig({}, 'test'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: '2026-12-03T00:00:00Z', strategy: 'blue-green', removeMeshResources: false });
    expect(whole.services[0]!.rollout).toEqual({ position: 1, after: [] });
  });
});
