import { describePeaks, plannedUsage, usageSpan } from '../usage.js';
import type { ServiceRule } from './rule.js';

/**
 * What CloudWatch says each service uses (src/core/usage.ts), or why it says
 * nothing: precheck shows the peaks the plan sizes from. Never more than
 * info: a service without data keeps the sizing from its task definition.
 */
export const observedUsage: ServiceRule = {
  id: 'observed-usage',
  title: 'Observed usage (CloudWatch peaks)',
  scope: 'service',
  targets: ['service-connect', 'appmesh'],
  check({ estate, service, taskDefinition }) {
    const usage = plannedUsage(estate, service, taskDefinition);
    if (!usage) return [];
    if (usage.missing) {
      const requests = usage.requestsPerSecond === undefined ? '' : `; its target groups show ${usage.requestsPerSecond} requests/s per task at the busiest`;
      return [{
        severity: 'info',
        message: `no usage in CloudWatch ${usageSpan(estate, service)} (${usage.missing}): sized from the task definition alone${requests}`,
        hint: 'A new service, or one with no running tasks, has no metrics yet; AccessDenied needs cloudwatch:GetMetricData (meshctl iam-policy). --no-usage skips the read.',
      }];
    }
    return [{
      severity: 'info',
      message: `busiest task ${usageSpan(estate, service)}: ${describePeaks(usage)}`,
      hint: 'The plan sizes from these peaks (task-memory, cpu-memory-headroom); --usage-window reads another window, --usage-headroom sets the room kept over them.',
    }];
  },
};
