// What every command gets from the global options: the AWS session, the config,
// and where to write.
import chalk from 'chalk';
import type { Recorder } from '../aws/recording.js';
import { openSession, type AwsSession } from '../aws/session.js';
import { DEFAULT_STATE, openState, type RunState, type StateSettings } from '../apply/open-state.js';
import { loadConfig, type MeshctlConfig } from '../config/config.js';
import { parseStateUrl } from '../core/state.js';
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
  /** --account: only these of meshctl.yaml's accounts. */
  account?: string[];
  /** --state (or MESHCTL_STATE): s3://BUCKET/PREFIX or a directory, over meshctl.yaml's state:. */
  state?: string;
  /** false with --no-pager. */
  pager?: boolean;
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
  const settings = await loadConfig(options.config);
  const session = await openSession({
    accounts: settings.accounts,
    onlyAccounts: options.account,
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
  const accounts = session.accounts.map((a) => ({ ...a, aws: withReadProgress(a.aws) }));
  return { ...session, accounts, aws: (accounts.find((a) => a.home) ?? accounts[0]!).aws };
}

export function config(options: GlobalOptions): Promise<MeshctlConfig> {
  return loadConfig(options.config);
}

/** Where the state is: --state over meshctl.yaml's state: over ./.meshctl. */
export function stateSettings(options: GlobalOptions, settings: MeshctlConfig): StateSettings {
  const configured = settings.state;
  const url = options.state ?? configured?.url ?? DEFAULT_STATE.url;
  if (options.state !== undefined) parseStateUrl(options.state);
  return {
    url,
    ...(configured?.account && { account: configured.account }),
    ...(configured?.kmsKeyId && url.startsWith('s3://') && { kmsKeyId: configured.kmsKeyId }),
    lockTtlMs: configured?.lockTtl ? parseDuration(configured.lockTtl, 'state.lockTtl') : DEFAULT_STATE.lockTtlMs,
  };
}

/** The run's state; an S3 state is announced on stderr with whose credentials reach it. */
export async function openRunState(options: GlobalOptions, session: AwsSession | undefined): Promise<RunState> {
  const state = openState(stateSettings(options, await config(options)), options.fixtures ? undefined : session?.accounts);
  if (state.banner) writeErr(state.banner);
  return state;
}
