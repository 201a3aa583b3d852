import { smallestFargateSize } from '../fargate.js';
import { launchKind } from '../service-facts.js';
import { withAppMeshSidecars } from '../sidecars.js';
import { compareVersions } from '../versions.js';
import type { ServiceRule } from './rule.js';

/** Fargate Linux platform versions: proxyConfiguration needs 1.3.0, Service Connect 1.4.0. */
export const MIN_FARGATE_PLATFORM = { appmesh: '1.3.0', 'service-connect': '1.4.0' } as const;

/** Fargate's 8 and 16 vCPU sizes need platform version 1.4.0 (Amazon ECS Developer Guide, "Fargate task CPU and memory"). */
const LARGE_TASK_CPU = 8192;
const LARGE_TASK_PLATFORM = '1.4.0';

export const platformVersion: ServiceRule = {
  id: 'platform-version',
  title: 'Fargate platform version',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ cluster, service, taskDefinition, target, sizing }) {
    if (launchKind(service, cluster) !== 'FARGATE') return [];
    const version = service.platformVersion ?? 'LATEST';
    if (version === 'LATEST') return [];
    if (target === 'appmesh' && compareVersions(version, LARGE_TASK_PLATFORM) < 0) {
      const grown = smallestFargateSize(withAppMeshSidecars(taskDefinition, sizing).grown);
      if (grown && grown.cpu >= LARGE_TASK_CPU) {
        return [{
          severity: 'error',
          blocking: true,
          message: `with Envoy and X-Ray the task grows to ${grown.cpu / 1024} vCPU, which Fargate runs only on platform version ${LARGE_TASK_PLATFORM} or later (the service pins ${version})`,
          hint: `Set the service's platformVersion to LATEST (or ${LARGE_TASK_PLATFORM}) before migrating.`,
        }];
      }
    }
    if (compareVersions(version, MIN_FARGATE_PLATFORM[target]) >= 0) return [];
    return [{
      severity: 'error',
      message: `Fargate platform version ${version} is older than ${MIN_FARGATE_PLATFORM[target]}, the first that supports ${target === 'appmesh' ? 'App Mesh proxy configuration' : 'Service Connect'}`,
      hint: 'Set the service\'s platformVersion to LATEST (or 1.4.0) before migrating.',
    }];
  },
};
