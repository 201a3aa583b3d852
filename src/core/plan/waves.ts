// Splits a plan into what runs once for everyone (mesh and Cloud Map
// resources, harmless before any service moves) and waves of services whose
// task definitions are registered and deployed together.
import type { Plan, PlanStep } from './model.js';

const PER_SERVICE = new Set(['RegisterTaskDefinition', 'UpdateService']);

export interface Wave {
  services: string[];
  steps: PlanStep[];
}

export function scheduleWaves(plan: Plan, waveSize?: number): { shared: PlanStep[]; waves: Wave[] } {
  const shared = plan.steps.filter((s) => !PER_SERVICE.has(s.operation));
  const labels = plan.services
    .map((s) => `${s.cluster}/${s.service}`)
    .filter((label) => plan.steps.some((s) => s.ecsService === label && PER_SERVICE.has(s.operation)));
  const size = waveSize && waveSize > 0 ? waveSize : Math.max(labels.length, 1);
  const waves: Wave[] = [];
  for (let i = 0; i < labels.length; i += size) {
    const services = labels.slice(i, i + size);
    waves.push({ services, steps: plan.steps.filter((s) => PER_SERVICE.has(s.operation) && services.includes(s.ecsService ?? '')) });
  }
  return { shared, waves };
}
