// Valid Fargate task sizes (CPU units → memory MiB), from the ECS developer guide.
import type { Resources } from './service-facts.js';

interface CpuOption {
  cpu: number;
  memory: number[];
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

export const FARGATE_SIZES: readonly CpuOption[] = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024) },
  { cpu: 1024, memory: range(2048, 8192, 1024) },
  { cpu: 2048, memory: range(4096, 16384, 1024) },
  { cpu: 4096, memory: range(8192, 30720, 1024) },
  { cpu: 8192, memory: range(16384, 61440, 4096) },
  { cpu: 16384, memory: range(32768, 122880, 8192) },
];

export const FARGATE_MAX: Resources = { cpu: 16384, memory: 122880 };

export function isValidFargateSize(size: Resources): boolean {
  return FARGATE_SIZES.some((o) => o.cpu === size.cpu && o.memory.includes(size.memory));
}

/** The smallest valid Fargate size holding at least `needed`, or undefined beyond the largest. */
export function smallestFargateSize(needed: Resources): Resources | undefined {
  for (const option of FARGATE_SIZES) {
    if (option.cpu < needed.cpu) continue;
    const memory = option.memory.find((m) => m >= needed.memory);
    if (memory !== undefined) return { cpu: option.cpu, memory };
  }
  return undefined;
}
