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
        ? 'AWS moves a CODE_DEPLOY service to ECS-managed blue/green in place: turn off the CodeDeploy automation, then one UpdateService sets deploymentController ECS, deploymentConfiguration.strategy BLUE_GREEN and loadBalancers[].advancedConfiguration (the alternate target group, the production listener rule, the infrastructure role) (Amazon ECS Developer Guide, "Migrating from a CodeDeploy blue/green to an Amazon ECS blue/green service deployment"); plan again after, and ECS moves it by canary under its own name.'
        : 'Deploy the rewritten task definition through your external controller (create a task set), or recreate the service with the ECS controller.',
    }];
  },
};
