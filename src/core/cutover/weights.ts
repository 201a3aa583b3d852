// Traffic weights of a blue-green pair at the edge: the forward actions apply
// made weighted (blue 100, green 0), moved step by step to green.
import { ExpectedError } from '../../util/expected-error.js';

type Action = Record<string, unknown>;
interface WeightedGroup { TargetGroupArn?: unknown; Weight?: number }

export class ShiftStepsError extends ExpectedError {}

const groupsOf = (action: Action): WeightedGroup[] =>
  action.Type === 'forward' ? ((action.ForwardConfig as { TargetGroups?: WeightedGroup[] } | undefined)?.TargetGroups ?? []) : [];

/** The actions with green at `percent` and the blue group at the rest; any other group of the forward keeps its weight. */
export function shiftedActions(actions: Action[], blue: string, green: string, percent: number): Action[] {
  return actions.map((action) => {
    const groups = groupsOf(action);
    if (!groups.some((g) => g.TargetGroupArn === green)) return action;
    const weighted = groups.map((g) => (g.TargetGroupArn === green ? { ...g, Weight: percent } : g.TargetGroupArn === blue ? { ...g, Weight: 100 - percent } : g));
    return { ...action, ForwardConfig: { ...(action.ForwardConfig as object), TargetGroups: weighted } };
  });
}

/** Green's share (0–100) of the forward that carries it, or undefined when no action forwards to green. */
export function greenPercent(actions: Action[], green: string): number | undefined {
  for (const action of actions) {
    const groups = groupsOf(action);
    const own = groups.find((g) => g.TargetGroupArn === green);
    if (!own) continue;
    const total = groups.reduce((sum, g) => sum + (g.Weight ?? 0), 0);
    return total === 0 ? 0 : Math.round(((own.Weight ?? 0) / total) * 100);
  }
  return undefined;
}

/** --steps 10,25,50,100 (or --to N): whole percentages from 0 to 100, rising. */
export function parseSteps(text: string, flag: string): number[] {
  const steps = text.split(',').map((s) => s.trim());
  if (steps.some((s) => !/^\d{1,3}$/.test(s) || Number(s) > 100)) {
    throw new ShiftStepsError(`${flag} ${text}: give whole percentages from 0 to 100, separated by commas (for example 10,25,50,100)`);
  }
  const numbers = steps.map(Number);
  if (numbers.some((n, i) => i > 0 && n <= numbers[i - 1]!)) throw new ShiftStepsError(`${flag} ${text}: the steps must rise (for example 10,25,50,100); to go back, use --to`);
  return numbers;
}
