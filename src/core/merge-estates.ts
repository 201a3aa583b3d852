// A run over several accounts reads each account's estate on its own; the
// planner sees one estate. Every ECS, Cloud Map and App Mesh ARN names its
// account, so the merged estate still says whose each resource is.
import { ExpectedError } from '../util/expected-error.js';
import type { Estate, Network } from './estate.js';

/** Two accounts have a cluster of one name: services are known by cluster/service, so the run would mix them up. */
export class AmbiguousClusterError extends ExpectedError {}

const union = (a: string[] | undefined, b: string[] | undefined) => {
  const all = [...new Set([...(a ?? []), ...(b ?? [])])].sort();
  return all.length > 0 ? all : undefined;
};

/** Merges items seen by several accounts (a shared namespace or mesh), keeping who else sees them. */
function byArn<T extends { arn: string; sharedWith?: string[] }>(lists: T[][]): T[] {
  const merged = new Map<string, T>();
  for (const item of lists.flat()) {
    const seen = merged.get(item.arn);
    const sharedWith = union(seen?.sharedWith, item.sharedWith);
    // The owner's own view is the full one; another account's view only adds who it is shared with.
    const base = !item.sharedWith ? item : seen ?? item;
    merged.set(item.arn, { ...base, ...(sharedWith && { sharedWith }) });
  }
  return [...merged.values()];
}

function mergeNetworks(networks: (Network | undefined)[]): Network | undefined {
  const present = networks.filter((n): n is Network => n !== undefined);
  if (present.length === 0) return undefined;
  const byId = <T>(items: T[], id: (item: T) => string) => [...new Map(items.map((i) => [id(i), i])).values()];
  return {
    subnets: Object.assign({}, ...present.map((n) => n.subnets)),
    vpcCidrs: Object.assign({}, ...present.map((n) => n.vpcCidrs)),
    routeTables: byId(present.flatMap((n) => n.routeTables), (t) => t.id),
    // A peering between two accounts shows in both.
    peerings: byId(present.flatMap((n) => n.peerings), (p) => p.id),
    transitGateways: byId(present.flatMap((n) => n.transitGateways), (t) => `${t.id} ${t.vpcId}`),
    securityGroups: Object.assign({}, ...present.map((n) => n.securityGroups)),
  };
}

/** Cloud Map as several accounts see it: a shared namespace once, with the accounts it is shared with. */
export function mergeCloudMaps(views: Estate['cloudMap'][]): Estate['cloudMap'] {
  return {
    namespaces: byArn(views.map((v) => v.namespaces)).sort((a, b) => a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn)),
    services: [...new Map(views.flatMap((v) => v.services).map((s) => [s.arn, s])).values()],
  };
}

/** `name`: the account's name in meshctl.yaml, for errors. */
export function mergeEstates(parts: { name: string; estate: Estate }[]): Estate {
  const owners = new Map<string, string>();
  for (const { name, estate } of parts) {
    for (const cluster of estate.clusters) {
      const other = owners.get(cluster.name);
      if (other) {
        throw new AmbiguousClusterError(`cluster ${cluster.name} exists in accounts ${other} and ${name}: meshctl knows services as cluster/service. List the clusters each account owns under accounts.<name>.clusters in meshctl.yaml, or run once per account with --account`);
      }
      owners.set(cluster.name, name);
    }
  }
  const estates = parts.map((p) => p.estate);
  const unreadable = estates.map((e, i) => e.appMesh.unreadable && `${parts[i]!.name}: ${e.appMesh.unreadable}`).filter(Boolean);
  const network = mergeNetworks(estates.map((e) => e.network));
  const usages = estates.map((e) => e.usage).filter((u) => u !== undefined);
  return {
    region: estates[0]!.region,
    clusters: estates.flatMap((e) => e.clusters).sort((a, b) => a.name.localeCompare(b.name)),
    taskDefinitions: Object.assign({}, ...estates.map((e) => e.taskDefinitions)),
    instanceTypes: Object.assign({}, ...estates.map((e) => e.instanceTypes)),
    // An account setting: said "on" only when every account has it.
    awsvpcTrunking: estates.every((e) => e.awsvpcTrunking),
    cloudMap: mergeCloudMaps(estates.map((e) => e.cloudMap)),
    appMesh: {
      meshes: byArn(estates.map((e) => e.appMesh.meshes)).sort((a, b) => a.name.localeCompare(b.name)),
      ...(unreadable.length > 0 && { unreadable: unreadable.join('; ') }),
    },
    ...(network && { network }),
    // Each account reads its own services' usage, over the same window.
    ...(usages.length > 0 && { usage: { window: usages[0]!.window, services: Object.assign({}, ...usages.map((u) => u.services)) } }),
  };
}
