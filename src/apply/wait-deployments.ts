// Follows ECS-managed deployments (canary, linear, blue/green) to their end
// with DescribeServiceDeployments, 20 per call: each one's lifecycle stage
// and the share of production traffic on the new revision while it runs, and
// a rollback (the alarm that fired) as a failure. A deployment whose ARN is
// not known yet (a crash before apply recorded it) is found with
// ListServiceDeployments: the service's newest.
import { chunks } from '../aws/batch.js';
import type { AwsCaller } from '../aws/caller.js';
import { serviceDeploymentOutcome } from '../core/service-deployment.js';
import type { RolloutProgress, RolloutResult, WaitOptions } from './wait.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

/** DescribeServiceDeployments takes at most 20 ARNs (Amazon ECS API Reference). */
const DESCRIBE_MAX = 20;

export interface DeploymentTarget {
  label: string;
  cluster: string;
  service: string;
  arn?: string;
  /** What ends it well: a move succeeding, or (StopServiceDeployment) its rollback. */
  expect: 'forward' | 'rollback';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function newestDeployment(aws: AwsCaller, t: DeploymentTarget): Promise<string | undefined> {
  const out = await aws.call<Raw>('ecs', 'ListServiceDeployments', { cluster: t.cluster, service: t.service, maxResults: 20 });
  const briefs = ((out.serviceDeployments ?? []) as Raw[]).sort((a, b) => String(b.createdAt ?? b.startedAt ?? '').localeCompare(String(a.createdAt ?? a.startedAt ?? '')));
  return briefs[0]?.serviceDeploymentArn;
}

export async function waitForServiceDeployments(aws: AwsCaller, targets: DeploymentTarget[], options: WaitOptions): Promise<RolloutResult[]> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const started = now();
  const results = new Map<string, RolloutResult>();
  const arns = new Map<string, string>();
  for (const t of targets) {
    const arn = t.arn ?? await newestDeployment(aws, t);
    if (arn) arns.set(t.label, arn);
    else results.set(t.label, { label: t.label, outcome: 'failed', reason: 'ECS reports no deployment of the service', events: [] });
  }
  let pending = targets.filter((t) => !results.has(t.label));
  while (pending.length > 0) {
    const described = (await Promise.all(chunks(pending.map((t) => arns.get(t.label)!), DESCRIBE_MAX)
      .map((batch) => aws.call<Raw>('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: batch })))).flatMap((o) => (o.serviceDeployments ?? []) as Raw[]);
    const elapsedMs = now() - started;
    const progress: RolloutProgress[] = [];
    for (const t of pending) {
      const d = described.find((x) => x.serviceDeploymentArn === arns.get(t.label));
      if (!d) {
        results.set(t.label, { label: t.label, outcome: 'vanished', reason: `the deployment ${arns.get(t.label)} is not found`, events: [] });
        continue;
      }
      const outcome = serviceDeploymentOutcome(d, t.expect);
      if (outcome.state === 'completed') results.set(t.label, { label: t.label, outcome: 'completed', events: [] });
      else if (outcome.state === 'failed') results.set(t.label, { label: t.label, outcome: 'failed', reason: outcome.reason, events: [] });
      else if (elapsedMs >= options.timeoutMs) {
        results.set(t.label, { label: t.label, outcome: 'timeout', events: [], reason: `still ${outcome.stage} after ${Math.round(elapsedMs / 1000)}s (${outcome.traffic}% of production traffic on the new revision)` });
      } else progress.push({ label: t.label, running: outcome.running, desired: outcome.desired, rolloutState: `${outcome.stage}, ${outcome.traffic}% of traffic on the new revision`, elapsedMs });
    }
    pending = pending.filter((t) => !results.has(t.label));
    options.onProgress?.(progress);
    if (pending.length > 0) await sleep(Math.min(options.pollMs, Math.max(0, options.timeoutMs - (now() - started))) || options.pollMs);
  }
  return targets.map((t) => results.get(t.label)!);
}
