// Splits a plan into what runs once for everyone (mesh and Cloud Map
// resources, harmless before any service moves) and waves of services whose
// task definitions are registered and deployed together, servers first.
import type { Plan, PlanStep } from './model.js';

export interface Wave {
  services: string[];
  steps: PlanStep[];
  /** Steps that wait for their service's deployment: deregistering the revision a rollback left. */
  afterRollout: PlanStep[];
}

/**
 * Steps that move one service: its task definition, its update (or green
 * twin and its scaling), the load-balancer weights for it, and for a
 * rollback the removal of its green twin, that twin's scaling and target group.
 */
function perService(s: PlanStep): boolean {
  if (s.service === 'ecs') return ['RegisterTaskDefinition', 'UpdateService', 'CreateService'].includes(s.operation) || (s.operation === 'DeleteService' && !!s.ecsService);
  if (s.service === 'elbv2') return s.operation.startsWith('Modify') || (s.operation === 'DeleteTargetGroup' && !!s.ecsService);
  // A green twin's scaling and its alarms are made (and, in a rollback, removed) with the twin.
  if (s.service === 'application-autoscaling' || s.service === 'cloudwatch') return !!s.ecsService;
  return false;
}

/** A revision is deregistered once its service's deployment completed, so a failed one can still go back to it. */
const afterRollout = (s: PlanStep) => s.service === 'ecs' && s.operation === 'DeregisterTaskDefinition';

/**
 * Deletions of mesh and Cloud Map resources wait until every wave succeeded.
 * A used Route 53 association authorization is not a resource services
 * need: it goes with the shared steps, right after its association.
 */
const isDeletion = (s: PlanStep) => s.operation.startsWith('Delete') && !perService(s) && s.operation !== 'DeleteVPCAssociationAuthorization';

/**
 * Services move in waves of at most `waveSize`; a service whose move depends
 * on another service's move (servers before clients) goes in a later wave
 * than it, so apply can wait for the server's deployment to complete first.
 */
export function scheduleWaves(plan: Plan, waveSize?: number): { shared: PlanStep[]; waves: Wave[]; after: PlanStep[] } {
  const shared = plan.steps.filter((s) => !perService(s) && !isDeletion(s) && !afterRollout(s));
  const after = plan.steps.filter(isDeletion);
  const labels = plan.services
    .map((s) => `${s.cluster}/${s.service}`)
    .filter((label) => plan.steps.some((s) => s.ecsService === label && (perService(s) || afterRollout(s))));
  const ownerOf = new Map(plan.steps.filter(perService).map((s) => [s.id, s.ecsService ?? '']));
  const level = new Map<string, number>();
  // Steps come dependencies-first, so one pass in step order settles every level.
  for (const step of plan.steps.filter(perService)) {
    const label = step.ecsService ?? '';
    const servers = step.dependsOn.map((d) => ownerOf.get(d)).filter((o): o is string => !!o && o !== label);
    level.set(label, Math.max(level.get(label) ?? 0, ...servers.map((server) => (level.get(server) ?? 0) + 1)));
  }
  const size = waveSize && waveSize > 0 ? waveSize : Math.max(labels.length, 1);
  const waves: Wave[] = [];
  for (const l of [...new Set(labels.map((label) => level.get(label) ?? 0))].sort((a, b) => a - b)) {
    const atLevel = labels.filter((label) => (level.get(label) ?? 0) === l);
    for (let i = 0; i < atLevel.length; i += size) {
      const services = atLevel.slice(i, i + size);
      const own = (s: PlanStep) => services.includes(s.ecsService ?? '');
      waves.push({ services, steps: plan.steps.filter((s) => perService(s) && own(s)), afterRollout: plan.steps.filter((s) => afterRollout(s) && own(s)) });
    }
  }
  return { shared, waves, after };
}
