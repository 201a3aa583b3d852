import { launchKind } from '../service-facts.js';
import { compareVersions } from '../versions.js';
import type { ServiceRule } from './rule.js';

/** ECS container agent: proxyConfiguration needs 1.26.0, Service Connect 1.67.2. */
export const MIN_AGENT_VERSION = { appmesh: '1.26.0', 'service-connect': '1.67.2' } as const;

export const agentVersion: ServiceRule = {
  id: 'agent-version',
  title: 'ECS container agent version',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ cluster, service, target }) {
    if (launchKind(service, cluster) !== 'EC2') return [];
    const minimum = MIN_AGENT_VERSION[target];
    const active = cluster.containerInstances.filter((i) => i.status === 'ACTIVE');
    const old = active.filter((i) => i.agentVersion !== undefined && compareVersions(i.agentVersion, minimum) < 0);
    if (old.length === 0) return [];
    const versions = [...new Set(old.map((i) => i.agentVersion))].join(', ');
    return [{
      severity: 'error',
      message: `${old.length} of ${active.length} container instance(s) in ${cluster.name} run ECS agent ${versions}, older than ${minimum} which ${target === 'appmesh' ? 'App Mesh proxy configuration' : 'Service Connect'} needs`,
      hint: 'Update the agents (aws ecs update-container-agent, or roll the instances onto a current ECS-optimized AMI).',
    }];
  },
};
