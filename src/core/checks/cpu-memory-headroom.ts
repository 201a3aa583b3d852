import { FARGATE_MAX, smallestFargateSize } from '../fargate.js';
import { launchKind, type Resources } from '../service-facts.js';
import { BUSY_AGENT, serviceConnectSizeOf, type ServiceConnectSize } from '../serviceconnect/sizing.js';
import { sidecarAddition, withAppMeshSidecars } from '../sidecars.js';
import { DEFAULT_USAGE_HEADROOM, peaksOf, usageSpan } from '../usage.js';
import { deploymentSurge } from './cutover-choice.js';
import type { RuleFinding, ServiceRule, ServiceSubject } from './rule.js';

const fmt = (r: Resources) => `${r.cpu} CPU / ${r.memory} MiB`;

function tasksThatFit(free: Resources, task: Resources): number {
  const byCpu = task.cpu > 0 ? Math.floor(free.cpu / task.cpu) : Number.POSITIVE_INFINITY;
  const byMemory = task.memory > 0 ? Math.floor(free.memory / task.memory) : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(byCpu, byMemory));
}

/** `size`: what the plan sizes the task at, undefined beyond Fargate's largest. */
function checkFargate(subject: ServiceSubject, current: Resources, grown: Resources, size: Resources | undefined): RuleFinding[] {
  const sidecars = subject.target === 'appmesh' ? 'Envoy and X-Ray' : 'Service Connect agent';
  if (!size) {
    return [{
      severity: 'error',
      blocking: true,
      message: `task grows from ${fmt(current)} to ${fmt(grown)} with the ${sidecars} sidecars, beyond Fargate's largest size (${fmt(FARGATE_MAX)})`,
      hint: 'Lower the app containers\' reservations or the sidecar sizing in meshctl.yaml, or run the service on EC2.',
    }];
  }
  return [{
    severity: 'info',
    message: `task grows from ${fmt(current)} to ${fmt(grown)} with the ${sidecars} sidecars; the plan sizes it at ${fmt(size)}, the smallest valid Fargate size`,
    hint: 'Nothing to fix; expect the Fargate cost per task to follow the new size.',
  }];
}

function checkEc2(subject: ServiceSubject, current: Resources, grown: Resources): RuleFinding[] {
  const { cluster, service } = subject;
  const instances = cluster.containerInstances.filter((i) => i.status === 'ACTIVE');
  if (service.desiredCount === 0) return [];
  if (instances.length === 0) {
    return [{
      severity: 'error',
      message: `no ACTIVE container instance in cluster ${cluster.name} to place the grown task (${fmt(grown)})`,
      hint: 'Register container instances in the cluster (or check its capacity provider) before migrating.',
    }];
  }
  const { tasks: surge, name, detail, all } = deploymentSurge(subject);
  const slots = instances.reduce((sum, i) => sum + tasksThatFit(i.remaining, grown), 0);
  const roomiest = instances.reduce((best, i) => (i.remaining.cpu + i.remaining.memory > best.cpu + best.memory ? i.remaining : best), instances[0]!.remaining);
  const free = instances.reduce((sum, i) => ({ cpu: sum.cpu + i.remaining.cpu, memory: sum.memory + i.remaining.memory }), { cpu: 0, memory: 0 });
  const findings: RuleFinding[] = [];

  // After the rollout every task is the grown size: the old tasks' reservations come back.
  const steady = { cpu: free.cpu + service.desiredCount * current.cpu, memory: free.memory + service.desiredCount * current.memory };
  const steadyNeed = { cpu: service.desiredCount * grown.cpu, memory: service.desiredCount * grown.memory };
  if (steady.cpu < steadyNeed.cpu || steady.memory < steadyNeed.memory) {
    findings.push({
      severity: 'error',
      message: `${service.desiredCount} tasks of ${fmt(grown)} (was ${fmt(current)}) need ${fmt(steadyNeed)}, but cluster ${cluster.name} has ${fmt(steady)} (free plus what the old tasks release)`,
      hint: 'Add container instances or use a larger instance type, lower the sidecar sizing in meshctl.yaml, or reduce desiredCount.',
    });
  }
  if (surge > 0 && slots < Math.min(surge, service.desiredCount)) {
    findings.push({
      severity: slots === 0 || all ? 'error' : 'warning',
      message: `${name} (${detail}) starts ${surge} new task(s) of ${fmt(grown)} beside the old ones, but the container instances have room for ${slots} (roomiest instance free: ${fmt(roomiest)})`,
      hint: all
        ? 'ECS starts every new task before it moves traffic: add container instances, or plan the service with --strategy blue-green or in-place.'
        : slots === 0
        ? 'Free capacity or add container instances, or lower minimumHealthyPercent so ECS stops old tasks before starting new ones.'
        : 'The rollout will be slower than configured; add capacity if that matters.',
    });
  }
  if (surge === 0 && !instances.some((i) => i.remaining.cpu + current.cpu >= grown.cpu && i.remaining.memory + current.memory >= grown.memory)) {
    findings.push({
      severity: 'error',
      message: `maximumPercent ${service.maximumPercent} allows no extra task, and no instance fits a grown task (${fmt(grown)}) even after stopping an old one (roomiest instance free: ${fmt(roomiest)})`,
      hint: 'Add container instances or use a larger instance type before migrating.',
    });
  }
  return findings;
}

/**
 * The busiest task's peaks against what the task's limits leave the app once
 * the sidecars are in: less than the headroom is a warning. Only task-level
 * limits cap a task (Fargate always has them); an EC2 task without them has
 * no task-wide ceiling to run into.
 */
function peakHeadroom(subject: ServiceSubject, after: Resources, sidecars: Resources, what: string, hint: string): RuleFinding[] {
  const { estate, service, taskDefinition } = subject;
  const peaks = peaksOf(estate, service, taskDefinition);
  if (!peaks) return [];
  const headroom = subject.headroom ?? DEFAULT_USAGE_HEADROOM;
  const left = { cpu: after.cpu - sidecars.cpu, memory: after.memory - sidecars.memory };
  const tight: string[] = [];
  if (taskDefinition.cpu && peaks.cpuUnits !== undefined && peaks.cpuUnits * (1 + headroom) > left.cpu) tight.push(`CPU peak ${peaks.cpuUnits} units against ${left.cpu} left for the app`);
  if (taskDefinition.memory && peaks.memoryMiB !== undefined && peaks.memoryMiB * (1 + headroom) > left.memory) tight.push(`memory peak ${peaks.memoryMiB} MiB against ${left.memory} MiB left for the app`);
  if (tight.length === 0) return [];
  return [{
    severity: 'warning',
    message: `the busiest task's peaks (${usageSpan(estate, service)}) leave less than ${Math.round(headroom * 100)}% headroom once the ${what} take ${fmt(sidecars)} of ${fmt(after)}: ${tight.join('; ')}`,
    hint,
  }];
}

/** AWS's upsizing guidance for the agent: Amazon ECS Developer Guide, "Service Connect components", proxy resources. */
const AGENT_LOAD_HINT = 'AWS: give the task more CPU for the agent above about 500 requests per second per task.';
const BUSY_AGENT_SOURCE = 'AWS recommends 512 CPU units for the agent of tasks receiving more than 500 requests per second at their peak load (Amazon ECS Developer Guide, "Service Connect components").';
const LARGE_NAMESPACE = { services: 100, tasks: 2000 };

/** Says that a busy task's agent is sized as AWS recommends, or why it cannot be. */
function busyAgentFindings(subject: ServiceSubject, size: ServiceConnectSize): RuleFinding[] {
  if (!size.busyAgent) return [];
  const requests = peaksOf(subject.estate, subject.service, subject.taskDefinition)!.requestsPerSecond!;
  const peak = `peak ${requests} requests per second per task (last ${subject.estate.usage!.window}) is above AWS's ${BUSY_AGENT.requestsPerSecond}`;
  if (!subject.taskDefinition.cpu) {
    return [{
      severity: 'warning',
      message: `${peak}, but the task sets no task-level CPU: the agent shares the instance's CPU with the app, and the plan sets none (on EC2, task CPU is a hard limit for the app too)`,
      hint: `Make sure the container instances have CPU to spare, or set cpu on the task definition (the containers' plus ${BUSY_AGENT.cpu} for the agent). ${BUSY_AGENT_SOURCE}`,
    }];
  }
  return [{
    severity: 'info',
    message: `${peak}: the plan sizes the Service Connect agent at ${size.agent.cpu} CPU units instead of ${subject.sizing.serviceConnectAgent.cpu}, and the task at ${fmt(size.after)}`,
    hint: BUSY_AGENT_SOURCE,
  }];
}

function serviceConnectFindings(subject: ServiceSubject): RuleFinding[] {
  const { estate, service, taskDefinition } = subject;
  const launch = launchKind(service, subject.cluster);
  const size = serviceConnectSizeOf(estate, subject.cluster, service, taskDefinition, subject);
  if (size.problem && taskDefinition.memory) {
    return [{
      severity: 'error', blocking: true, message: size.problem,
      hint: 'Lower the containers\' reservations or the agent sizing in meshctl.yaml, or run the service on EC2.',
    }];
  }
  // The task-memory rule reports tasks without task memory that cannot be sized.
  if (size.problem || service.serviceConnect?.enabled) return [];
  const findings: RuleFinding[] = [];
  const services = estate.clusters.reduce((sum, c) => sum + c.services.length, 0);
  const tasks = estate.clusters.reduce((sum, c) => sum + c.services.reduce((n, s) => n + s.desiredCount, 0), 0);
  if (services > LARGE_NAMESPACE.services || tasks > LARGE_NAMESPACE.tasks) {
    findings.push({
      severity: 'warning',
      message: `${services} services and ${tasks} tasks: a namespace above ${LARGE_NAMESPACE.services} services or ${LARGE_NAMESPACE.tasks} tasks needs more agent memory than the default`,
      hint: `AWS: add 128 MiB per task in namespaces with over ${LARGE_NAMESPACE.services} services or ${LARGE_NAMESPACE.tasks} tasks (sidecars.serviceConnectAgent.memory in meshctl.yaml).`,
    });
  }
  findings.push(...busyAgentFindings(subject, size));
  findings.push(...peakHeadroom(subject, { cpu: size.cpu ?? size.after.cpu, memory: size.memory ?? size.after.memory }, size.agent, 'Service Connect agent',
    'Raise cpu and memory on the task definition before moving: the plan adds only what the agent needs.'));
  const hint = peaksOf(estate, service, taskDefinition)?.requestsPerSecond !== undefined ? BUSY_AGENT_SOURCE : AGENT_LOAD_HINT;
  if (size.fitsInRoom) {
    findings.push({
      severity: 'info',
      message: `the Service Connect agent fits in what the task's limits leave over its containers; the plan keeps the task at ${fmt(size.before)}`,
      hint,
    });
    // An ECS-managed deployment still runs a second set of tasks of that size beside the first.
    if (launch === 'EC2' && deploymentSurge(subject).all) findings.push(...checkEc2(subject, size.before, size.before));
    return findings;
  }
  const grown = launch === 'FARGATE' ? checkFargate(subject, size.before, size.after, size.after) : checkEc2(subject, size.before, size.after);
  return [...findings, ...grown.map((f) => (f.severity === 'info' ? { ...f, hint } : f))];
}

function appMeshFindings(subject: ServiceSubject): RuleFinding[] {
  const { current, grown } = withAppMeshSidecars(subject.taskDefinition, subject.sizing);
  const fargate = launchKind(subject.service, subject.cluster) === 'FARGATE';
  const size = fargate ? smallestFargateSize(grown) : grown;
  const tight = size ? peakHeadroom(subject, size, sidecarAddition(subject.taskDefinition, subject.sizing), 'Envoy and X-Ray sidecars',
    'Raise cpu and memory on the task definition before joining the mesh, or lower the sidecar sizing in meshctl.yaml.') : [];
  if (grown.cpu === current.cpu && grown.memory === current.memory) return tight;
  return [...(fargate ? checkFargate(subject, current, grown, size) : checkEc2(subject, current, grown)), ...tight];
}

export const cpuMemoryHeadroom: ServiceRule = {
  id: 'cpu-memory-headroom',
  title: 'CPU and memory headroom for the sidecars',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check(subject) {
    return subject.target === 'service-connect' ? serviceConnectFindings(subject) : appMeshFindings(subject);
  },
};
