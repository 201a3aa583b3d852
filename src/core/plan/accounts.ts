// Every plan step runs in one account: the ECS service's for the service's
// steps, the cluster's for cluster settings, the mesh owner's for the mesh,
// the run's own for what it creates without an owner. Steps the planners
// already placed (sharing, hosted-zone association) keep their account.
import { accountOfArn } from '../arn.js';
import type { Estate } from '../estate.js';
import { sealPlan } from './fingerprint.js';
import type { Plan, PlanStep } from './model.js';


function accountOf(step: PlanStep, estate: Estate, home: string): string {
  if (step.account) return step.account;
  const clusterAccount = (name: unknown) => {
    const cluster = estate.clusters.find((c) => c.name === name || c.arn === name);
    return cluster && accountOfArn(cluster.arn);
  };
  // A Cloud Map service is made in its namespace's account (ECS registers into it once the namespace is shared).
  if (step.service === 'servicediscovery' && typeof step.input.NamespaceId === 'string') {
    const namespace = estate.cloudMap.namespaces.find((n) => n.id === step.input.NamespaceId || n.arn === step.input.NamespaceId);
    if (namespace) return accountOfArn(namespace.arn);
  }
  if (step.ecsService) return clusterAccount(step.ecsService.split('/')[0]) ?? home;
  if (step.service === 'ecs' && step.input.cluster !== undefined) return clusterAccount(step.input.cluster) ?? home;
  if (step.service === 'appmesh' && typeof step.input.meshName === 'string') {
    const mesh = estate.appMesh.meshes.find((m) => m.name === step.input.meshName);
    if (mesh) return accountOfArn(mesh.arn);
  }
  return home;
}

/**
 * App Mesh resources another account makes in a shared mesh name its owner
 * (meshOwner), or App Mesh looks for the mesh in the caller's own account.
 */
function withMeshOwner(step: PlanStep, account: string, estate: Estate): PlanStep {
  if (step.service !== 'appmesh' || typeof step.input.meshName !== 'string' || step.operation === 'CreateMesh') return step;
  const mesh = estate.appMesh.meshes.find((m) => m.name === step.input.meshName);
  const owner = mesh && accountOfArn(mesh.arn);
  return owner && owner !== account ? { ...step, input: { ...step.input, meshOwner: owner } } : step;
}

/** The plan with each step's account, and the accounts by id, sealed again. `names`: account id → name in meshctl.yaml. */
export function placeInAccounts(plan: Plan, estate: Estate, home: string, names: Record<string, string> = {}): Plan {
  const steps = plan.steps.map((step) => {
    const account = accountOf(step, estate, home);
    return withMeshOwner({ ...step, account }, account, estate);
  });
  const used = [...new Set(steps.map((s) => s.account!))].sort();
  const { fingerprint: _old, ...rest } = plan;
  return sealPlan({
    ...rest,
    account: home,
    steps,
    services: plan.services.map((service) => ({ ...service, account: accountOf({ ecsService: `${service.cluster}/${service.service}` } as PlanStep, estate, home) })),
    ...(Object.keys(names).length > 0 && { accounts: Object.fromEntries(used.map((id) => [id, names[id] ?? id])) }),
  });
}
