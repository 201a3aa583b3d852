// The rollback of an ECS-managed move (ecs-canary, ecs-linear,
// ecs-blue-green), as plan steps. In mid-deployment ECS rolls it back itself
// (StopServiceDeployment, stopType ROLLBACK: Amazon ECS API Reference), and
// apply waits for that; after it, the service goes back to its previous
// revision the way it came, by an ECS blue/green deployment, all at once and
// not held by the alarms that may be why it is rolled back. Then the
// service gets the deployment configuration and load balancers it had (its
// strategy too: the journal recorded them), which rolls its tasks once, the
// production rule forwards to its group alone again, and the alternate group goes.
import type { JournalService } from '../../apply/journal.js';
import type { Service } from '../estate.js';
import type { PlanStep } from './model.js';

export interface ManagedRollback {
  label: string;
  live: Service;
  entry: JournalService;
  /** The service deployment still running (PENDING or IN_PROGRESS), to stop with rollback. */
  inProgress?: string;
}

const short = (arn: string) => arn.split('/').pop()!;
const STRATEGY_ONLY = ['canaryConfiguration', 'linearConfiguration'];

/** Back to the previous revision through ECS's own deployment: blue/green, no bake, alarms off. */
function backAtOnce(live: Service): Record<string, unknown> {
  const current = Object.fromEntries(Object.entries(live.settings?.deploymentConfiguration ?? {}).filter(([k]) => !STRATEGY_ONLY.includes(k)));
  const alarms = current.alarms as Record<string, unknown> | undefined;
  return { ...current, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, ...(alarms && { alarms: { ...alarms, enable: false, rollback: false } }) };
}

/** The steps up to the service's own configuration restored; the rule, group and revision steps depend on the last. */
export function managedRollbackSteps(m: ManagedRollback, configChanged: boolean): { steps: PlanStep[]; last?: string } {
  const { live, entry, label } = m;
  const steps: PlanStep[] = [];
  const previous = entry.previousTaskDefinition;
  if (m.inProgress) {
    steps.push({
      id: `stop-deployment:${label}`, service: 'ecs', operation: 'StopServiceDeployment', action: 'update', dependsOn: [], ecsService: label, awaits: 'service-deployment',
      input: { serviceDeploymentArn: m.inProgress, stopType: 'ROLLBACK' },
      resource: `service ${label}: ECS rolls its deployment back to ${short(previous)} (stopped mid-deployment)`,
    });
  } else if (live.taskDefinitionArn !== previous) {
    steps.push({
      id: `rollback:${label}`, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: [], ecsService: label, awaits: 'service-deployment',
      input: {
        cluster: live.clusterName, service: live.name, taskDefinition: previous,
        serviceConnectConfiguration: entry.previousServiceConnect ?? { enabled: false }, deploymentConfiguration: backAtOnce(live),
      },
      before: { taskDefinition: live.taskDefinitionArn, serviceConnectConfiguration: live.serviceConnect ?? { enabled: false }, deploymentConfiguration: live.settings?.deploymentConfiguration ?? {} },
      resource: `service ${label}: ${short(live.taskDefinitionArn)} → ${short(previous)} by an ECS blue/green deployment, all at once`,
    });
  }
  if (!configChanged) return { steps, ...(steps[0] && { last: steps[0].id }) };
  const previousConfiguration = entry.previousDeploymentConfiguration ?? {};
  steps.push({
    id: `rollback-deployment-configuration:${label}`, service: 'ecs', operation: 'UpdateService', action: 'update', dependsOn: steps.map((s) => s.id), ecsService: label, awaits: 'rollout',
    input: {
      cluster: live.clusterName, service: live.name,
      deploymentConfiguration: { ...previousConfiguration, strategy: previousConfiguration.strategy ?? 'ROLLING' }, loadBalancers: entry.previousLoadBalancers ?? [],
    },
    before: { deploymentConfiguration: live.settings?.deploymentConfiguration ?? {}, loadBalancers: live.loadBalancers },
    resource: `service ${label}: its deployment strategy and load balancers as before apply (rolls its tasks once)`,
  });
  return { steps, last: steps[steps.length - 1]!.id };
}
