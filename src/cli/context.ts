// What every command gets from the global options: the AWS session, the config,
// and where to write.
import chalk from 'chalk';
import type { Recorder } from '../aws/recording.js';
import { openSession, type AwsSession } from '../aws/session.js';
import { loadConfig, type MeshctlConfig } from '../config/config.js';
import { parseDuration } from '../util/duration.js';
import { stopReadProgress, withReadProgress } from './read-progress.js';

export type OutputFormat = 'text' | 'json';

export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  connectTimeout?: string;
  requestTimeout?: string;
  fixtures?: string;
  output: OutputFormat;
  color: boolean;
  verbose?: boolean;
  config?: string;
}

export function applyColor(options: GlobalOptions): void {
  if (!options.color || 'NO_COLOR' in process.env) chalk.level = 0;
}

export function writeOut(text: string): void {
  stopReadProgress();
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeErr(text: string): void {
  stopReadProgress();
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export interface SessionRequest {
  allowMutations: boolean;
  recorder?: Recorder;
}

export async function openAws(options: GlobalOptions, request: SessionRequest): Promise<AwsSession> {
  const session = await openSession({
    fixtures: options.fixtures,
    region: options.region,
    profile: options.profile,
    endpointUrl: options.endpointUrl,
    connectTimeoutMs: options.connectTimeout === undefined ? undefined : parseDuration(options.connectTimeout, '--connect-timeout'),
    requestTimeoutMs: options.requestTimeout === undefined ? undefined : parseDuration(options.requestTimeout, '--request-timeout'),
    allowMutations: request.allowMutations,
    recorder: request.recorder,
    log: options.verbose ? (line) => writeErr(chalk.dim(line)) : undefined,
  });
  return { ...session, aws: withReadProgress(session.aws) };
}

export function config(options: GlobalOptions): Promise<MeshctlConfig> {
  return loadConfig(options.config);
}
