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
      message: `deployment controller is ${service.deploymentController}; UpdateService cannot move it to a new task definition`,
      hint: service.deploymentController === 'CODE_DEPLOY'
        ? 'Deploy the rewritten task definition through your CodeDeploy application (meshctl plan --output json shows it), or recreate the service with the ECS controller.'
        : 'Deploy the rewritten task definition through your external controller (create a task set), or recreate the service with the ECS controller.',
    }];
  },
};
