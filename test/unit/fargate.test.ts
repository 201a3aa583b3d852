import { describe, expect, it } from 'vitest';
import { isValidFargateSize, smallestFargateSize } from '../../src/core/fargate.js';

describe('Fargate sizes', () => {
  it('picks the smallest valid combination holding the task', () => {
    expect(smallestFargateSize({ cpu: 256, memory: 512 })).toEqual({ cpu: 256, memory: 512 });
    expect(smallestFargateSize({ cpu: 800, memory: 832 })).toEqual({ cpu: 1024, memory: 2048 });
    expect(smallestFargateSize({ cpu: 300, memory: 5000 })).toEqual({ cpu: 1024, memory: 5120 });
    expect(smallestFargateSize({ cpu: 8192, memory: 20000 })).toEqual({ cpu: 8192, memory: 20480 });
  });

  it('returns nothing beyond 16 vCPU / 120 GiB', () => {
    expect(smallestFargateSize({ cpu: 16385, memory: 32768 })).toBeUndefined();
    expect(smallestFargateSize({ cpu: 1024, memory: 122881 })).toBeUndefined();
  });

  it('knows valid and invalid sizes', () => {
    expect(isValidFargateSize({ cpu: 512, memory: 4096 })).toBe(true);
    expect(isValidFargateSize({ cpu: 256, memory: 4096 })).toBe(false);
  });
});
