// The course of a shift, from where green stands and what the journal
// recorded: the weights still to set (a re-run of an interrupted shift goes
// on from the weight it reached), the last weight that held, and when green
// reached a weight (kept when it was already there: finalize's bake counts
// from it). Plain data in and out.

/** What the apply journal records of a shift (ShiftRecord). */
export interface RecordedShift {
  steps: number[];
  weight: number;
  since: string;
  lastGood: number;
  state: string;
}

export interface ShiftCourse {
  /** Green's weight now: the lowest over the pairs, which move together from there. */
  from: number;
  /** The weights to set, in turn. */
  remaining: number[];
  /** The same stepped shift, interrupted: it goes on, keeping what it recorded. */
  resuming: boolean;
  /** Where trouble sends green back to (without --abort-to-blue). */
  lastGood: number;
}

/** `steps`: --to's one weight (`single`) or --steps' weights; `weights`: green's share on each rule or record pair now. */
export function shiftCourse(steps: number[], single: boolean, weights: number[], recorded: RecordedShift | undefined): ShiftCourse {
  const from = Math.min(...weights);
  const resuming = recorded?.state === 'shifting' && !single && recorded.steps.join(',') === steps.join(',');
  return {
    from,
    remaining: single ? steps : steps.filter((s) => s >= from),
    resuming,
    lastGood: resuming ? recorded.lastGood : from,
  };
}

/** --to back towards blue is never held up by an alarm: that is what it is for. Every other step is checked first. */
export function checkedBeforeStep(percent: number, from: number, single: boolean): boolean {
  return !(single && percent <= from);
}

/** When green got to `percent`: the recorded time if it was already there, else now. */
export function reachedAt(percent: number, from: number, recorded: RecordedShift | undefined, now: string): string {
  return percent === from && recorded?.weight === percent ? recorded.since : now;
}
