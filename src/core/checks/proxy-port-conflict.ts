import { envoyContainer } from '../service-facts.js';
import type { ServiceRule } from './rule.js';

/** Envoy's ingress (15000), egress (15001) and admin (9901) ports. */
export const ENVOY_PORTS = [15000, 15001, 9901];

export const proxyPortConflict: ServiceRule = {
  id: 'proxy-port-conflict',
  title: 'No app container uses Envoy\'s ports',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: { 'service-connect': 'ECS places the Service Connect agent itself; its ports are not shared with the app.' },
  check({ taskDefinition }) {
    const envoy = envoyContainer(taskDefinition);
    const findings = [];
    for (const container of taskDefinition.containerDefinitions) {
      if (container === envoy) continue;
      for (const mapping of container.portMappings ?? []) {
        const port = [mapping.containerPort, mapping.hostPort].find((p) => p !== undefined && ENVOY_PORTS.includes(p));
        if (port === undefined) continue;
        findings.push({
          severity: 'error' as const,
          blocking: true,
          message: `container ${container.name} uses port ${port}, which Envoy needs (${ENVOY_PORTS.join(', ')})`,
          hint: `Move ${container.name} to another port.`,
        });
      }
    }
    return findings;
  },
};
