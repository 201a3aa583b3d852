import { launchKind } from '../service-facts.js';
import { compareVersions } from '../versions.js';
import type { ServiceRule } from './rule.js';

/** Fargate Linux platform versions: proxyConfiguration needs 1.3.0, Service Connect 1.4.0. */
export const MIN_FARGATE_PLATFORM = { appmesh: '1.3.0', 'service-connect': '1.4.0' } as const;

export const platformVersion: ServiceRule = {
  id: 'platform-version',
  title: 'Fargate platform version',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ cluster, service, target }) {
    if (launchKind(service, cluster) !== 'FARGATE') return [];
    const version = service.platformVersion ?? 'LATEST';
    if (version === 'LATEST' || compareVersions(version, MIN_FARGATE_PLATFORM[target]) >= 0) return [];
    return [{
      severity: 'error',
      message: `Fargate platform version ${version} is older than ${MIN_FARGATE_PLATFORM[target]}, the first that supports ${target === 'appmesh' ? 'App Mesh proxy configuration' : 'Service Connect'}`,
      hint: 'Set the service\'s platformVersion to LATEST (or 1.4.0) before migrating.',
    }];
  },
};
