// The entry to the AWS layer: one caller per run, live or replayed, always
// behind the mutation guard, the concurrency limit and the optional call log.
import { ExpectedError } from '../util/expected-error.js';
import { guardMutations, type AwsCaller } from './caller.js';
import { logCalls } from './call-log.js';
import { limitConcurrency } from './limit.js';
import { rateLimit } from './rate-limit.js';
import type { AccountConfig } from '../config/config.js';
import { openAccounts, type AccountSession } from './accounts.js';
import { accountFixturesDir, createReplayCaller, FixturesError, loadFixtures, type Recorder } from './recording.js';
import { createSdkCaller, resolveSdkRegion } from './sdk-caller.js';
import { knownProfiles } from './shared-profiles.js';

export interface SessionOptions {
  fixtures?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Per request: time to connect, and time to the whole answer. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Only apply and rollback, when not dry, may change the account. */
  allowMutations: boolean;
  concurrency?: number;
  log?: (line: string) => void;
  recorder?: Recorder;
  /** meshctl.yaml's accounts: the caller's own is always there, named or not. */
  accounts?: Record<string, AccountConfig>;
  /** --account: only these accounts (by name). */
  onlyAccounts?: string[];
}

export interface AwsSession {
  /** The caller's own account (the first selected account when --account leaves it out). */
  aws: AwsCaller;
  /** Every account of the run, the caller's own first. */
  accounts: AccountSession[];
  region: string;
  /** Where the calls go: the fixtures directory, or the endpoint/region. */
  source: string;
}

/** The run cannot reach AWS as configured (no region, conflicting flags). */
export class ConfigurationError extends ExpectedError {}

const DEFAULT_CONCURRENCY = 16;
/** An endpoint that accepts and never answers ends each attempt with an error instead of a hang. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function checkEndpointUrl(value: string, source: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new ConfigurationError(`${source} ${value} is not an endpoint URL: expected http(s)://host[:port], e.g. http://127.0.0.1:5000`);
  }
}

async function replayBase(options: SessionOptions): Promise<{ base: (account: string | undefined) => Promise<AwsCaller>; region: string; source: string }> {
  const dir = options.fixtures!;
  const fixtures = await loadFixtures(dir);
  if (options.region && options.region !== fixtures.manifest.region) {
    throw new FixturesError(`--region ${options.region} does not match the fixtures, recorded in ${fixtures.manifest.region}; drop --region or use fixtures of that region`);
  }
  return {
    region: fixtures.manifest.region,
    source: `fixtures ${dir}`,
    // Each other account replays its own recording, in accounts/<name>/ of the fixtures.
    base: async (account) => {
      if (account === undefined) return createReplayCaller(dir, fixtures);
      const sub = accountFixturesDir(dir, account);
      const loaded = await loadFixtures(sub).catch((error: unknown) => {
        if (error instanceof FixturesError) throw new FixturesError(`the fixtures in ${dir} have no recording of account ${account} (${sub}): record them with meshctl record --out ${dir}, with the account in meshctl.yaml`);
        throw error;
      });
      return createReplayCaller(sub, loaded);
    },
  };
}

export async function openSession(options: SessionOptions): Promise<AwsSession> {
  /** The base caller of an account: the caller's own (no name), or a named one reached by role or profile. */
  let base: (name: string | undefined, account: AccountConfig | undefined) => Promise<AwsCaller>;
  let region: string;
  let source: string;
  if (options.fixtures) {
    const replay = await replayBase(options);
    region = replay.region;
    source = replay.source;
    base = (name) => replay.base(name);
  } else {
    const endpointUrl = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
    if (endpointUrl !== undefined) checkEndpointUrl(endpointUrl, options.endpointUrl !== undefined ? '--endpoint-url' : 'AWS_ENDPOINT_URL');
    const profiles = [options.profile ?? process.env.AWS_PROFILE, ...Object.values(options.accounts ?? {}).map((a) => a.profile)].filter((p): p is string => !!p);
    if (profiles.length > 0) {
      const { names, files } = await knownProfiles();
      for (const profile of profiles) {
        if (!names.has(profile)) {
          throw new ConfigurationError(`AWS profile ${profile} not found in ${files.join(' or ')}: check the name (aws configure list-profiles), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files that define it`);
        }
      }
    }
    const resolved = await resolveSdkRegion({ region: options.region, profile: options.profile });
    if (!resolved) {
      throw new ConfigurationError('no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile (or use --fixtures DIR)');
    }
    region = resolved;
    const sdk = {
      region, endpointUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      log: options.log,
    };
    base = async (_name, account) => createSdkCaller({
      ...sdk,
      profile: account?.profile ?? options.profile,
      ...(account?.roleArn && { assumeRole: { roleArn: account.roleArn, externalId: account.externalId, sessionName: account.sessionName, sourceProfile: options.profile } }),
    });
    source = endpointUrl ? `${endpointUrl} (${region})` : region;
  }
  const wrap = (caller: AwsCaller, account: string | undefined): AwsCaller => {
    let aws = options.recorder ? options.recorder.wrap(caller, account) : caller;
    if (options.log) aws = logCalls(aws, account ? (line) => options.log!(`[${account}] ${line}`) : options.log);
    aws = limitConcurrency(aws, options.concurrency ?? DEFAULT_CONCURRENCY);
    // Calls wait for their quota token before taking a connection slot, so a
    // call paced by its quota never holds up calls of other operations.
    // Replays answer at once; only real endpoints have quotas to keep within.
    // Quotas are per account, and so are the limits.
    if (!options.fixtures) aws = rateLimit(aws);
    return guardMutations(aws, options.allowMutations);
  };
  const accounts = await openAccounts(options.accounts ?? {}, options.onlyAccounts, async (name, account) => {
    const other = account.roleArn || account.profile ? name : undefined;
    return wrap(await base(other, other ? account : undefined), other);
  });
  const home = accounts.find((a) => a.home);
  return { aws: home?.aws ?? accounts[0]!.aws, region, source, accounts };
}
