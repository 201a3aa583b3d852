// Plans a migration: reads the estate and the mesh resources it touches (the
// only I/O), then hands plain data to the pure planners in src/core. plan and
// apply (without a plan file) both come here.
import { accountOfArn, callerFor, type AccountSession } from '../aws/accounts.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import { readAccountsEstate, readPerAccount } from '../aws/read-accounts.js';
import { readScaling } from '../aws/read-scaling.js';
import { readMeshSpecs, readRoutes } from '../aws/read-mesh-specs.js';
import { UsageError } from '../cli/errors.js';
import { planAppMesh } from '../core/appmesh/plan.js';
import { resolveServices, type ResolvedService } from '../core/appmesh/resolve.js';
import { meshResourceNames, type MeshSpecs } from '../core/appmesh/specs.js';
import type { MeshctlConfig } from '../config/config.js';
import type { Estate } from '../core/estate.js';
import type { Plan } from '../core/plan/model.js';
import { placeInAccounts } from '../core/plan/accounts.js';
import { planAppMeshAcrossAccounts, plannedVpcs } from '../core/plan/cross-account.js';
import { readHostedZones } from '../aws/read-zones.js';
import { readServersOutsideSelection } from './outside-servers.js';
import { planServiceConnect, type MigrationStrategy } from '../core/serviceconnect/plan.js';
import { appMeshNode } from '../core/service-facts.js';
import { scalingResourceId } from '../core/scaling.js';
import { DEFAULT_TARGET, type Target } from '../core/sidecars.js';
import { readCutoverContext } from './cutover-context.js';
import { cutoverSettings, type CutoverFlags } from './cutover-settings.js';
import { ownerRules } from '../config/config.js';
import { holdOwnedServices, ownersOfPlan } from '../core/plan/hold.js';

/** What to plan: the selection flags plan and apply share. */
export interface MigrationSelection extends Omit<CutoverFlags, 'strategy'> {
  cluster?: string[];
  service?: string[];
  target?: Target;
  strategy?: MigrationStrategy;
  removeMeshResources?: boolean;
  /** Move services infrastructure code owns too (their owner's next deploy reverts the move unless it carries the change). */
  allowIacOwned?: boolean;
}

export interface ComputedPlan {
  plan: Plan;
  estate: Estate;
}

/** Reads the estate and the mesh resources it touches, and plans the migration; services infrastructure code owns are held unless allowed. */
export async function computePlan(session: { accounts: AccountSession[]; region: string }, settings: MeshctlConfig, options: MigrationSelection): Promise<ComputedPlan> {
  const { plan, estate } = await planMigration(session, settings, options);
  return { plan: holdOwnedServices(plan, ownersOfPlan(plan, estate, ownerRules(settings)), options.allowIacOwned ?? false), estate };
}

async function planMigration(session: { accounts: AccountSession[]; region: string }, settings: MeshctlConfig, options: MigrationSelection): Promise<ComputedPlan> {
  const { accounts, region } = session;
  const target = options.target ?? settings.target ?? DEFAULT_TARGET;
  if (target === 'appmesh' && (options.strategy || options.removeMeshResources || options.infrastructureRole || options.deploymentAlarm)) {
    throw new UsageError('--strategy, --remove-mesh-resources and the ECS deployment flags are for --target service-connect (moving services off App Mesh)');
  }
  const estate = await readAccountsEstate(accounts, region, {
    clusters: options.cluster, services: options.service, cloudMap: true, ...(settings.usage.read && { usage: { window: settings.usage.window } }),
  });
  const resolved = resolveServices(estate, settings);
  // Mesh resources are read where the mesh lives: its owner sees every resource in it.
  const meshAccount = (name: string) => {
    const mesh = estate.appMesh.meshes.find((m) => m.name === name);
    return callerFor(accounts, mesh && accounts.some((a) => a.id === accountOfArn(mesh.arn)) ? accountOfArn(mesh.arn) : undefined);
  };
  const createdAt = new Date().toISOString();
  if (target === 'appmesh') {
    if (estate.appMesh.unreadable) throw new UsageError(`cannot read App Mesh (${estate.appMesh.unreadable}); --target appmesh needs it. Plan with --target service-connect to move off App Mesh from ECS and Cloud Map data alone`);
    const specs = await readMeshSpecs(meshAccount(settings.mesh.name), estate, meshResourceNames(settings.mesh.name, resolved));
    const plan = inAccounts(planAppMesh({ estate, config: settings, specs, createdAt, account: homeAccount(accounts) }), estate, accounts);
    if (!estate.accounts && plannedVpcs(plan, estate).length < 2) return { plan, estate };
    // Over several accounts or VPCs: the mesh and namespace shared, the namespace's hosted zone resolvable in every VPC.
    const used = Object.keys(plan.observed.cloudMap).filter((k) => k.startsWith('namespace/')).map((k) => k.slice('namespace/'.length));
    // One account reads only its own namespaces' zones (one shared from elsewhere is its owner's to associate).
    const zones = await readHostedZones(accounts, estate.cloudMap.namespaces.filter((n) => used.includes(n.name) && (estate.accounts || accountOfArn(n.arn) === plan.account)));
    return { plan: planAppMeshAcrossAccounts(plan, estate, zones), estate };
  }
  const leaving = await leavingMeshSpecs(meshAccount, estate, resolved);
  const specs = leaving.specs;
  if (leaving.unreadable) estate.appMesh = { ...estate.appMesh, unreadable: leaving.unreadable };
  await readServersOutsideSelection(accounts, estate, options, declaredBackends(resolved, specs));
  const cutover = cutoverSettings(settings, options);
  // Services leaving App Mesh other than in place: a green twin (its target groups, weighted rules) or ECS's deployment (its rule, its role).
  const blues = cutover.requested === 'in-place' ? [] : resolved.filter((r) => appMeshNode(r.taskDefinition));
  const targetGroups = blues.flatMap((r) => r.service.loadBalancers.map((lb) => lb.targetGroupArn).filter((a): a is string => !!a));
  // Green twins copy the blue services' Application Auto Scaling; ECS-managed moves say what scales on the production group.
  const clusterAccount = new Map(estate.clusters.map((c) => [c.name, accountOfArn(c.arn)]));
  const [context, scaling] = await Promise.all([
    readCutoverContext(accounts, estate, blues.length > 0 ? cutover : { ...cutover, infrastructureRoleArn: undefined }, targetGroups),
    readPerAccount(accounts, blues, (r) => clusterAccount.get(r.cluster.name), (aws, group) => readScaling(aws, group.map((r) => scalingResourceId(r.cluster.name, r.service.name))),
      (parts) => Object.assign({}, ...parts)),
  ]);
  const plan = planServiceConnect({
    estate, config: settings, specs, createdAt, ...(cutover.requested && { strategy: cutover.requested }), cutover, ...(context.role && { role: context.role }),
    removeMeshResources: options.removeMeshResources ?? false, edge: context.edge, scaling,
  });
  return { plan: inAccounts(plan, estate, accounts), estate };
}

/** The caller's own account id, when the run read it (a one-account run learns it from the estate's ARNs). */
function homeAccount(accounts: AccountSession[]): string | undefined {
  return accounts.find((a) => a.home)?.id ?? (accounts.length === 1 ? accounts[0]!.id : undefined);
}

/** The App Mesh backends each service on App Mesh declares, by cluster/service: names it calls. */
function declaredBackends(resolved: ResolvedService[], specs: MeshSpecs): Map<string, string[]> {
  return new Map(resolved.flatMap((r) => {
    const node = appMeshNode(r.taskDefinition);
    const backends = (node && (specs.virtualNodes[node.node]?.spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] } | undefined)?.backends) ?? [];
    const names = backends.map((b) => b.virtualService?.virtualServiceName).filter((n): n is string => !!n);
    return names.length > 0 ? [[`${r.cluster.name}/${r.service.name}`, names] as const] : [];
  }));
}

/** Every step in its account; the caller's own is the plan's. */
export function inAccounts(plan: Plan, estate: Estate, accounts: AccountSession[]): Plan {
  return placeInAccounts(plan, estate, homeAccount(accounts) ?? plan.account, estate.accounts);
}

/**
 * Specs of what services leaving App Mesh use: their virtual nodes, every
 * virtual service of their mesh (aliases, groups) and the routes of routers
 * serving them. App Mesh refusing or not answering (it reached end of
 * support) leaves them empty and says why: the plan goes on from ECS and
 * Cloud Map.
 */
async function leavingMeshSpecs(meshAccount: (mesh: string) => AwsCaller, estate: Estate, resolved: ResolvedService[]): Promise<{ specs: MeshSpecs; unreadable?: string }> {
  const nodes = resolved.map((r) => appMeshNode(r.taskDefinition)).filter((n): n is { mesh: string; node: string } => n !== undefined);
  const meshName = nodes[0]?.mesh ?? '';
  const aws = meshAccount(meshName);
  const mesh = estate.appMesh.meshes.find((m) => m.name === meshName);
  try {
    const specs = await readMeshSpecs(aws, estate, {
      mesh: meshName, virtualNodes: nodes.filter((n) => n.mesh === meshName).map((n) => n.node),
      virtualServices: mesh?.virtualServices.map((s) => s.name) ?? [], virtualRouters: [], routes: [],
    });
    const routers = [...new Set(Object.values(specs.virtualServices)
      .map((vs) => (vs.spec.provider as { virtualRouter?: { virtualRouterName?: string } } | undefined)?.virtualRouter?.virtualRouterName)
      .filter((r): r is string => !!r))];
    if (routers.length > 0) await readRoutes(aws, meshName, routers, specs);
    return { specs };
  } catch (error) {
    if (!(error instanceof AwsCallError) || error.service !== 'appmesh') throw error;
    return { specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, unreadable: `${error.operation}: ${error.code}: ${error.message.split('\n')[0]!.slice(0, 200)}` };
  }
}

