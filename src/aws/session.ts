// The entry to the AWS layer: one caller per run, live or replayed, always
// behind the mutation guard, the concurrency limit and the optional call log.
import { ExpectedError } from '../util/expected-error.js';
import { guardMutations, type AwsCaller } from './caller.js';
import { logCalls } from './call-log.js';
import { limitConcurrency } from './limit.js';
import { rateLimit } from './rate-limit.js';
import { createReplayCaller, FixturesError, loadFixtures, type Recorder } from './recording.js';
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
}

export interface AwsSession {
  aws: AwsCaller;
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

export async function openSession(options: SessionOptions): Promise<AwsSession> {
  let base: AwsCaller;
  let region: string;
  let source: string;
  if (options.fixtures) {
    const fixtures = await loadFixtures(options.fixtures);
    if (options.region && options.region !== fixtures.manifest.region) {
      throw new FixturesError(`--region ${options.region} does not match the fixtures, recorded in ${fixtures.manifest.region}; drop --region or use fixtures of that region`);
    }
    base = createReplayCaller(options.fixtures, fixtures);
    region = fixtures.manifest.region;
    source = `fixtures ${options.fixtures}`;
  } else {
    const endpointUrl = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
    if (endpointUrl !== undefined) checkEndpointUrl(endpointUrl, options.endpointUrl !== undefined ? '--endpoint-url' : 'AWS_ENDPOINT_URL');
    const profile = options.profile ?? process.env.AWS_PROFILE;
    if (profile) {
      const { names, files } = await knownProfiles();
      if (!names.has(profile)) {
        throw new ConfigurationError(`AWS profile ${profile} not found in ${files.join(' or ')}: check the name (aws configure list-profiles), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files that define it`);
      }
    }
    const resolved = await resolveSdkRegion({ region: options.region, profile: options.profile });
    if (!resolved) {
      throw new ConfigurationError('no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile (or use --fixtures DIR)');
    }
    region = resolved;
    base = createSdkCaller({
      region, profile: options.profile, endpointUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      log: options.log,
    });
    source = endpointUrl ? `${endpointUrl} (${region})` : region;
  }
  let aws = options.recorder ? options.recorder.wrap(base) : base;
  if (options.log) aws = logCalls(aws, options.log);
  aws = limitConcurrency(aws, options.concurrency ?? DEFAULT_CONCURRENCY);
  // Calls wait for their quota token before taking a connection slot, so a
  // call paced by its quota never holds up calls of other operations.
  // Replays answer at once; only real endpoints have quotas to keep within.
  if (!options.fixtures) aws = rateLimit(aws);
  aws = guardMutations(aws, options.allowMutations);
  return { aws, region, source };
}
