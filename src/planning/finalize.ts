// Plans the end of a cut-over: checks green carries all traffic, has for the
// bake time, is healthy and deployed, and no named alarm fires; reads the
// blue services, their scaling and the App Mesh resources only they use;
// decides what becomes of blue's Cloud Map registries; hands plain data to the
// pure planner.
import type { Journal } from '../apply/journal.js';
import { accountOfArn, type AccountSession } from '../aws/accounts.js';
import type { AwsCaller } from '../aws/caller.js';
import { requireKnownAlarms } from './known-alarms.js';
import { pairsAccount } from './pairs-account.js';
import { placeInAccounts } from '../core/plan/accounts.js';
import { cutoverProblems } from '../aws/read-cutover-health.js';
import { readEdgeActions } from '../aws/read-edge.js';
import { readEstate } from '../aws/read-estate.js';
import { readMeshSpecs } from '../aws/read-mesh-specs.js';
import { readScaling } from '../aws/read-scaling.js';
import { UsageError } from '../cli/errors.js';
import { deploymentOutcome } from '../core/deployment-status.js';
import type { Estate, Service } from '../core/estate.js';
import { planFinalize, type FinalizedPair, type FinalizeInput } from '../core/cutover/finalize.js';
import { appMeshCallers, finalizeRefusal, providedBy } from '../core/cutover/finalize-readiness.js';
import { greenDimensions } from '../core/cutover/health.js';
import { blueGreenPairs, type BlueGreenPair } from '../core/cutover/pairs.js';
import { dnsCallers, registryHandover, registryNames } from '../core/cutover/registries.js';
import type { Plan } from '../core/plan/model.js';
import { scalingResourceId } from '../core/scaling.js';
import { appMeshNode } from '../core/service-facts.js';
import type { Target } from '../core/sidecars.js';
import { localTime } from '../util/local-time.js';

export interface FinalizeSelection {
  journal: { path: string; data: Journal };
  service?: string[];
  bakeMs: number;
  alarms: string[];
  /** 5xx from green's targets and load balancers over the bake that stop the finalize. */
  max5xx: number;
}

/** Green carries 100% on every rule, has for the bake time, and is healthy now. */
async function requireGreenServing(aws: AwsCaller, pairs: BlueGreenPair[], selection: FinalizeSelection): Promise<Record<string, unknown>> {
  const { journal } = selection;
  const edgeActions = await readEdgeActions(aws, pairs.flatMap((p) => p.edges.map((e) => e.arn)));
  const refusal = finalizeRefusal({ pairs, edgeActions, shift: journal.data.shift, journalPath: journal.path, bakeMs: selection.bakeMs, now: Date.now() });
  if (refusal) throw new UsageError(refusal);
  // Green must be serving now: targets healthy, no alarm, no more 5xx over the bake than allowed (a minute at least).
  const since = new Date(Date.now() - Math.max(selection.bakeMs, 60_000));
  const problems = await cutoverProblems(aws, pairs, {
    alarms: selection.alarms, max5xx: selection.max5xx, since, window: `since ${localTime(since)}`, dimensions: greenDimensions(pairs),
  });
  if (problems.length > 0) throw new UsageError(`not finalizing: ${problems.join('; ')}`);
  return edgeActions;
}

/** The App Mesh resources only blue used, or a refusal when a service still on App Mesh calls them. */
async function meshLeftovers(aws: AwsCaller, estate: Estate, pairs: BlueGreenPair[], pair: BlueGreenPair, blue: Service, notes: string[]): Promise<FinalizedPair['mesh']> {
  const all = estate.clusters.flatMap((c) => c.services);
  const nodeOf = (s: Service) => appMeshNode(estate.taskDefinitions[s.taskDefinitionArn]);
  const node = nodeOf(blue);
  if (!node) return undefined;
  const shared = all.some((s) => s !== blue && !pairs.some((p) => p.cluster === s.clusterName && p.blue === s.name) && nodeOf(s)?.node === node.node && nodeOf(s)?.mesh === node.mesh);
  if (shared) {
    notes.push(`${pair.label}: keeps App Mesh virtual node ${node.mesh}/${node.node}: another service still runs on it`);
    return undefined;
  }
  if (estate.appMesh.unreadable) {
    notes.push(`${pair.label}: App Mesh could not be read (${estate.appMesh.unreadable}); its virtual node ${node.mesh}/${node.node} stays`);
    return undefined;
  }
  // Services still on App Mesh in this mesh: if one calls the blue service's names, removing blue would break it.
  const clients = all.filter((s) => s !== blue && nodeOf(s)?.mesh === node.mesh);
  const clientNodes = clients.map((s) => nodeOf(s)!.node);
  const listed = estate.appMesh.meshes.find((m) => m.name === node.mesh);
  const specs = await readMeshSpecs(aws, estate, { mesh: node.mesh, virtualNodes: [node.node, ...clientNodes], virtualServices: listed?.virtualServices.map((v) => v.name) ?? [], virtualRouters: [], routes: [] });
  const provided = providedBy(specs, node.node);
  const [caller] = appMeshCallers(specs, provided, clients.map((s, i) => ({ label: `${s.clusterName}/${s.name}`, node: clientNodes[i]! })));
  if (caller) {
    const name = caller.label.split('/').pop();
    throw new UsageError(`not finalizing ${pair.label}: ${caller.label} still calls ${caller.called.join(', ')} through App Mesh, and would lose it with the blue service; move ${name} to Service Connect first (meshctl plan --service ${name}), or finalize the other services with --service`);
  }
  return specs.virtualNodes[node.node] ? { mesh: node.mesh, node: node.node, virtualServices: provided } : undefined;
}

/**
 * Green joins blue's Cloud Map registries before blue goes, or, when it
 * cannot, finalize refuses and names the services that resolve blue's name
 * (their environment names it; App Mesh clients were refused above). With no
 * caller found, blue goes and the plan says the name empties.
 */
async function registriesOf(aws: AwsCaller, region: string, estate: Estate, pair: BlueGreenPair, blue: Service, green: Service, notes: string[]): Promise<FinalizedPair['joinRegistries']> {
  const handover = registryHandover(blue, green, estate.taskDefinitions[green.taskDefinitionArn]);
  if (handover.kind === 'none' || handover.kind === 'joined') return undefined;
  const names = registryNames(estate, blue.serviceRegistries);
  if (handover.kind === 'join') return { registries: handover.registries, names };
  // Callers may run in any cluster: read them all (this account's).
  const everyone = await readEstate(aws, region, {});
  const callers = dnsCallers(everyone, names, [blue, green]);
  if (callers.length > 0) {
    throw new UsageError(`not finalizing ${pair.label}: ${pair.blue} is registered in Cloud Map as ${names.join(', ')}, which ${callers.join(', ')} resolve, and ${handover.reason}; point those callers at ${pair.green}'s Service Connect name first, or give ${pair.green} ${pair.blue}'s registry (aws ecs update-service --service-registries), then run finalize again`);
  }
  notes.push(`${pair.label}: ${handover.reason}, so ${names.join(', ')} answer nothing once ${pair.blue} goes; no service in this account names it`);
  return undefined;
}

export async function computeFinalizePlan(session: { accounts: AccountSession[] }, region: string, selection: FinalizeSelection): Promise<Plan> {
  const { journal } = selection;
  const pairs = blueGreenPairs(journal.data, selection.service ?? []);
  // The pairs' account: every read and step goes there.
  const { aws, account } = pairsAccount(session.accounts, journal.data, pairs.map((p) => p.label));
  if (pairs.length === 0) throw new UsageError(`no blue-green pair left to finalize in ${journal.path}: finalize finishes what meshctl apply moved blue-green and meshctl shift took to 100%`);
  await requireKnownAlarms(aws, selection.alarms, region);
  const edgeActions = await requireGreenServing(aws, pairs, selection);

  // Every service of the pairs' clusters (an App Mesh node another service still runs on stays), and the blue services' scaling.
  const [estate, scaling] = await Promise.all([
    // Read as the pairs' account: a mesh another account shares with it is listed, and its specs read, naming the owner.
    readEstate(aws, region, { clusters: [...new Set(pairs.map((p) => p.cluster))], ...(account && { appMeshAccount: account }) }),
    readScaling(aws, pairs.map((p) => scalingResourceId(p.cluster, p.blue))),
  ]);
  const notes: string[] = [];
  const input: FinalizeInput = {
    region, account: '', createdAt: new Date().toISOString(), target: journal.data.target as Target, journal: journal.path, pairs: [], edgeActions, notes,
  };
  const find = (cluster: string, name: string) => estate.clusters.find((c) => c.name === cluster)?.services.find((s) => s.name === name);
  for (const pair of pairs) {
    const blue = find(pair.cluster, pair.blue);
    if (!blue) {
      notes.push(`${pair.label}: the blue service is already gone`);
      continue;
    }
    const green = find(pair.cluster, pair.green);
    if (!green) throw new UsageError(`not finalizing ${pair.label}: its green service ${pair.green} no longer exists; roll back instead (meshctl rollback)`);
    const rollout = deploymentOutcome(green, green.taskDefinitionArn);
    if (rollout.state !== 'completed') {
      throw new UsageError(`not finalizing ${pair.label}: ${pair.green}'s deployment has not completed (${rollout.state === 'failed' ? rollout.reason : `${rollout.running}/${rollout.desired} running, ${rollout.rolloutState}`}); run finalize again once it has`);
    }
    input.account ||= accountOfArn(blue.arn);
    const mesh = await meshLeftovers(aws, estate, pairs, pair, blue, notes);
    const joinRegistries = await registriesOf(aws, region, estate, pair, blue, green, notes);
    const blueScaling = scaling[scalingResourceId(pair.cluster, pair.blue)];
    input.pairs.push({ pair, blue, green, ...(mesh && { mesh }), ...(blueScaling && { blueScaling }), ...(joinRegistries && { joinRegistries }) });
  }
  const plan = planFinalize(input);
  return account ? placeInAccounts(plan, estate, account, estate.accounts) : plan;
}
