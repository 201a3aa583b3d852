// One look at ECS-managed deployments (canary, linear, blue/green) with
// DescribeServiceDeployments, 20 per call: each one's lifecycle stage and the
// share of production traffic on the new revision while it runs, and a
// rollback (the alarm that fired) as a failure. A deployment whose ARN is not
// known yet (a crash before apply recorded it) is found with
// ListServiceDeployments: the service's newest.
import { chunks } from '../aws/batch.js';
import type { AwsCaller } from '../aws/caller.js';
import { serviceDeploymentOutcome } from '../core/service-deployment.js';
import type { Looked, Waiting } from './wait.js';

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
  /** The account the service runs in. */
  account?: string;
}

/** The service's newest service deployment, for a target whose ARN a crash kept from the journal. */
export async function newestDeployment(aws: AwsCaller, t: DeploymentTarget): Promise<string | undefined> {
  const out = await aws.call<Raw>('ecs', 'ListServiceDeployments', { cluster: t.cluster, service: t.service, maxResults: 20 });
  const briefs = ((out.serviceDeployments ?? []) as Raw[]).sort((a, b) => String(b.createdAt ?? b.startedAt ?? '').localeCompare(String(a.createdAt ?? a.startedAt ?? '')));
  return briefs[0]?.serviceDeploymentArn;
}

/** One look at service deployments whose ARNs are known. Answers in the order asked. */
export async function pollServiceDeployments(aws: AwsCaller, waiting: Waiting<DeploymentTarget & { arn: string }>[], now: () => number, timeoutMs: number): Promise<Looked[]> {
  const described = (await Promise.all(chunks(waiting.map((w) => w.target.arn), DESCRIBE_MAX)
    .map((batch) => aws.call<Raw>('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: batch })))).flatMap((o) => (o.serviceDeployments ?? []) as Raw[]);
  const at = now();
  return waiting.map((w): Looked => {
    const { target: t } = w;
    const d = described.find((x) => x.serviceDeploymentArn === t.arn);
    if (!d) return { result: { label: t.label, outcome: 'vanished', reason: `the deployment ${t.arn} is not found`, events: [] } };
    const outcome = serviceDeploymentOutcome(d, t.expect);
    const elapsedMs = at - w.since;
    if (outcome.state === 'completed') return { result: { label: t.label, outcome: 'completed', events: [] } };
    if (outcome.state === 'failed') return { result: { label: t.label, outcome: 'failed', reason: outcome.reason, events: [] } };
    if (elapsedMs >= timeoutMs) {
      return { result: { label: t.label, outcome: 'timeout', events: [], reason: `still ${outcome.stage} after ${Math.round(elapsedMs / 1000)}s (${outcome.traffic}% of production traffic on the new revision)` } };
    }
    return { progress: { label: t.label, running: outcome.running, desired: outcome.desired, rolloutState: `${outcome.stage}, ${outcome.traffic}% of traffic on the new revision`, elapsedMs } };
  });
}
