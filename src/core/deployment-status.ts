// Reads a service's deployments to tell whether a rollout to a task
// definition finished. waitUntilServicesStable is not enough: it ignores
// rolloutState, so a circuit-breaker rollback looks like success.
import type { Service } from './estate.js';

export type DeploymentOutcome =
  | { state: 'in-progress'; running: number; desired: number; rolloutState: string }
  | { state: 'completed' }
  | { state: 'failed'; reason: string };

export function deploymentOutcome(service: Service, expectedTaskDefinition: string): DeploymentOutcome {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return { state: 'in-progress', running: service.runningCount, desired: service.desiredCount, rolloutState: 'NO_PRIMARY' };
  if (primary.taskDefinition !== expectedTaskDefinition) {
    const ours = service.deployments.find((d) => d.taskDefinition === expectedTaskDefinition);
    const detail = ours?.rolloutStateReason ? `: ${ours.rolloutStateReason}` : '';
    return { state: 'failed', reason: `the service is back on ${primary.taskDefinition.split('/').pop()} (circuit-breaker rollback or another deployment)${detail}` };
  }
  if (primary.rolloutState === 'FAILED') return { state: 'failed', reason: primary.rolloutStateReason ?? 'rollout FAILED' };
  if (primary.rolloutState === 'COMPLETED') return { state: 'completed' };
  // Without a rollout state (older services), stable means one deployment at its desired count.
  if (!primary.rolloutState && service.deployments.length === 1 && primary.runningCount === primary.desiredCount) return { state: 'completed' };
  return { state: 'in-progress', running: primary.runningCount, desired: primary.desiredCount, rolloutState: primary.rolloutState ?? 'IN_PROGRESS' };
}
