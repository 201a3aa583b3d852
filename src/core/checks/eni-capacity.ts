import { instanceEniCapacity } from '../eni.js';
import { launchKind, networkMode } from '../service-facts.js';
import { deploymentSurge } from './cutover-choice.js';
import type { ServiceRule } from './rule.js';

export const eniCapacity: ServiceRule = {
  id: 'eni-capacity',
  title: 'ENIs for awsvpc tasks on EC2',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check(subject) {
    const { estate, cluster, service, taskDefinition, target } = subject;
    if (launchKind(service, cluster) !== 'EC2') return [];
    // Service Connect also runs in bridge mode: a bridge service keeps its networking and needs no ENIs.
    if (target === 'service-connect' && networkMode(taskDefinition) !== 'awsvpc') return [];
    const instances = cluster.containerInstances.filter((i) => i.status === 'ACTIVE');
    if (instances.length === 0) return [];
    const awsvpc = networkMode(taskDefinition) === 'awsvpc';
    const capacities = instances.map((instance) => instanceEniCapacity(
      estate, instance, cluster.tasks.filter((t) => t.usesEni && t.containerInstanceArn === instance.arn).length));
    const unknown = capacities.filter((c) => c.taskEnis === undefined);
    if (unknown.length > 0) {
      return [{
        severity: 'warning',
        message: `cannot tell the ENI limit of ${unknown.length} container instance(s) (instance type ${unknown[0]!.instance.instanceType ?? 'unknown'}${unknown[0]!.instance.trunked ? ', trunked, not in AWS\'s ENI trunking table' : ''})`,
        hint: unknown[0]!.instance.trunked
          ? 'Look the type up in the ECS developer guide\'s ENI trunking table and check the capacity by hand.'
          : 'Check that DescribeInstanceTypes is allowed and the instances report ecs.instance-type.',
      }];
    }
    const capacity = capacities.reduce((sum, c) => sum + c.taskEnis!, 0);
    // Every awsvpc service on EC2 needs ENIs for its desired count, placed or not; tasks of no service known here (standalone, or services not read) count as they run.
    const awsvpcServices = cluster.services.filter((s) => launchKind(s, cluster) === 'EC2' && networkMode(estate.taskDefinitions[s.taskDefinitionArn]) === 'awsvpc');
    const serviceNeed = awsvpcServices.reduce((sum, s) => sum + s.desiredCount, 0);
    const known = new Set(awsvpcServices.map((s) => `service:${s.name}`));
    const knownDefinitions = new Set(awsvpcServices.map((s) => s.taskDefinitionArn));
    const others = cluster.tasks.filter((t) => t.usesEni && !(t.group ? known.has(t.group) : knownDefinitions.has(t.taskDefinitionArn))).length;
    const inUse = serviceNeed + others;
    const { tasks: surge, name, detail } = deploymentSurge(subject);
    // A service moving to awsvpc needs an ENI for every task, old ones keep theirs until replaced.
    const added = awsvpc ? surge : service.desiredCount + surge;
    const peak = inUse + added;
    const byType = new Map<string, { count: number; max: number; task: number; trunked: boolean }>();
    for (const c of capacities) {
      const key = `${c.instance.instanceType}${c.instance.trunked ? ' (trunked)' : ''}`;
      const entry = byType.get(key) ?? { count: 0, max: c.maxNetworkInterfaces!, task: c.taskEnis!, trunked: c.instance.trunked };
      entry.count += 1;
      byType.set(key, entry);
    }
    const offer = [...byType.entries()]
      .map(([type, e]) => e.trunked
        ? `${e.count} × ${type}: ${e.task} task ENIs each`
        : `${e.count} × ${type}: ${e.max} ENIs − 1 primary = ${e.task} each`)
      .join('; ');
    const trunking = estate.awsvpcTrunking
      ? (capacities.some((c) => c.instance.trunked) ? 'awsvpcTrunking on' : 'awsvpcTrunking on, but no instance has a trunk ENI')
      : 'awsvpcTrunking off';
    const base = `${serviceNeed} for the desired count of ${awsvpcServices.length} awsvpc service(s)${others > 0 ? ` + ${others} other task(s)` : ''}`;
    const need = awsvpc
      ? `${base} + ${surge} surge (${detail})`
      : `${base} + ${service.desiredCount} tasks moving to awsvpc + ${surge} surge`;
    if (peak <= capacity) {
      return [{
        severity: 'info',
        message: `${name} peaks at ${peak} of ${capacity} task ENIs (${need}; ${offer}; ${trunking})`,
        hint: 'Nothing to fix.',
      }];
    }
    return [{
      severity: 'error',
      message: `${name} needs ${peak} task ENIs (${need}) but the ${instances.length} container instance(s) offer ${capacity} (${offer}; ${trunking})`,
      hint: 'Enable ENI trunking (aws ecs put-account-setting-default --name awsvpcTrunking --value enabled) and move to an instance type that supports it (c5, m5, r5 and later; not t3), run the service on Fargate, add container instances, or lower maximumPercent.',
    }];
  },
};
