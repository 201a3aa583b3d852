// Fargate on-demand prices for cost estimates in plans: Linux, per hour, as
// AWS publishes them. Regions not listed get no estimate rather than a guess,
// and neither do tasks these prices do not cover: Fargate Spot (its price
// moves) and Windows (it adds an OS license per vCPU-hour) (AWS Fargate
// pricing page).
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

/** What the Linux on-demand table does not price, and why. */
export interface Unpriced {
  what: 'Fargate Spot' | 'Windows';
  why: string;
}

/** Why the table does not price a service's Fargate tasks, or undefined when it does. */
export function unpriced(capacityProviders: string[] | undefined, operatingSystemFamily: string | undefined): Unpriced | undefined {
  if ((capacityProviders ?? []).includes('FARGATE_SPOT')) return { what: 'Fargate Spot', why: 'Spot prices move, the table holds on-demand ones' };
  if (operatingSystemFamily?.startsWith('WINDOWS')) return { what: 'Windows', why: 'Windows adds an OS license the Linux table does not hold' };
  return undefined;
}
