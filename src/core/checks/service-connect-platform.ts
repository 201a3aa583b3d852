import { launchKind } from '../service-facts.js';
import type { ServiceRule } from './rule.js';

// Amazon ECS Developer Guide, "Service Connect considerations": "Windows
// containers aren't supported with Service Connect" and "External container
// instances for Amazon ECS Anywhere aren't supported with Service Connect".
const WINDOWS_FAMILY = /^WINDOWS_/;

export const serviceConnectPlatform: ServiceRule = {
  id: 'service-connect-platform',
  title: 'A platform Service Connect runs on',
  scope: 'service',
  targets: ['service-connect'],
  notApplicable: { appmesh: 'it concerns Service Connect\'s agent, which App Mesh does not use' },
  check({ cluster, service, taskDefinition }) {
    const family = (taskDefinition.runtimePlatform as { operatingSystemFamily?: string } | undefined)?.operatingSystemFamily;
    const keepOff = 'Leave it off Service Connect (exclude.services in meshctl.yaml): callers in the namespace keep reaching it by its load balancer or Cloud Map DNS name';
    if (family && WINDOWS_FAMILY.test(family)) {
      return [{
        severity: 'error',
        blocking: true,
        message: `task definition ${taskDefinition.family}:${taskDefinition.revision} runs Windows containers (${family}); Windows containers aren't supported with Service Connect`,
        hint: `${keepOff}, or move it to Linux tasks first.`,
      }];
    }
    if (launchKind(service, cluster) === 'EXTERNAL') {
      return [{
        severity: 'error',
        blocking: true,
        message: 'runs on EXTERNAL container instances (ECS Anywhere); external container instances for Amazon ECS Anywhere aren\'t supported with Service Connect',
        hint: `${keepOff}, or move it to EC2 or Fargate first.`,
      }];
    }
    return [];
  },
};
