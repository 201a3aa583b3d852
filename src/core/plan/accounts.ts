// Every plan step runs in one account: the ECS service's for the service's
// steps (its Cloud Map service too: a virtual node references only Cloud Map
// services of its own account, App Mesh User Guide, "Working with shared
// meshes"), the cluster's for cluster settings, the mesh owner's for the
// mesh, the run's own for what it creates without an owner. Steps the planners
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
  if (step.ecsService) return clusterAccount(step.ecsService.split('/')[0]) ?? home;
  if (step.service === 'ecs' && step.input.cluster !== undefined) return clusterAccount(step.input.cluster) ?? home;
  if (step.service === 'appmesh' && typeof step.input.meshName === 'string') {
    const mesh = estate.appMesh.meshes.find((m) => m.name === step.input.meshName);
    if (mesh) return accountOfArn(mesh.arn);
  }
  return home;
}

/**
 * App Mesh resources another account makes, updates or deletes in a shared
 * mesh name its owner (meshOwner), or App Mesh looks for the mesh in the
 * caller's own account and answers NotFound (App Mesh User Guide, "Working
 * with shared meshes"). The owner is the existing mesh's account, or the
 * account of the plan's own CreateMesh step.
 */
function withMeshOwner(step: PlanStep, account: string, owners: Map<string, string>): PlanStep {
  if (step.service !== 'appmesh' || typeof step.input.meshName !== 'string' || step.operation === 'CreateMesh') return step;
  const owner = owners.get(step.input.meshName);
  return owner && owner !== account ? { ...step, input: { ...step.input, meshOwner: owner } } : step;
}

/** Each mesh's owner: the account the estate read it from, or where the plan creates it. */
function meshOwners(plan: Plan, estate: Estate, home: string): Map<string, string> {
  const owners = new Map(plan.steps.filter((s) => s.operation === 'CreateMesh').map((s) => [String(s.input.meshName), accountOf(s, estate, home)]));
  for (const mesh of estate.appMesh.meshes) owners.set(mesh.name, accountOfArn(mesh.arn));
  return owners;
}

/** The plan with each step's account, and the accounts by id, sealed again. `names`: account id → name in meshctl.yaml. */
export function placeInAccounts(plan: Plan, estate: Estate, home: string, names: Record<string, string> = {}): Plan {
  const owners = meshOwners(plan, estate, home);
  const steps = plan.steps.map((step) => {
    const account = accountOf(step, estate, home);
    return withMeshOwner({ ...step, account }, account, owners);
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
