import { createRoleCommands, DEFAULT_ROLE_NAME } from '../cutover/ecs-strategy.js';
import { cutoverChoice } from './cutover-choice.js';
import type { ServiceRule } from './rule.js';

/**
 * How a service leaving App Mesh cuts over (ecs-strategy.ts): an ECS-managed
 * deployment that cannot run is blocking (a strategy asked for that does not
 * apply, a configured infrastructure role that is missing or not trusted by
 * ECS); otherwise the strategy it gets, and why.
 */
export const ecsManagedCutover: ServiceRule = {
  id: 'ecs-managed-cutover',
  title: 'Cut-over without renaming (ECS canary, linear, blue/green)',
  scope: 'service',
  targets: ['service-connect'],
  notApplicable: { appmesh: 'services joining App Mesh do not cut over' },
  check(subject) {
    const choice = cutoverChoice(subject);
    if (!choice) return [];
    if ('blocked' in choice) return [{ severity: 'error', blocking: true, message: choice.blocked.message, hint: choice.blocked.hint }];
    const role = subject.cutover?.settings.infrastructureRoleArn;
    return [{
      severity: 'info',
      message: `moves ${choice.strategy === 'blue-green' ? 'with a green twin' : `by ${choice.strategy}`}: ${choice.why}`,
      hint: choice.strategy === 'blue-green' && !role
        ? `To keep the service's name, let ECS move it: ${createRoleCommands(DEFAULT_ROLE_NAME, subject.service.arn.split(':')[1] ?? 'aws')}, then set cutover.infrastructureRoleArn.`
        : 'Nothing to fix.',
    }];
  },
};
