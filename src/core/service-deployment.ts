// Reads an ECS-managed (canary, linear, blue/green) service deployment as
// DescribeServiceDeployments reports it: its lifecycle stage, the share of
// production traffic on the new revision, and how it ended — success, or a
// rollback and why (the alarms that fired). Amazon ECS API Reference,
// ServiceDeployment (status, lifecycleStage, targetServiceRevision,
// rollback, alarms.triggeredAlarmNames).

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

export type ServiceDeploymentOutcome =
  | { state: 'in-progress'; stage: string; traffic: number; running: number; desired: number }
  | { state: 'completed' }
  | { state: 'failed'; reason: string };

const IN_PROGRESS = new Set(['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);

/** Why ECS rolled back or stopped: the alarms that fired first, then ECS's own words. */
export function rollbackReason(d: Raw): string {
  const alarms = (d.alarms?.triggeredAlarmNames ?? []) as string[];
  const why = alarms.length > 0 ? `alarm ${alarms.join(', ')} went into ALARM` : d.rollback?.reason ?? d.statusReason ?? 'no reason given';
  return `${why}; ECS ${d.status === 'STOPPED' ? 'stopped the deployment' : d.status === 'ROLLBACK_FAILED' ? 'failed to roll back' : 'rolled back to the previous revision'} (${d.status})`;
}

/**
 * `expect`: what ends the deployment well — `forward` for a move (SUCCESSFUL),
 * `rollback` for a deployment meshctl stopped with rollback (ROLLBACK_SUCCESSFUL).
 */
export function serviceDeploymentOutcome(d: Raw, expect: 'forward' | 'rollback' = 'forward'): ServiceDeploymentOutcome {
  const status = String(d.status ?? 'PENDING');
  if (IN_PROGRESS.has(status)) {
    const target = (d.targetServiceRevision ?? {}) as Raw;
    const rollingBack = status.startsWith('ROLLBACK') || status === 'STOP_REQUESTED';
    return {
      state: 'in-progress', stage: rollingBack ? `${status} (${rollbackReason(d).split(';')[0]})` : String(d.lifecycleStage ?? status),
      traffic: Number(target.requestedProductionTrafficWeight ?? 0), running: Number(target.runningTaskCount ?? 0), desired: Number(target.requestedTaskCount ?? 0),
    };
  }
  if (expect === 'forward' && status === 'SUCCESSFUL') return { state: 'completed' };
  if (expect === 'rollback' && (status === 'ROLLBACK_SUCCESSFUL' || status === 'STOPPED')) return { state: 'completed' };
  return { state: 'failed', reason: expect === 'rollback' && status === 'SUCCESSFUL' ? 'the deployment completed before it could be stopped (SUCCESSFUL)' : rollbackReason(d) };
}
