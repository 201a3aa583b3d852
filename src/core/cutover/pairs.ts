// The blue-green pairs an apply journal records: the blue service, its green
// twin, the green target group apply created, and the listener rules and
// listeners it made weighted. shift and finalize act on these.
import type { Journal } from '../../apply/journal.js';

export interface BlueGreenPair {
  label: string;
  cluster: string;
  blue: string;
  green: string;
  greenTargetGroup: string;
  /** Listener rules and listeners forwarding to both, by ARN, with the blue target group each forwarded to. */
  edges: { arn: string; blueTargetGroup: string }[];
}

const forwardedTo = (actions: unknown): string[] => ((actions ?? []) as Record<string, unknown>[]).flatMap((a) => [
  ...(typeof a.TargetGroupArn === 'string' ? [a.TargetGroupArn] : []),
  ...(((a.ForwardConfig as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined)?.TargetGroups ?? []).map((g) => g.TargetGroupArn).filter((t): t is string => !!t)),
]);

export function blueGreenPairs(journal: Journal, services: string[] = []): BlueGreenPair[] {
  return Object.entries(journal.services)
    .filter(([, s]) => s.greenService && s.state !== 'rolled-back' && s.state !== 'finalized' && (services.length === 0 || services.includes(s.service)))
    .flatMap(([label, s]) => {
      const greenTargetGroup = journal.created.find((c) => c.kind === 'TargetGroup' && c.ecsService === label)?.identity.TargetGroupArn;
      const edges = (journal.restores ?? []).filter((r) => r.ecsService === label).map((r) => ({
        arn: String(r.input.RuleArn ?? r.input.ListenerArn),
        // What the rule forwarded to before apply: the blue target group.
        blueTargetGroup: forwardedTo(r.input.Actions ?? r.input.DefaultActions)[0] ?? '',
      }));
      if (!greenTargetGroup || edges.length === 0) return [];
      return [{ label, cluster: s.cluster, blue: s.service, green: s.greenService!, greenTargetGroup, edges }];
    });
}
