// The usage flags of precheck, plan, apply and record over meshctl.yaml's
// usage: section: --no-usage, --usage-window, --usage-headroom.
import type { MeshctlConfig } from '../config/config.js';
import { parseWindowHours } from '../util/duration.js';
import { UsageError } from './errors.js';

export interface UsageFlags {
  /** false with --no-usage. */
  usage?: boolean;
  usageWindow?: string;
  usageHeadroom?: string;
}

/** 25 or 25%: the room kept over observed peaks, in percent. */
function parseHeadroom(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!(value >= 0 && value <= 400)) throw new UsageError(`--usage-headroom ${text}: give a percentage between 0 and 400, for example 25 or 25%`);
  return value;
}

/** The run's settings: meshctl.yaml's usage section, then the flags. */
export function withUsageFlags(settings: MeshctlConfig, flags: UsageFlags): MeshctlConfig {
  const usage = { ...settings.usage };
  if (flags.usage === false) usage.read = false;
  if (flags.usageWindow !== undefined) {
    parseWindowHours(flags.usageWindow, '--usage-window');
    usage.window = flags.usageWindow;
  }
  if (flags.usageHeadroom !== undefined) usage.headroom = parseHeadroom(flags.usageHeadroom);
  return { ...settings, usage };
}

