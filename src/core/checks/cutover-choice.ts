// The cut-over a checked service gets (ecs-strategy.ts), and the tasks its
// deployment adds: an ECS-managed deployment starts a full second set of
// tasks at once (maximumPercent is effectively 200% while it runs: Amazon ECS
// Developer Guide, "Required resources for Amazon ECS blue/green
// deployments", best practices: plan cluster capacity for both revisions).
import { chooseStrategy, isEcsManaged, type StrategyChoice } from '../cutover/ecs-strategy.js';
import { meshStatus, surgeTasks } from '../service-facts.js';
import type { ServiceSubject } from './rule.js';

/** Only for services leaving App Mesh for Service Connect, when the run knows its cut-over settings. */
export function cutoverChoice(subject: ServiceSubject): StrategyChoice | undefined {
  if (subject.target !== 'service-connect' || !subject.cutover) return undefined;
  if (meshStatus(subject.service, subject.taskDefinition) !== 'appmesh') return undefined;
  return chooseStrategy(subject.service, subject.cutover);
}

/** The tasks a deployment runs beside the desired count, what deployment it is, and why that many; `all`: they must all run at once. */
export function deploymentSurge(subject: ServiceSubject): { tasks: number; name: string; detail: string; all: boolean } {
  const choice = cutoverChoice(subject);
  if (choice && 'strategy' in choice && isEcsManaged(choice.strategy)) {
    return { tasks: subject.service.desiredCount, name: `${choice.strategy} deployment`, detail: 'a full second set of tasks: effectively maximumPercent 200', all: true };
  }
  return { tasks: surgeTasks(subject.service), name: 'rolling deployment', detail: `maximumPercent ${subject.service.maximumPercent}`, all: false };
}
