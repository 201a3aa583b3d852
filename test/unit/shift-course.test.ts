// The course of meshctl shift, from where green stands and what the journal
// recorded (before: only moto runs of 10–20 s each, with real waits, showed it).
import { describe, expect, it } from 'vitest';
import { checkedBeforeStep, reachedAt, shiftCourse, type RecordedShift } from '../../src/core/cutover/shift-course.js';

const EARLIER = '2026-12-01T10:00:00.000Z';
const NOW = '2026-12-01T12:00:00.000Z';
const interrupted: RecordedShift = { steps: [10, 50, 100], weight: 50, since: EARLIER, lastGood: 10, state: 'shifting' };

describe('the course of a shift', () => {
  it('sets every step from blue, and moves pairs at different weights together from the lowest', () => {
    expect(shiftCourse([10, 50, 100], false, [0], undefined)).toEqual({ from: 0, remaining: [10, 50, 100], resuming: false, lastGood: 0 });
    expect(shiftCourse([10, 50, 100], false, [50, 10], undefined)).toMatchObject({ from: 10, remaining: [10, 50, 100] });
  });

  it('goes on from the weight an interrupted shift reached, waiting there again, and keeps the last weight that held', () => {
    expect(shiftCourse([10, 50, 100], false, [50], interrupted)).toEqual({ from: 50, remaining: [50, 100], resuming: true, lastGood: 10 });
    // Other steps, a finished or stepped-back shift, or --to: a new course.
    expect(shiftCourse([25, 100], false, [50], interrupted)).toEqual({ from: 50, remaining: [100], resuming: false, lastGood: 50 });
    expect(shiftCourse([10, 50, 100], false, [50], { ...interrupted, state: 'stepped-back' })).toMatchObject({ resuming: false, lastGood: 50 });
    expect(shiftCourse([10, 50, 100], false, [50], { ...interrupted, state: 'done' })).toMatchObject({ resuming: false });
  });

  it('--to sets its one weight, up or down', () => {
    expect(shiftCourse([0], true, [50], interrupted)).toEqual({ from: 50, remaining: [0], resuming: false, lastGood: 50 });
    expect(shiftCourse([100], true, [50], undefined)).toMatchObject({ remaining: [100] });
  });

  it('checks alarms and health before every step but --to back towards blue', () => {
    expect(checkedBeforeStep(0, 50, true)).toBe(false);
    expect(checkedBeforeStep(50, 50, true)).toBe(false);
    expect(checkedBeforeStep(100, 50, true)).toBe(true);
    // A stepped shift checks every step, the first (at the weight it stands) included.
    expect(checkedBeforeStep(50, 50, false)).toBe(true);
    expect(checkedBeforeStep(10, 50, false)).toBe(true);
  });

  it('keeps the time green reached a weight it is already at (finalize bakes from it), and takes now for a new one', () => {
    const atHundred: RecordedShift = { steps: [100], weight: 100, since: EARLIER, lastGood: 100, state: 'done' };
    expect(reachedAt(100, 100, atHundred, NOW)).toBe(EARLIER);
    expect(reachedAt(100, 50, interrupted, NOW)).toBe(NOW);
    expect(reachedAt(50, 50, interrupted, NOW)).toBe(EARLIER);
    expect(reachedAt(50, 50, undefined, NOW)).toBe(NOW);
    expect(reachedAt(10, 10, interrupted, NOW)).toBe(NOW);
    // The journal says 50, the rules say 10 (moved by hand since): green reaches 50 anew.
    expect(reachedAt(50, 10, interrupted, NOW)).toBe(NOW);
  });
});
