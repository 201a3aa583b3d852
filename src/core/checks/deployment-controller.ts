import type { ServiceRule } from './rule.js';

export const deploymentController: ServiceRule = {
  id: 'deployment-controller',
  title: 'Deployment controller ECS',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ service }) {
    if (service.deploymentController === 'ECS') return [];
    return [{
      severity: 'error',
      blocking: true,
      message: `deployment controller is ${service.deploymentController}; UpdateService cannot move it to a new task definition`,
      hint: service.deploymentController === 'CODE_DEPLOY'
        ? 'Roll the sidecars out through your CodeDeploy deployment, or recreate the service with the ECS deployment controller.'
        : 'Deploy the rewritten task definition through your external controller (create a task set), or recreate the service with the ECS controller.',
    }];
  },
};
