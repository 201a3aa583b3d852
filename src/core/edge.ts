// The load-balancer side of a blue-green cut-over: the target groups blue
// services register in, and the listener rules (or default actions) that
// forward to them, where weights shift traffic to the green services.

export interface TargetGroup {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  vpcId?: string;
  healthCheck: Record<string, unknown>;
}

/** A listener rule or a listener's default actions that forward to a target group. */
export interface EdgeForward {
  kind: 'rule' | 'listener';
  arn: string;
  targetGroupArn: string;
  actions: Record<string, unknown>[];
}

export interface EdgeState {
  targetGroups: Record<string, TargetGroup>;
  forwards: EdgeForward[];
}

function forwardsTo(action: Record<string, unknown>, targetGroupArn: string): boolean {
  if (action.Type !== 'forward') return false;
  if (action.TargetGroupArn === targetGroupArn) return true;
  const groups = (action.ForwardConfig as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined)?.TargetGroups ?? [];
  return groups.some((g) => g.TargetGroupArn === targetGroupArn);
}

export function findForwards(kind: EdgeForward['kind'], arn: string, actions: Record<string, unknown>[], targetGroupArns: string[]): EdgeForward[] {
  return targetGroupArns
    .filter((tg) => actions.some((a) => forwardsTo(a, tg)))
    .map((targetGroupArn) => ({ kind, arn, targetGroupArn, actions }));
}

/** The same actions with the forward to blue turned into a weighted forward: blue keeps 100, green starts at 0. */
export function weightedActions(forward: EdgeForward, greenTargetGroup: unknown): Record<string, unknown>[] {
  return forward.actions.map((action) => {
    if (!forwardsTo(action, forward.targetGroupArn)) return action;
    const { TargetGroupArn: _single, ForwardConfig: _config, ...rest } = action;
    return {
      ...rest,
      Type: 'forward',
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: forward.targetGroupArn, Weight: 100 }, { TargetGroupArn: greenTargetGroup, Weight: 0 }] },
    };
  });
}
