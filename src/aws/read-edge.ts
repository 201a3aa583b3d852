// Reads the target groups of blue services and the listener rules that
// forward to them, only when a blue-green plan needs them.
import { findForwards, type EdgeState } from '../core/edge.js';
import { chunks, paginate } from './batch.js';
import { AwsCallError, type AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const DESCRIBE_TARGET_GROUPS_MAX = 20;
const HEALTH_CHECK_FIELDS = [
  'HealthCheckProtocol', 'HealthCheckPort', 'HealthCheckEnabled', 'HealthCheckPath', 'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds', 'HealthyThresholdCount', 'UnhealthyThresholdCount', 'Matcher',
];

export async function readEdge(aws: AwsCaller, targetGroupArns: string[]): Promise<EdgeState> {
  const edge: EdgeState = { targetGroups: {}, forwards: [] };
  const unique = [...new Set(targetGroupArns)].sort();
  if (unique.length === 0) return edge;
  const described = await Promise.all(chunks(unique, DESCRIBE_TARGET_GROUPS_MAX).map((batch) =>
    aws.call<Raw>('elbv2', 'DescribeTargetGroups', { TargetGroupArns: batch })));
  const groups = described.flatMap((d) => (d.TargetGroups ?? []) as Raw[]);
  // Attributes are described one target group per call (the API takes one).
  const attributes = await Promise.all(groups.map((tg) => aws.call<Raw>('elbv2', 'DescribeTargetGroupAttributes', { TargetGroupArn: tg.TargetGroupArn })));
  for (const [i, tg] of groups.entries()) {
    edge.targetGroups[tg.TargetGroupArn] = {
      arn: tg.TargetGroupArn, name: tg.TargetGroupName, protocol: tg.Protocol, port: tg.Port, vpcId: tg.VpcId,
      ...(tg.ProtocolVersion && { protocolVersion: tg.ProtocolVersion }),
      ...(tg.IpAddressType && { ipAddressType: tg.IpAddressType }),
      healthCheck: Object.fromEntries(HEALTH_CHECK_FIELDS.filter((f) => tg[f] !== undefined).map((f) => [f, tg[f]])),
      attributes: Object.fromEntries(((attributes[i]!.Attributes ?? []) as Raw[]).filter((a) => a.Key).map((a) => [a.Key, String(a.Value ?? '')])),
    };
  }
  const loadBalancers = [...new Set(groups.flatMap((tg) => (tg.LoadBalancerArns ?? []) as string[]))].sort();
  const listeners = (await Promise.all(loadBalancers.map((LoadBalancerArn) => paginate(async (Marker) => {
    const page = await aws.call<Raw>('elbv2', 'DescribeListeners', { LoadBalancerArn, ...(Marker && { Marker }) });
    return { items: page.Listeners as Raw[] | undefined, next: page.NextMarker };
  })))).flat();
  await Promise.all(listeners.map(async (listener) => {
    edge.forwards.push(...findForwards('listener', listener.ListenerArn, listener.DefaultActions ?? [], unique));
    const rules = await paginate(async (Marker) => {
      const page = await aws.call<Raw>('elbv2', 'DescribeRules', { ListenerArn: listener.ListenerArn, ...(Marker && { Marker }) });
      return { items: page.Rules as Raw[] | undefined, next: page.NextMarker };
    });
    for (const rule of rules.filter((r) => !r.IsDefault)) edge.forwards.push(...findForwards('rule', rule.RuleArn, rule.Actions ?? [], unique));
  }));
  edge.forwards.sort((a, b) => a.arn.localeCompare(b.arn));
  return edge;
}

/** A rule or listener deleted since the plan reads as absent; any other error stands. */
function absent<T>(empty: T) {
  return (error: unknown): T => {
    if (error instanceof AwsCallError && /NotFound/.test(error.code)) return empty;
    throw error;
  };
}

/** The current actions of listener rules and listeners by ARN (missing ones are left out), for drift checks. */
export async function readEdgeActions(aws: AwsCaller, arns: string[]): Promise<Record<string, unknown>> {
  const rules = arns.filter((a) => a.includes(':listener-rule/'));
  const listeners = arns.filter((a) => a.includes(':listener/'));
  const actions: Record<string, unknown> = {};
  const [ruleOut, listenerOut] = await Promise.all([
    rules.length > 0 ? aws.call<Raw>('elbv2', 'DescribeRules', { RuleArns: rules }).catch(absent({ Rules: [] })) : Promise.resolve({ Rules: [] }),
    listeners.length > 0 ? aws.call<Raw>('elbv2', 'DescribeListeners', { ListenerArns: listeners }).catch(absent({ Listeners: [] })) : Promise.resolve({ Listeners: [] }),
  ]);
  for (const r of (ruleOut.Rules ?? []) as Raw[]) actions[r.RuleArn] = r.Actions ?? [];
  for (const l of (listenerOut.Listeners ?? []) as Raw[]) actions[l.ListenerArn] = l.DefaultActions ?? [];
  return actions;
}
