import type { ServiceRule } from './rule.js';

export const serviceDiscovery: ServiceRule = {
  id: 'service-discovery',
  title: 'Cloud Map registry',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: { 'service-connect': 'Service Connect creates its own Cloud Map services in the namespace.' },
  check({ estate, service }) {
    if (service.serviceRegistries.length === 0) {
      return [{
        severity: 'warning',
        message: 'no Cloud Map registry: App Mesh virtual nodes find their tasks through Cloud Map',
        hint: 'The plan creates a Cloud Map service and updates the ECS service to register with it; ECS only allows that change with a new deployment.',
      }];
    }
    const known = new Set(estate.cloudMap.services.map((s) => s.arn));
    const missing = service.serviceRegistries.filter((r) => !known.has(r.registryArn));
    return missing.map((r) => ({
      severity: 'warning' as const,
      message: `service registry ${r.registryArn} is not among the account's Cloud Map services`,
      hint: 'Check the registry exists in this region and account, or remove it from the service.',
    }));
  },
};
