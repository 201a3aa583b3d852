// Plans the end of a cut-over: checks green carries all traffic, has for the
// bake time, and no named alarm fires; reads the blue services and the App
// Mesh resources only they use; hands plain data to the pure planner.
import type { Journal } from '../apply/journal.js';
import { accountOfArn, type AccountSession } from '../aws/accounts.js';
import { pairsAccount } from './pairs-account.js';
import { placeInAccounts } from '../core/plan/accounts.js';
import { cutoverProblems } from '../aws/read-cutover-health.js';
import { readEdgeActions } from '../aws/read-edge.js';
import { readEstate } from '../aws/read-estate.js';
import { readMeshSpecs } from '../aws/read-mesh-specs.js';
import { UsageError } from '../cli/errors.js';
import { planFinalize, type FinalizeInput } from '../core/cutover/finalize.js';
import { greenDimensions } from '../core/cutover/health.js';
import { blueGreenPairs } from '../core/cutover/pairs.js';
import { greenPercent } from '../core/cutover/weights.js';
import type { Plan } from '../core/plan/model.js';
import { appMeshNode } from '../core/service-facts.js';
import type { Target } from '../core/sidecars.js';

export interface FinalizeSelection {
  journal: { path: string; data: Journal };
  service?: string[];
  bakeMs: number;
  alarms: string[];
  /** 5xx from green's targets and load balancers over the bake that stop the finalize. */
  max5xx: number;
}

export async function computeFinalizePlan(session: { accounts: AccountSession[] }, region: string, selection: FinalizeSelection): Promise<Plan> {
  const { journal } = selection;
  const pairs = blueGreenPairs(journal.data, selection.service ?? []);
  // The pairs' account: every read and step goes there.
  const { aws, account } = pairsAccount(session.accounts, journal.data, pairs.map((p) => p.label));
  if (pairs.length === 0) throw new UsageError(`no blue-green pair left to finalize in ${journal.path}: finalize finishes what meshctl apply moved blue-green and meshctl shift took to 100%`);

  const edgeActions = await readEdgeActions(aws, pairs.flatMap((p) => p.edges.map((e) => e.arn)));
  for (const pair of pairs) {
    for (const edge of pair.edges) {
      const percent = edgeActions[edge.arn] === undefined ? undefined : greenPercent(edgeActions[edge.arn] as Record<string, unknown>[], pair.greenTargetGroup);
      if (percent !== 100) throw new UsageError(`${pair.green} carries ${percent ?? 'no'}% on ${edge.arn.split('/').slice(-2).join('/')}, not 100%: finish the shift first (meshctl shift --to 100)`);
    }
  }
  const shift = journal.data.shift;
  const bakedSince = shift?.weight === 100 && shift.state !== 'stepped-back' ? Date.parse(shift.since) : undefined;
  if (bakedSince === undefined) throw new UsageError(`${journal.path} does not record green at 100%: meshctl shift records when green took all the traffic, and finalize waits for the bake time from then`);
  const waited = Date.now() - bakedSince;
  if (waited < selection.bakeMs) {
    throw new UsageError(`green has carried all traffic for ${Math.floor(waited / 1000)}s, less than the bake time (${Math.ceil(selection.bakeMs / 1000)}s): run finalize again after ${new Date(bakedSince + selection.bakeMs).toISOString()}, or pass a shorter --bake`);
  }
  // Green must be serving now: targets healthy, no alarm, no more 5xx over the bake than allowed (a minute at least).
  const since = new Date(Date.now() - Math.max(selection.bakeMs, 60_000));
  const problems = await cutoverProblems(aws, pairs, {
    alarms: selection.alarms, max5xx: selection.max5xx, since, window: `since ${since.toISOString()}`, dimensions: greenDimensions(pairs),
  });
  if (problems.length > 0) throw new UsageError(`not finalizing: ${problems.join('; ')}`);

  // Every service of the pairs' clusters: an App Mesh node another service still runs on stays.
  const estate = await readEstate(aws, region, { clusters: [...new Set(pairs.map((p) => p.cluster))] });
  const notes: string[] = [];
  const input: FinalizeInput = {
    region, account: '', createdAt: new Date().toISOString(), target: journal.data.target as Target, journal: journal.path, pairs: [], edgeActions, notes,
  };
  const all = estate.clusters.flatMap((c) => c.services);
  for (const pair of pairs) {
    const blue = all.find((s) => s.clusterName === pair.cluster && s.name === pair.blue);
    if (!blue) {
      notes.push(`${pair.label}: the blue service is already gone`);
      continue;
    }
    input.account ||= accountOfArn(blue.arn);
    const node = appMeshNode(estate.taskDefinitions[blue.taskDefinitionArn]);
    const shared = node && all.some((s) => s !== blue && !pairs.some((p) => p.cluster === s.clusterName && p.blue === s.name)
      && appMeshNode(estate.taskDefinitions[s.taskDefinitionArn])?.node === node.node && appMeshNode(estate.taskDefinitions[s.taskDefinitionArn])?.mesh === node.mesh);
    let mesh: FinalizeInput['pairs'][number]['mesh'];
    if (node && shared) notes.push(`${pair.label}: keeps App Mesh virtual node ${node.mesh}/${node.node}: another service still runs on it`);
    else if (node && estate.appMesh.unreadable) notes.push(`${pair.label}: App Mesh could not be read (${estate.appMesh.unreadable}); its virtual node ${node.mesh}/${node.node} stays`);
    else if (node) {
      // Services still on App Mesh in this mesh: if one calls the blue service's names, removing blue would break it.
      const clients = all.filter((s) => s !== blue && appMeshNode(estate.taskDefinitions[s.taskDefinitionArn])?.mesh === node.mesh);
      const clientNodes = clients.map((s) => appMeshNode(estate.taskDefinitions[s.taskDefinitionArn])!.node);
      const listed = estate.appMesh.meshes.find((m) => m.name === node.mesh);
      const specs = await readMeshSpecs(aws, estate, { mesh: node.mesh, virtualNodes: [node.node, ...clientNodes], virtualServices: listed?.virtualServices.map((v) => v.name) ?? [], virtualRouters: [], routes: [] });
      const provided = Object.entries(specs.virtualServices)
        .filter(([, vs]) => (vs.spec as { provider?: { virtualNode?: { virtualNodeName?: string } } }).provider?.virtualNode?.virtualNodeName === node.node)
        .map(([name]) => name).sort();
      for (const [i, client] of clients.entries()) {
        const backends = ((specs.virtualNodes[clientNodes[i]!]?.spec.backends ?? []) as { virtualService?: { virtualServiceName?: string } }[]).map((b) => b.virtualService?.virtualServiceName);
        const called = provided.filter((name) => backends.includes(name));
        if (called.length > 0) {
          throw new UsageError(`not finalizing ${pair.label}: ${client.clusterName}/${client.name} still calls ${called.join(', ')} through App Mesh, and would lose it with the blue service; move ${client.name} to Service Connect first (meshctl plan --service ${client.name}), or finalize the other services with --service`);
        }
      }
      if (specs.virtualNodes[node.node]) mesh = { mesh: node.mesh, node: node.node, virtualServices: provided };
    }
    input.pairs.push({ pair, blue, ...(mesh && { mesh }) });
  }
  const plan = planFinalize(input);
  return account ? placeInAccounts(plan, estate, account, estate.accounts) : plan;
}
