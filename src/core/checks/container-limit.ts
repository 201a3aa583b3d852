import { sidecarAddition } from '../sidecars.js';
import type { ServiceRule } from './rule.js';

/** ECS allows at most 10 container definitions per task definition. */
export const MAX_CONTAINERS = 10;

export const containerLimit: ServiceRule = {
  id: 'container-limit',
  title: 'Containers per task definition',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: { 'service-connect': 'ECS injects the Service Connect agent; it is not a container of the task definition' },
  check({ taskDefinition, sizing }) {
    const existing = taskDefinition.containerDefinitions.length;
    const total = existing + sidecarAddition(taskDefinition, sizing).containers;
    if (total <= MAX_CONTAINERS) return [];
    return [{
      severity: 'error',
      blocking: true,
      message: `${existing} containers plus the sidecars make ${total}, over the ECS limit of ${MAX_CONTAINERS} per task definition`,
      hint: 'Split the task into services or merge helper containers before migrating.',
    }];
  },
};
