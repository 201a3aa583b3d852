// Splits a plan into what runs once for everyone (mesh and Cloud Map
// resources, harmless before any service moves) and waves of services whose
// task definitions are registered and deployed together.
import type { Plan, PlanStep } from './model.js';

const PER_SERVICE = new Set(['RegisterTaskDefinition', 'UpdateService', 'CreateService']);

export interface Wave {
  services: string[];
  steps: PlanStep[];
}

/** Deletions (App Mesh resources of services that left the mesh) wait until every wave succeeded. */
const isDeletion = (step: PlanStep) => step.operation.startsWith('Delete');

/** Steps that move one service: its task definition, its update (or green twin), the load-balancer weights for it. */
const perService = (s: PlanStep) => (s.service === 'ecs' && PER_SERVICE.has(s.operation)) || (s.service === 'elbv2' && s.operation.startsWith('Modify'));

export function scheduleWaves(plan: Plan, waveSize?: number): { shared: PlanStep[]; waves: Wave[]; after: PlanStep[] } {
  const shared = plan.steps.filter((s) => !perService(s) && !isDeletion(s));
  const after = plan.steps.filter(isDeletion);
  const labels = plan.services
    .map((s) => `${s.cluster}/${s.service}`)
    .filter((label) => plan.steps.some((s) => s.ecsService === label && perService(s)));
  const size = waveSize && waveSize > 0 ? waveSize : Math.max(labels.length, 1);
  const waves: Wave[] = [];
  for (let i = 0; i < labels.length; i += size) {
    const services = labels.slice(i, i + size);
    waves.push({ services, steps: plan.steps.filter((s) => perService(s) && services.includes(s.ecsService ?? '')) });
  }
  return { shared, waves, after };
}
