import { scanDbEndpoints } from '../db-endpoints.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';
import type { RuleFinding, ServiceRule } from './rule.js';

/** AWS caps proxyConfiguration's EgressIgnoredPorts at 15 ports. */
export const MAX_EGRESS_IGNORED_PORTS = 15;

export const dbEgressPorts: ServiceRule = {
  id: 'db-egress-ports',
  title: 'Database and cache ports bypass Envoy',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: {
    'service-connect': 'Service Connect intercepts only traffic to its own client aliases, so database traffic is untouched.',
  },
  check({ taskDefinition }) {
    const scan = scanDbEndpoints(taskDefinition, [ENVOY_CONTAINER, XRAY_CONTAINER]);
    const findings: RuleFinding[] = [];
    if (scan.ports.length > MAX_EGRESS_IGNORED_PORTS) {
      findings.push({
        severity: 'error',
        blocking: true,
        message: `${scan.ports.length} database/cache ports found (${scan.ports.join(',')}), more than the ${MAX_EGRESS_IGNORED_PORTS} EgressIgnoredPorts allows`,
        hint: 'Move some databases to shared ports, or route them through Envoy as TCP backends instead.',
      });
    } else if (scan.ports.length > 0) {
      const sources = scan.endpoints
        .map((e) => `${e.variable} → ${e.engine}${e.host ? ` ${e.host}` : ''}:${e.port}${e.portFrom === 'default' ? ' (default port)' : ''}`)
        .join(', ');
      findings.push({
        severity: 'info',
        message: `EgressIgnoredPorts will be ${scan.ports.join(',')} (${sources})`,
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
