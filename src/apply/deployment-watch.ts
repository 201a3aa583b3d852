// Waits for the deployments of services that start at different times,
// rolling and ECS-managed alike. A newcomer is looked at at once (with the
// others arriving in the same turn of the event loop), then joins one shared
// cadence that looks at every waiting deployment together each poll interval:
// one DescribeServices per 10 services of a cluster and one
// DescribeServiceDeployments per 20 deployments, whatever their number, each
// deployment settling on its own, with its own timeout.
import type { AwsCaller } from '../aws/caller.js';
import type { Looked, RolloutProgress, RolloutResult, RolloutTarget, WaitOptions, Waiting } from './wait.js';
import { pollRollouts } from './wait.js';
import { newestDeployment, pollServiceDeployments, type DeploymentTarget } from './wait-deployments.js';

export type WatchTarget = ({ kind: 'rollout' } & RolloutTarget) | ({ kind: 'service-deployment' } & DeploymentTarget);

export interface DeploymentWatch {
  /** Resolves when the deployment ended (completed, failed, vanished) or timed out. */
  watch(target: WatchTarget): Promise<RolloutResult>;
}

interface Entry {
  waiting: Waiting<WatchTarget>;
  resolve: (result: RolloutResult) => void;
  reject: (error: unknown) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One look at entries of one account: rolling deployments and ECS-managed ones side by side. */
async function lookInAccount(aws: AwsCaller, entries: Entry[], now: () => number, timeoutMs: number): Promise<Map<Entry, Looked>> {
  const rolling = entries.filter((e) => e.waiting.target.kind === 'rollout');
  const managed = entries.filter((e) => e.waiting.target.kind === 'service-deployment');
  const [a, b] = await Promise.all([
    rolling.length > 0 ? pollRollouts(aws, rolling.map((e) => e.waiting as Waiting<RolloutTarget>), now, timeoutMs) : [],
    managed.length > 0 ? pollServiceDeployments(aws, managed.map((e) => e.waiting as Waiting<DeploymentTarget & { arn: string }>), now, timeoutMs) : [],
  ]);
  return new Map([...rolling.map((e, i) => [e, a[i]!] as const), ...managed.map((e, i) => [e, b[i]!] as const)]);
}

export function createDeploymentWatch(callerOf: (account: string | undefined) => AwsCaller, options: WaitOptions): DeploymentWatch {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  let arrivals: Entry[] = [];
  const waiting: Entry[] = [];
  const latest = new Map<Entry, RolloutProgress>();
  let cadence = false;

  /** Looks at the entries once; settles those that ended and returns the others. An AWS error fails them all. */
  async function look(entries: Entry[]): Promise<Entry[]> {
    let looked: Map<Entry, Looked>;
    try {
      // Each account's deployments are looked at with its own credentials.
      const byAccount = new Map<AwsCaller, Entry[]>();
      for (const e of entries) {
        const aws = callerOf(e.waiting.target.account);
        byAccount.set(aws, [...(byAccount.get(aws) ?? []), e]);
      }
      const parts = await Promise.all([...byAccount.entries()].map(([aws, group]) => lookInAccount(aws, group, now, options.timeoutMs)));
      looked = new Map(parts.flatMap((m) => [...m]));
    } catch (error) {
      for (const e of entries) {
        latest.delete(e);
        e.reject(error);
      }
      return [];
    }
    const unsettled: Entry[] = [];
    for (const e of entries) {
      const l = looked.get(e)!;
      if ('result' in l) {
        latest.delete(e);
        e.resolve(l.result);
      } else {
        latest.set(e, l.progress);
        unsettled.push(e);
      }
    }
    options.onProgress?.([...latest.values()]);
    return unsettled;
  }

  async function runCadence(): Promise<void> {
    while (waiting.length > 0) {
      const remaining = Math.min(...waiting.map((e) => options.timeoutMs - (now() - e.waiting.since)));
      await sleep(Math.min(options.pollMs, Math.max(0, remaining)) || options.pollMs);
      const batch = waiting.splice(0);
      waiting.push(...await look(batch));
    }
    // Checked and cleared in one turn: an arrival after this starts the cadence again.
    cadence = false;
  }

  async function flushArrivals(): Promise<void> {
    const batch = arrivals;
    arrivals = [];
    waiting.push(...await look(batch));
    if (!cadence && waiting.length > 0) {
      cadence = true;
      void runCadence();
    }
  }

  return {
    async watch(target) {
      let arn = target.kind === 'service-deployment' ? target.arn : undefined;
      if (target.kind === 'service-deployment' && !arn) {
        arn = await newestDeployment(callerOf(target.account), target);
        if (!arn) return { label: target.label, outcome: 'failed', reason: 'ECS reports no deployment of the service', events: [] };
      }
      const resolved: WatchTarget = target.kind === 'service-deployment' ? { ...target, arn } : target;
      return new Promise<RolloutResult>((resolve, reject) => {
        arrivals.push({ waiting: { target: resolved, since: now() }, resolve, reject });
        if (arrivals.length === 1) setImmediate(() => void flushArrivals());
      });
    },
  };
}
