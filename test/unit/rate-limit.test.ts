// The client-side token buckets pace calls at AWS's documented rates.
import { describe, expect, it } from 'vitest';
import type { AwsCaller } from '../../src/aws/caller.js';
import { ECS_RATES, rateLimit } from '../../src/aws/rate-limit.js';

function recording(): { caller: AwsCaller; times: Record<string, number[]> } {
  const times: Record<string, number[]> = {};
  const started = performance.now();
  const caller = {
    async call(_service: string, operation: string) {
      (times[operation] ??= []).push(performance.now() - started);
      return {};
    },
  } as unknown as AwsCaller;
  return { caller, times };
}

describe('rateLimit', () => {
  it('lets the burst through, then paces at the refill rate; other operations are not held up', async () => {
    const { caller, times } = recording();
    const limited = rateLimit(caller, { ecs: { RegisterTaskDefinition: { burst: 4, perSecond: 10 } } });
    await Promise.all([
      ...Array.from({ length: 7 }, () => limited.call('ecs', 'RegisterTaskDefinition', {})),
      limited.call('ecs', 'DescribeServices', {}),
    ]);
    const register = times.RegisterTaskDefinition!;
    // Capacity 4 minus a reserve of 1: three at once, then one every 100 ms.
    expect(register.slice(0, 3).every((t) => t < 50)).toBe(true);
    expect(register[6]!).toBeGreaterThanOrEqual(350);
    expect(times.DescribeServices![0]!).toBeLessThan(50);
  });

  it('knows AWS\'s ECS rates for what apply sends', () => {
    expect(ECS_RATES.RegisterTaskDefinition).toEqual({ burst: 20, perSecond: 1 });
    expect(ECS_RATES.UpdateService).toEqual({ burst: 50, perSecond: 5 });
  });
});
