import type { ServiceRule } from './rule.js';

/** A rollout still running when meshctl moves the service: the two overlap, and the plan's view of the service may be stale by apply time. */
export const deploymentInProgress: ServiceRule = {
  id: 'deployment-in-progress',
  title: 'No deployment in progress',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ service }) {
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    const others = service.deployments.filter((d) => d.status !== 'PRIMARY');
    if (!primary || (primary.rolloutState !== 'IN_PROGRESS' && others.length === 0)) return [];
    return [{
      severity: 'warning',
      message: `a deployment is in progress (${primary.taskDefinition.split('/').pop()}, ${primary.rolloutState ?? 'rolling'}${others.length > 0 ? `, ${others.length} older deployment(s) still draining` : ''})`,
      hint: 'Let it finish (aws ecs wait services-stable) before applying; a deployment that completes between plan and apply does not make the plan stale.',
    }];
  },
};
