import { launchKind, networkMode } from '../service-facts.js';
import type { ServiceRule } from './rule.js';

export const networkModeRule: ServiceRule = {
  id: 'network-mode',
  title: 'Task networking the mesh can use',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ cluster, service, taskDefinition, target }) {
    const mode = networkMode(taskDefinition);
    if (mode === 'awsvpc') return [];
    // Service Connect also supports bridge mode; App Mesh's proxy configuration needs awsvpc.
    if (target === 'service-connect' && mode === 'bridge') return [];
    const where = launchKind(service, cluster) === 'EC2' ? 'ENI capacity on the container instances' : 'the new network settings';
    return [{
      severity: 'error',
      blocking: true,
      message: `task definition ${taskDefinition.family}:${taskDefinition.revision} uses ${mode} networking, which cannot join ${target === 'appmesh' ? 'App Mesh' : 'Service Connect'} as is`,
      hint: `Move the service to awsvpc networking first (new task definition and a service with awsvpcConfiguration), checking ${where}.`,
    }];
  },
};
