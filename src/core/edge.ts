// The load-balancer side of a blue-green cut-over: the target groups blue
// services register in, and the listener rules (or default actions) that
// forward to them, where weights shift traffic to the green services.

export interface TargetGroup {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  vpcId?: string;
  /** HTTP1, HTTP2 or GRPC: a gRPC service behind an HTTP1 twin would stop answering. */
  protocolVersion?: string;
  ipAddressType?: string;
  healthCheck: Record<string, unknown>;
  /** Deregistration delay, stickiness, slow start, algorithm… (DescribeTargetGroupAttributes). */
  attributes: Record<string, string>;
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

/** The edges read in several accounts, as one. */
export function mergeEdgeStates(parts: EdgeState[]): EdgeState {
  return { targetGroups: Object.assign({}, ...parts.map((p) => p.targetGroups)), forwards: parts.flatMap((p) => p.forwards) };
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

/**
 * The same actions with the forward to blue turned into a weighted forward:
 * green joins at weight 0. A plain forward becomes blue 100, green 0; a
 * weighted forward keeps every target group, its weights and its stickiness.
 */
export function weightedActions(forward: EdgeForward, greenTargetGroup: unknown): Record<string, unknown>[] {
  return forward.actions.map((action) => {
    if (!forwardsTo(action, forward.targetGroupArn)) return action;
    const { TargetGroupArn: _single, ForwardConfig: config, ...rest } = action;
    const existing = config as { TargetGroups?: Record<string, unknown>[] } | undefined;
    const groups = existing?.TargetGroups && existing.TargetGroups.length > 0 ? existing.TargetGroups : [{ TargetGroupArn: forward.targetGroupArn, Weight: 100 }];
    return {
      ...rest,
      Type: 'forward',
      ForwardConfig: { ...existing, TargetGroups: [...groups, { TargetGroupArn: greenTargetGroup, Weight: 0 }] },
    };
  });
}
