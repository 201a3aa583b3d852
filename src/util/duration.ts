import { ExpectedError } from './expected-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Polling AWS more often than once a second only spends the caller's API quota. */
const MIN_POLL_INTERVAL_MS = 1000;

/** A --poll-interval: a duration of at least one second. */
export function parsePollInterval(text: string, flag = '--poll-interval'): number {
  const ms = parseDuration(text, flag);
  if (ms < MIN_POLL_INTERVAL_MS) throw new ExpectedError(`${flag} ${text} is under 1s: polling that often only spends the API quota; use 1s or more (default 10s)`);
  return ms;
}

/** Parses 500ms, 30s, 10m, 1h, 1h30m, 14d into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ExpectedError(`${flag} ${text} is not a duration: use forms like 90s, 10m, 1h30m`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/**
 * A window of CloudWatch history in whole hours, 1h to 455d: CloudWatch keeps
 * hourly datapoints for 455 days (Amazon CloudWatch User Guide, "Metrics
 * concepts", metric retention).
 */
export const MAX_WINDOW_HOURS = 455 * 24;

export function parseWindowHours(text: string, flag: string): number {
  const hours = parseDuration(text, flag) / UNITS.h!;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_WINDOW_HOURS) {
    throw new ExpectedError(`${flag} ${text}: give whole hours or days between 1h and 455d (CloudWatch keeps hourly data for 455 days), for example 14d or 36h`);
  }
  return hours;
}
