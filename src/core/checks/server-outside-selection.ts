import { moveFirstCommands, serversNotMovedYet } from '../outside-servers.js';
import type { ServiceRule } from './rule.js';

/**
 * A service that calls servers outside a --cluster/--service selection moves
 * before them: its tasks reach them through Service Connect only once they
 * started after the servers' deployments completed (Amazon ECS Developer
 * Guide, "Service Connect"), so it needs a new deployment after they move.
 */
export const serverOutsideSelection: ServiceRule = {
  id: 'server-outside-selection',
  title: 'Servers it calls move with it or before it',
  scope: 'service',
  targets: ['service-connect'],
  notApplicable: { appmesh: 'App Mesh clients reach their backends through the mesh whatever order services move in' },
  check({ estate, cluster, service }) {
    const servers = serversNotMovedYet(estate, `${cluster.name}/${service.name}`);
    if (servers.length === 0) return [];
    const named = servers.map((s) => `${s.cluster}/${s.service} (${s.name})`).join(', ');
    return [{
      severity: 'warning',
      message: `calls ${named}, outside this selection and not on Service Connect yet: moved first, it needs a new deployment after they move to reach them through Service Connect`,
      hint: `Move them first (${moveFirstCommands(servers).join('; ')}), or plan them with this service: one plan moves servers before their clients.`,
    }];
  },
};
