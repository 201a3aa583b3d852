// One look at rolling ECS deployments: every waiting service described
// together (DescribeServices, 10 per call), each one settling on its own, so
// a slow service never holds up the report of the others. The loop that
// looks again is the deployment watch (deployment-watch.ts).
import type { AwsCaller } from '../aws/caller.js';
import { chunks } from '../aws/batch.js';
import { toService } from '../aws/read-estate.js';
import { deploymentOutcome } from '../core/deployment-status.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface RolloutTarget {
  /** cluster/service */
  label: string;
  cluster: string;
  service: string;
  taskDefinition: string;
  /** The account the service runs in. */
  account?: string;
}

export interface RolloutResult {
  label: string;
  outcome: 'completed' | 'failed' | 'timeout' | 'vanished';
  reason?: string;
  /** The service's recent events, newest first, for failures. */
  events: string[];
}

export interface RolloutProgress {
  label: string;
  running: number;
  desired: number;
  rolloutState: string;
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  onProgress?: (progress: RolloutProgress[]) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A deployment being waited for, since when (its own timeout counts from then). */
export interface Waiting<T> {
  target: T;
  since: number;
}

/** What one look found for a waiting deployment: how it ended, or how it stands. */
export type Looked = { result: RolloutResult } | { progress: RolloutProgress };

/** One look at rolling deployments: the PRIMARY deployment on the target's revision, COMPLETED. Answers in the order asked. */
export async function pollRollouts(aws: AwsCaller, waiting: Waiting<RolloutTarget>[], now: () => number, timeoutMs: number): Promise<Looked[]> {
  const byCluster = new Map<string, Waiting<RolloutTarget>[]>();
  for (const w of waiting) byCluster.set(w.target.cluster, [...(byCluster.get(w.target.cluster) ?? []), w]);
  const described = new Map<Waiting<RolloutTarget>, Raw | undefined>();
  await Promise.all([...byCluster.entries()].flatMap(([cluster, group]) =>
    chunks(group, 10).map(async (batch) => {
      const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster, services: batch.map((w) => w.target.service) });
      for (const w of batch) described.set(w, ((out.services ?? []) as Raw[]).find((s) => s.serviceName === w.target.service));
    })));
  const at = now();
  return waiting.map((w): Looked => {
    const { target } = w;
    const raw = described.get(w);
    if (!raw || raw.status === 'INACTIVE') return { result: { label: target.label, outcome: 'vanished', reason: 'the service no longer exists', events: [] } };
    const service = toService(raw, target.cluster);
    const events = service.events.map((e) => `${e.createdAt ?? ''} ${e.message}`.trim());
    const outcome = deploymentOutcome(service, target.taskDefinition);
    const elapsedMs = at - w.since;
    if (outcome.state === 'completed') return { result: { label: target.label, outcome: 'completed', events: [] } };
    if (outcome.state === 'failed') return { result: { label: target.label, outcome: 'failed', reason: outcome.reason, events } };
    if (elapsedMs >= timeoutMs) {
      return { result: { label: target.label, outcome: 'timeout', events, reason: `still ${outcome.rolloutState} after ${Math.round(elapsedMs / 1000)}s (${outcome.running}/${outcome.desired} running)` } };
    }
    return { progress: { label: target.label, running: outcome.running, desired: outcome.desired, rolloutState: outcome.rolloutState, elapsedMs } };
  });
}
