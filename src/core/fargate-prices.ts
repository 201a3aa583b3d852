// Fargate on-demand prices for cost estimates in plans: Linux, per hour, as
// AWS publishes them. Regions not listed get no estimate rather than a guess.
import type { Resources } from './service-facts.js';

/** When these prices were read off AWS's Fargate pricing page. */
export const FARGATE_PRICES_AS_OF = '2026-11-26';
export const HOURS_PER_MONTH = 730;

interface Rate {
  perVcpuHour: number;
  perGbHour: number;
}

export const FARGATE_PRICES: Record<string, { X86_64: Rate; ARM64: Rate }> = {
  'us-east-1': {
    X86_64: { perVcpuHour: 0.04048, perGbHour: 0.004445 },
    ARM64: { perVcpuHour: 0.03238, perGbHour: 0.00356 },
  },
};

/** Monthly cost of `tasks` Fargate tasks of `size` (CPU units, MiB), or undefined for a region without prices. */
export function fargateMonthlyCost(region: string, architecture: 'X86_64' | 'ARM64', size: Resources, tasks: number): number | undefined {
  const rate = FARGATE_PRICES[region]?.[architecture];
  if (!rate) return undefined;
  const hourly = (size.cpu / 1024) * rate.perVcpuHour + (size.memory / 1024) * rate.perGbHour;
  return hourly * HOURS_PER_MONTH * tasks;
}
