// Service Connect requires task-level memory, on EC2 too (where it is
// otherwise optional), and task memory is a hard limit: a task that bursts
// past it is OOM-killed. An EC2 task whose containers set only reservations
// (soft limits) may use more than it reserves today; CloudWatch's peak says
// how much, and the plan sizes the limit from it (serviceconnect/sizing.ts).
import type { ContainerDefinition } from '../estate.js';
import { serviceConnectSizeOf, type ServiceConnectSize } from '../serviceconnect/sizing.js';
import { DEFAULT_USAGE_HEADROOM, peaksOf, usageOf, usageSpan, utilizationBase } from '../usage.js';
import type { RuleFinding, ServiceRule, ServiceSubject } from './rule.js';

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** Containers that set a reservation and no hard limit: they may use more than they reserve. */
const burstable = (containers: ContainerDefinition[]) => containers.filter((c) => c.memoryReservation !== undefined && c.memory === undefined).map((c) => c.name);

/** The peak asks for more than the task definition alone would give. */
function peakFinding(subject: ServiceSubject, size: ServiceConnectSize, peak: number): RuleFinding {
  const { estate, service, taskDefinition } = subject;
  const headroom = subject.headroom ?? DEFAULT_USAGE_HEADROOM;
  const fromDefinition = size.memoryFromDefinition!;
  const base = utilizationBase(taskDefinition).memory;
  const against = taskDefinition.memory ? `its ${base} MiB of task memory` : `${base} MiB of reservations`;
  const fate = fromDefinition - size.agent.memory < peak ? 'would OOM-kill it' : `would leave less than ${percent(headroom)} over it once the agent takes its ${size.agent.memory} MiB`;
  const rounded = size.memory !== size.memoryForPeak ? ', rounded up to what the launch type allows' : '';
  return {
    severity: 'warning',
    message: `peak ${peak} MiB (busiest task ${usageSpan(estate, service)}) against ${against}: a hard limit of ${fromDefinition} MiB ${fate}; the plan sets ${size.memory} MiB (the peak + ${percent(headroom)} + the agent's ${size.agent.memory} MiB${rounded})`,
    hint: 'Nothing to fix: the plan sizes the task from its peak. For another size, set memory on the task definition yourself or change the headroom (--usage-headroom, usage.headroom in meshctl.yaml).',
  };
}

/** A new hard limit over containers that reserve memory but set no limit. */
function newLimitFinding(subject: ServiceSubject, size: ServiceConnectSize, soft: string[], peak: number | undefined): RuleFinding {
  const { estate, service, sizing } = subject;
  const headroom = subject.headroom ?? DEFAULT_USAGE_HEADROOM;
  const head = `the task definition has no task-level memory; Service Connect requires it, and it is a hard limit: the plan sets ${size.memory} MiB (the containers' ${size.memory! - sizing.serviceConnectAgent.memory} MiB plus the agent's ${sizing.serviceConnectAgent.memory} MiB)`;
  if (peak !== undefined) {
    return {
      severity: 'warning',
      message: `${head}, at least ${percent(headroom)} over the peak of ${peak} MiB (busiest task ${usageSpan(estate, service)})`,
      hint: 'A task that bursts past the limit is OOM-killed: if the service has rarer, higher peaks, read a longer window (--usage-window) or set task memory yourself.',
    };
  }
  const why = estate.usage ? `no usage data to size it from (${usageOf(estate, service)?.missing ?? 'no datapoints'})` : 'usage not read (--no-usage)';
  return {
    severity: 'warning',
    message: `${head}, but ${soft.join(', ')} set only a reservation (a soft limit) and may use more today; ${why}`,
    hint: 'A task that bursts past the new limit is OOM-killed. Let meshctl read its peaks (cloudwatch:GetMetricData, once the service has run a while), or set memory on the task definition yourself.',
  };
}

export const taskMemory: ServiceRule = {
  id: 'task-memory',
  title: 'Task-level memory for Service Connect',
  scope: 'service',
  targets: ['service-connect'],
  notApplicable: { appmesh: 'App Mesh does not require task-level memory' },
  check(subject) {
    const { estate, cluster, service, taskDefinition, sizing } = subject;
    const size = serviceConnectSizeOf(estate, cluster, service, taskDefinition, subject);
    const peak = peaksOf(estate, service, taskDefinition)?.memoryMiB;
    const raised = size.memoryForPeak !== undefined && size.memoryFromDefinition !== undefined && size.memoryForPeak > size.memoryFromDefinition;
    if (taskDefinition.memory) return raised && !size.problem ? [peakFinding(subject, size, peak!)] : [];
    if (size.problem) {
      return [{
        severity: 'error',
        blocking: true,
        message: size.problem,
        hint: `Set memory on the task definition ${taskDefinition.family} (its containers plus ${sizing.serviceConnectAgent.memory} MiB for the agent), or memory/memoryReservation on every container so meshctl can work it out.`,
      }];
    }
    if (raised) return [peakFinding(subject, size, peak!)];
    const soft = burstable(taskDefinition.containerDefinitions.filter((c) => !size.removed.includes(c.name)));
    if (soft.length > 0) return [newLimitFinding(subject, size, soft, peak)];
    return [{
      severity: 'info',
      message: `the task definition has no task-level memory, which Service Connect requires; the plan sets it to ${size.memory} MiB (its containers plus the agent's ${sizing.serviceConnectAgent.memory} MiB)`,
      hint: 'Nothing to fix; set task memory yourself if you want a different size.',
    }];
  },
};
