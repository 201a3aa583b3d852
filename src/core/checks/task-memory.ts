import { launchKind } from '../service-facts.js';
import { sizeForServiceConnect } from '../serviceconnect/sizing.js';
import type { ServiceRule } from './rule.js';

/** Service Connect requires task-level memory, on EC2 too (where it is otherwise optional). */
export const taskMemory: ServiceRule = {
  id: 'task-memory',
  title: 'Task-level memory for Service Connect',
  scope: 'service',
  targets: ['service-connect'],
  notApplicable: { appmesh: 'App Mesh does not require task-level memory' },
  check({ cluster, service, taskDefinition, sizing, keepXray }) {
    if (taskDefinition.memory) return [];
    const size = sizeForServiceConnect(taskDefinition, { launch: launchKind(service, cluster), sizing, keepXray: keepXray ?? false, agentPresent: service.serviceConnect?.enabled === true });
    if (size.problem) {
      return [{
        severity: 'error',
        blocking: true,
        message: size.problem,
        hint: `Set memory on the task definition ${taskDefinition.family} (its containers plus ${sizing.serviceConnectAgent.memory} MiB for the agent), or memory/memoryReservation on every container so meshctl can work it out.`,
      }];
    }
    return [{
      severity: 'info',
      message: `the task definition has no task-level memory, which Service Connect requires; the plan sets it to ${size.memory} MiB (its containers plus the agent's ${sizing.serviceConnectAgent.memory} MiB)`,
      hint: 'Nothing to fix; set task memory yourself if you want a different size.',
    }];
  },
};
