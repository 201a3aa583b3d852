// meshctl.yaml: optional settings, validated against a schema. Every field has
// a default, so commands run without a file.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ExpectedError } from '../util/expected-error.js';
import { DEFAULT_SIDECAR_SIZING, TARGETS, type SidecarSizing, type Target } from '../core/sidecars.js';

export const DEFAULT_CONFIG_FILE = 'meshctl.yaml';

const size = (defaults: { cpu: number; memory: number }) => z.object({
  cpu: z.number().int().positive().default(defaults.cpu),
  memory: z.number().int().positive().default(defaults.memory),
}).strict().default(defaults);

const ConfigSchema = z.object({
  target: z.enum(TARGETS as [Target, ...Target[]]).optional(),
  sidecars: z.object({
    envoy: size(DEFAULT_SIDECAR_SIZING.envoy),
    xray: size(DEFAULT_SIDECAR_SIZING.xray),
    serviceConnectAgent: size(DEFAULT_SIDECAR_SIZING.serviceConnectAgent),
  }).strict().default(DEFAULT_SIDECAR_SIZING),
}).strict();

export interface MeshctlConfig {
  target?: Target;
  sidecars: SidecarSizing;
}

export class ConfigError extends ExpectedError {}

/** Loads --config FILE, or meshctl.yaml when present, or the defaults. */
export async function loadConfig(path: string | undefined): Promise<MeshctlConfig> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && path === undefined) return ConfigSchema.parse({});
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = ConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new ConfigError(`${file}: ${where}: ${issue.message}`);
  }
  return result.data;
}
