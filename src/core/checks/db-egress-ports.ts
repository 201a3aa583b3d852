import { scanDbEndpoints } from '../db-endpoints.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import type { RuleFinding, ServiceRule } from './rule.js';

/** AWS caps proxyConfiguration's EgressIgnoredPorts at 15 ports. */
export const MAX_EGRESS_IGNORED_PORTS = 15;

/** The EgressIgnoredPorts a service gets: the database ports found plus the configured ones, once each, sorted. */
export function egressIgnoredPorts(found: number[], configured: number[]): number[] {
  return [...new Set([...found, ...configured])].sort((a, b) => a - b);
}

export const dbEgressPorts: ServiceRule = {
  id: 'db-egress-ports',
  title: 'Database and cache ports bypass Envoy',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: {
    'service-connect': 'Service Connect intercepts only traffic to its own client aliases, so database traffic is untouched.',
  },
  check({ cluster, service, taskDefinition, configuredEgressPorts }) {
    const scan = scanDbEndpoints(taskDefinition, [ENVOY_CONTAINER, XRAY_CONTAINER]);
    const configured = configuredEgressPorts?.(cluster.name, service.name) ?? [];
    const ports = egressIgnoredPorts(scan.ports, configured);
    const findings: RuleFinding[] = [];
    if (ports.length > MAX_EGRESS_IGNORED_PORTS) {
      findings.push({
        severity: 'error',
        blocking: true,
        message: `${ports.length} egress-ignored ports (${scan.ports.length} database/cache ports found, ${configured.length} configured: ${ports.join(',')}), more than the ${MAX_EGRESS_IGNORED_PORTS} EgressIgnoredPorts allows`,
        hint: 'Trim egressIgnoredPorts for this service in meshctl.yaml, move some databases to shared ports, or route them through Envoy as TCP backends instead.',
      });
    } else if (ports.length > 0) {
      const sources = [
        ...scan.endpoints.map((e) => `${e.variable} → ${e.engine}${e.host ? ` ${e.host}` : ''}:${e.port}${e.portFrom === 'default' ? ' (default port)' : ''}`),
        ...(configured.length > 0 ? [`meshctl.yaml: ${configured.join(',')}`] : []),
      ].join(', ');
      findings.push({
        severity: 'info',
        message: `EgressIgnoredPorts will be ${ports.join(',')} (${sources})`,
        hint: 'Add ports meshctl cannot see (secrets, config files) under egressIgnoredPorts in meshctl.yaml.',
      });
    }
    for (const u of scan.unresolved) {
      findings.push({
        severity: 'warning',
        message: `${u.container}: ${u.variable} points at ${u.engine}${u.host ? ` ${u.host}` : ''} but its port cannot be worked out (${u.reason})`,
        hint: 'Add the port under egressIgnoredPorts for this service in meshctl.yaml, or the database traffic will go through Envoy.',
      });
    }
    return findings;
  },
};
