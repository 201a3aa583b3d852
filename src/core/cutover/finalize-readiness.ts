// Whether a cut-over may be finalized: green carries all the traffic on
// every rule and listener of every pair, the journal records green at 100%
// for at least the bake time, and no service still on App Mesh calls the
// blue service's names through it. Plain data and the time in, reasons out.
import type { MeshSpecs } from '../appmesh/specs.js';
import type { BlueGreenPair } from './pairs.js';
import { localTime } from '../../util/local-time.js';
import { greenPercent } from './weights.js';

export interface FinalizeReadiness {
  pairs: BlueGreenPair[];
  /** The live actions of the pairs' rules and listeners, by ARN. */
  edgeActions: Record<string, unknown>;
  /** Where meshctl shift took the traffic, as the apply journal records it. */
  shift: { weight: number; since: string; state: string } | undefined;
  journalPath: string;
  bakeMs: number;
  /** The time now, in milliseconds since the epoch. */
  now: number;
}

/** Why the blue side must stay for now, or undefined when it may go. */
export function finalizeRefusal(input: FinalizeReadiness): string | undefined {
  for (const pair of input.pairs) {
    for (const edge of pair.edges) {
      const actions = input.edgeActions[edge.arn] as Record<string, unknown>[] | undefined;
      const percent = actions === undefined ? undefined : greenPercent(actions, pair.greenTargetGroup);
      if (percent !== 100) return `${pair.green} carries ${percent ?? 'no'}% on ${edge.arn.split('/').slice(-2).join('/')}, not 100%: finish the shift first (meshctl shift --to 100)`;
    }
  }
  const { shift } = input;
  const bakedSince = shift?.weight === 100 && shift.state !== 'stepped-back' ? Date.parse(shift.since) : undefined;
  // An unreadable time would make the wait NaN, which no bake time is more than.
  if (bakedSince === undefined || Number.isNaN(bakedSince)) {
    return `${input.journalPath} does not record green at 100%: meshctl shift records when green took all the traffic, and finalize waits for the bake time from then`;
  }
  const waited = input.now - bakedSince;
  if (waited < input.bakeMs) {
    return `green has carried all traffic for ${Math.floor(waited / 1000)}s, less than the bake time (${Math.ceil(input.bakeMs / 1000)}s): run finalize again after ${localTime(new Date(bakedSince + input.bakeMs))}, or pass a shorter --bake`;
  }
  return undefined;
}

/** The virtual services a virtual node provides, by name. */
export function providedBy(specs: MeshSpecs, node: string): string[] {
  return Object.entries(specs.virtualServices)
    .filter(([, vs]) => (vs.spec as { provider?: { virtualNode?: { virtualNodeName?: string } } }).provider?.virtualNode?.virtualNodeName === node)
    .map(([name]) => name).sort();
}

/** The clients still on App Mesh that call any of `names` (a blue service's) through it, with the names each calls. */
export function appMeshCallers(specs: MeshSpecs, names: string[], clients: { label: string; node: string }[]): { label: string; called: string[] }[] {
  return clients.flatMap(({ label, node }) => {
    const backends = ((specs.virtualNodes[node]?.spec.backends ?? []) as { virtualService?: { virtualServiceName?: string } }[]).map((b) => b.virtualService?.virtualServiceName);
    const called = names.filter((name) => backends.includes(name));
    return called.length > 0 ? [{ label, called }] : [];
  });
}
