// mergeServiceConnect on its own: UpdateService resets every field it is not
// sent, so what a service has is kept; and discovery names are unique in a
// namespace, so no two entries get one.
import { describe, expect, it } from 'vitest';
import type { ServiceConnectConfig } from '../../src/core/estate.js';
import { mergeServiceConnect, type ServiceConnectEntry } from '../../src/core/serviceconnect/merge.js';

const NS = 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1';
const entry = (portName: string, discoveryName: string, dnsName?: string, port = 8080): ServiceConnectEntry => ({
  portName, discoveryName, ...(dnsName && { clientAliases: [{ port, dnsName }] }),
});
const discoveryNames = (merged: Record<string, unknown>) => (merged.services as ServiceConnectEntry[]).map((e) => e.discoveryName ?? e.portName);

describe('mergeServiceConnect', () => {
  it('keeps the log configuration the service has over the one planned, and plans one where there is none', () => {
    const existing: ServiceConnectConfig = { enabled: true, namespace: NS, services: [entry('api-8080', 'api', 'api.shop.local')], logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/sc-own' } } };
    const plannedLogs = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/planned' } };
    expect(mergeServiceConnect(existing, { namespace: 'other', services: [], logConfiguration: plannedLogs })).toEqual({ ...existing, enabled: true });
    expect(mergeServiceConnect(undefined, { namespace: NS, services: [entry('api-8080', 'api')], logConfiguration: plannedLogs }).logConfiguration).toEqual(plannedLogs);
    // A disabled configuration is not the service's to keep: the planned one goes.
    expect(mergeServiceConnect({ ...existing, enabled: false }, { namespace: NS, services: [], logConfiguration: plannedLogs }).logConfiguration).toEqual(plannedLogs);
  });

  it('never gives two entries one discovery name: planned twice, or planned as one the service has (its port name by default)', () => {
    const twice = mergeServiceConnect(undefined, { namespace: NS, services: [entry('web-80', 'web', 'web.shop.local', 80), entry('web-8080', 'web', 'web-admin.shop.local')] });
    expect(discoveryNames(twice)).toEqual(['web', 'web-2']);
    const existing: ServiceConnectConfig = { enabled: true, namespace: NS, services: [{ portName: 'api', clientAliases: [{ port: 8080, dnsName: 'api.shop.local' }] }, entry('api-9090', 'api-2', 'api-9090.shop.local', 9090)] };
    const merged = mergeServiceConnect(existing, { namespace: NS, services: [entry('api-7070', 'api', 'api-7070.shop.local', 7070), entry('api-6060', 'api', 'api-6060.shop.local', 6060)] });
    expect(discoveryNames(merged)).toEqual(['api', 'api-2', 'api-3', 'api-4']);
    expect(new Set(discoveryNames(merged)).size).toBe(4);
  });

  it('adds nothing for names the service already serves, and keeps every field of its entries', () => {
    const own = { ...entry('api-8080', 'api', 'api.shop.local'), ingressPortOverride: 9090, timeout: { idleTimeoutSeconds: 120 }, tls: { roleArn: 'arn:aws:iam::123456789012:role/tls' } };
    const existing: ServiceConnectConfig = { enabled: true, namespace: NS, services: [own] };
    expect(mergeServiceConnect(existing, { namespace: NS, services: [entry('api-8080', 'api-sc', 'api.shop.local')] }).services).toEqual([own]);
  });
});
