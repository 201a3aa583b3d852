// What meshctl shift sends, as plan-step-shaped operations: the weight moves
// on the listener rules and listeners of the journal's blue-green pairs (or
// on a Route 53 weighted pair), and the reads that judge green between them.
// shift is no saved plan; iam-policy --for shift prints its policy from these.
import type { PlanStep } from '../plan/model.js';
import type { BlueGreenPair } from './pairs.js';

/** A weighted forward is a listener rule's actions or a listener's default actions. */
export const edgeOperation = (arn: string): 'ModifyRule' | 'ModifyListener' => (arn.includes(':listener-rule/') ? 'ModifyRule' : 'ModifyListener');

/** Every operation shift sends ("<service> <Operation>"), reads included. */
export const SHIFT_OPERATIONS = [
  'elbv2 ModifyRule', 'elbv2 ModifyListener', 'route53 ChangeResourceRecordSets',
  'elbv2 DescribeRules', 'elbv2 DescribeListeners', 'elbv2 DescribeTargetGroups', 'elbv2 DescribeTargetHealth',
  'cloudwatch DescribeAlarms', 'cloudwatch GetMetricStatistics', 'route53 ListResourceRecordSets',
] as const;

/**
 * The mutations of a shift: one weight move per rule or listener of each
 * pair (in the pair's account), or, for a Route 53 weighted pair, the change
 * of its hosted zone's records.
 */
export function shiftOperations(pairs: BlueGreenPair[], accountOf: (label: string) => string | undefined, route53Zone?: string): PlanStep[] {
  if (route53Zone) {
    return [{ id: `shift:${route53Zone}`, service: 'route53', operation: 'ChangeResourceRecordSets', input: { HostedZoneId: route53Zone }, dependsOn: [], action: 'update', resource: `Route 53 weighted records in ${route53Zone}` }];
  }
  return pairs.flatMap((pair) => pair.edges.map((edge): PlanStep => {
    const account = accountOf(pair.label);
    const operation = edgeOperation(edge.arn);
    return {
      id: `shift:${edge.arn}`, service: 'elbv2', operation, dependsOn: [], action: 'update', ecsService: pair.label,
      input: operation === 'ModifyRule' ? { RuleArn: edge.arn } : { ListenerArn: edge.arn },
      resource: `${operation === 'ModifyRule' ? 'listener rule' : 'listener'} ${edge.arn.split('/').slice(-2).join('/')}: ${pair.blue} → ${pair.green}`,
      ...(account && { account }),
    };
  }));
}
