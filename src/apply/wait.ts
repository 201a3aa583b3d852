// Waits for ECS deployments to finish: every waiting service polled together
// (DescribeServices, 10 per call), each one settling on its own, so a slow
// service never holds up the report of the others.
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitForRollouts(aws: AwsCaller, targets: RolloutTarget[], options: WaitOptions): Promise<RolloutResult[]> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const started = now();
  const results = new Map<string, RolloutResult>();
  let pending = [...targets];

  while (pending.length > 0) {
    const byCluster = new Map<string, RolloutTarget[]>();
    for (const t of pending) byCluster.set(t.cluster, [...(byCluster.get(t.cluster) ?? []), t]);
    const described = await Promise.all([...byCluster.entries()].flatMap(([cluster, group]) =>
      chunks(group, 10).map(async (batch) => {
        const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster, services: batch.map((t) => t.service) });
        return batch.map((t) => ({ target: t, raw: ((out.services ?? []) as Raw[]).find((s) => s.serviceName === t.service) }));
      })));
    const progress: RolloutProgress[] = [];
    const elapsedMs = now() - started;
    for (const { target, raw } of described.flat()) {
      if (!raw || raw.status === 'INACTIVE') {
        results.set(target.label, { label: target.label, outcome: 'vanished', reason: 'the service no longer exists', events: [] });
        continue;
      }
      const service = toService(raw, target.cluster);
      const events = service.events.map((e) => `${e.createdAt ?? ''} ${e.message}`.trim());
      const outcome = deploymentOutcome(service, target.taskDefinition);
      if (outcome.state === 'completed') results.set(target.label, { label: target.label, outcome: 'completed', events: [] });
      else if (outcome.state === 'failed') results.set(target.label, { label: target.label, outcome: 'failed', reason: outcome.reason, events });
      else if (elapsedMs >= options.timeoutMs) {
        results.set(target.label, {
          label: target.label, outcome: 'timeout', events,
          reason: `still ${outcome.rolloutState} after ${Math.round(elapsedMs / 1000)}s (${outcome.running}/${outcome.desired} running)`,
        });
      } else progress.push({ label: target.label, running: outcome.running, desired: outcome.desired, rolloutState: outcome.rolloutState, elapsedMs });
    }
    pending = pending.filter((t) => !results.has(t.label));
    options.onProgress?.(progress);
    if (pending.length > 0) await sleep(Math.min(options.pollMs, Math.max(0, options.timeoutMs - (now() - started))) || options.pollMs);
  }
  return targets.map((t) => results.get(t.label)!);
}
