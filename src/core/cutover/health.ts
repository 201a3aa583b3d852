// What stops a shift, from what CloudWatch and the load balancer report: an
// alarm in ALARM, an unhealthy green target, more 5xx from a green target
// group than allowed. Plain data in, reasons out.

export interface CutoverObservations {
  alarms: { name: string; state: string; reason?: string }[];
  /** Per green target group (by name): its targets' health states, and the 5xx the load balancer counted since the step began. */
  greenTargetGroups: { name: string; targetStates: { state: string; reason?: string }[]; errors5xx: number }[];
}

export function cutoverProblems(observed: CutoverObservations, max5xx: number): string[] {
  const problems: string[] = [];
  for (const alarm of observed.alarms.filter((a) => a.state === 'ALARM')) {
    problems.push(`alarm ${alarm.name} is in ALARM${alarm.reason ? ` (${alarm.reason.slice(0, 200)})` : ''}`);
  }
  for (const group of observed.greenTargetGroups) {
    const unhealthy = group.targetStates.filter((t) => t.state === 'unhealthy');
    if (unhealthy.length > 0) problems.push(`${unhealthy.length} unhealthy target(s) in green target group ${group.name} (${unhealthy[0]!.reason ?? 'health checks failing'})`);
    if (group.errors5xx > max5xx) problems.push(`green target group ${group.name} answered ${group.errors5xx} 5xx since the last step (more than --max-5xx ${max5xx})`);
  }
  return problems.sort();
}
