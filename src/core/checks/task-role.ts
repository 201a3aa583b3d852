import { launchKind } from '../service-facts.js';
import type { ServiceRule } from './rule.js';

/** Envoy on Fargate takes its App Mesh credentials from the task role; without one it never becomes healthy (AWS App Mesh User Guide, "Getting started with App Mesh and Amazon ECS", task IAM role). */
export const taskRole: ServiceRule = {
  id: 'task-role',
  title: 'Task role for Envoy on Fargate',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: { 'service-connect': 'the Service Connect agent takes no credentials from the task role' },
  check({ cluster, service, taskDefinition }) {
    if (launchKind(service, cluster) !== 'FARGATE' || taskDefinition.taskRoleArn) return [];
    return [{
      severity: 'error',
      blocking: true,
      message: `task definition ${taskDefinition.family} has no task role: Envoy on Fargate reads its App Mesh configuration with the task role's credentials and never becomes healthy without one`,
      hint: `Give ${taskDefinition.family} a taskRoleArn whose role allows appmesh:StreamAggregatedResources on the virtual node: that is the task role's own permission, which Envoy uses at run time, not one of meshctl's (meshctl iam-policy does not print it, and meshctl does not change task roles).`,
    }];
  },
};
