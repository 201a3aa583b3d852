// Live AWS calls through the AWS SDK v3. The SDK modules load on first use so
// commands that never reach AWS (--help, --fixtures) never pay for them.
import { AwsCallError, type AwsCaller, type AwsInput, type AwsOutput, type AwsService } from './caller.js';

export interface SdkOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Attempts per call, the SDK retrying throttling, 5xx and network errors with backoff. */
  maxAttempts?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Act in another account: assume this role (STS, credentials refreshed before they expire). */
  assumeRole?: { roleArn: string; externalId?: string; sessionName?: string; sourceProfile?: string };
  /** Where the SDK's own warnings go (--verbose), one line each, never to the user's output. */
  log?: (line: string) => void;
}

type SdkModule = Record<string, unknown>;
interface SdkClient {
  send(command: unknown): Promise<Record<string, unknown>>;
}
type ClientConstructor = new (config: Record<string, unknown>) => SdkClient;
type CommandConstructor = new (input: AwsInput) => unknown;

const MODULES: Record<AwsService, { load: () => Promise<SdkModule>; client: string }> = {
  ecs: { load: () => import('@aws-sdk/client-ecs'), client: 'ECSClient' },
  ec2: { load: () => import('@aws-sdk/client-ec2'), client: 'EC2Client' },
  servicediscovery: { load: () => import('@aws-sdk/client-servicediscovery'), client: 'ServiceDiscoveryClient' },
  appmesh: { load: () => import('@aws-sdk/client-app-mesh'), client: 'AppMeshClient' },
  elbv2: { load: () => import('@aws-sdk/client-elastic-load-balancing-v2'), client: 'ElasticLoadBalancingV2Client' },
  sts: { load: () => import('@aws-sdk/client-sts'), client: 'STSClient' },
  'application-autoscaling': { load: () => import('@aws-sdk/client-application-auto-scaling'), client: 'ApplicationAutoScalingClient' },
  cloudwatch: { load: () => import('@aws-sdk/client-cloudwatch'), client: 'CloudWatchClient' },
  route53: { load: () => import('@aws-sdk/client-route-53'), client: 'Route53Client' },
  ram: { load: () => import('@aws-sdk/client-ram'), client: 'RAMClient' },
  // Only for meshctl's own state (journals and locks), never the estate.
  s3: { load: () => import('@aws-sdk/client-s3'), client: 'S3Client' },
  // IAM is global: the SDK resolves its one endpoint from any region.
  iam: { load: () => import('@aws-sdk/client-iam'), client: 'IAMClient' },
};

/**
 * SDK responses carry Date objects and $metadata; the estate is plain JSON,
 * the same live or replayed. A streamed body (S3 GetObject) is read whole as
 * UTF-8 text: meshctl only stores JSON documents there.
 */
async function toPlainOutput(output: Record<string, unknown>): Promise<AwsOutput> {
  const { $metadata: _metadata, ...rest } = output;
  const body = rest.Body as { transformToString?: (encoding?: string) => Promise<string> } | undefined;
  if (typeof body?.transformToString === 'function') rest.Body = await body.transformToString('utf-8');
  return JSON.parse(JSON.stringify(rest)) as AwsOutput;
}

/**
 * The SDK's warnings (several credential sources, and the like) are
 * multi-line notices for developers: one line in the --verbose log instead.
 */
function sdkLogger(log: ((line: string) => void) | undefined) {
  const quiet = () => undefined;
  const warn = (...parts: unknown[]) => log?.(`aws-sdk: ${parts.map(String).join(' ').replace(/\s+/g, ' ').trim()}`);
  return { trace: quiet, debug: quiet, info: quiet, warn, error: quiet };
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'the timeout' : `${ms / 1000}s`);

/** meshctl's default attempts per call: throttling outlasts a few retries under a busy account's quota. */
const MAX_ATTEMPTS = 8;
/**
 * Attempts per call when the network fails (a timeout, a reset connection):
 * an endpoint that did not answer twice rarely answers the third time. Three
 * attempts of the default 30 s request timeout give up within about a minute
 * and a half, inside the AWS CLI's worst case (3 attempts of 60 s in its
 * standard retry mode: AWS CLI User Guide, "AWS CLI retries").
 */
const NETWORK_FAILURE_ATTEMPTS = 3;

type RetryModule = typeof import('@smithy/core/retry');
type RetryStrategy = InstanceType<RetryModule['StandardRetryStrategy']>;

/** The SDK's standard retries (backoff with jitter), but network failures stop after NETWORK_FAILURE_ATTEMPTS. */
function retryStrategy(retry: RetryModule, maxAttempts: number): Pick<RetryStrategy, 'mode' | 'acquireInitialRetryToken' | 'refreshRetryTokenForRetry' | 'recordSuccess'> {
  const standard = new retry.StandardRetryStrategy(maxAttempts);
  return {
    mode: standard.mode,
    acquireInitialRetryToken: (scope) => standard.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token, errorInfo) => {
      if (errorInfo.errorType === 'TRANSIENT' && token.getRetryCount() + 1 >= NETWORK_FAILURE_ATTEMPTS) throw errorInfo.error;
      return standard.refreshRetryTokenForRetry(token, errorInfo);
    },
    recordSuccess: (token) => standard.recordSuccess(token),
  };
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * What went wrong, in AWS's terms where there are some. Failures below AWS
 * (a proxy's HTML page, TLS to a plain-HTTP port, no answer) are named by what
 * they are and where, never by a JavaScript error class.
 */
function callFailure(error: unknown, endpoint: string, timeouts: { connectMs?: number; requestMs?: number }, waitedMs: number): { code: string; message: string } {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; $response?: { statusCode?: number } };
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (e.name === 'TimeoutError' || /timed out|ETIMEDOUT|exceeded the configured/.test(message)) {
    const attempts = e.$metadata?.attempts ?? 1;
    const waited = `${attempts} attempt${attempts === 1 ? '' : 's'}, ${elapsed(waitedMs)} in all`;
    return /connection/i.test(message)
      ? { code: 'Timeout', message: `could not connect to ${endpoint} within ${seconds(timeouts.connectMs)} (--connect-timeout; ${waited}): check the endpoint and the network` }
      : { code: 'Timeout', message: `no answer from ${endpoint} within ${seconds(timeouts.requestMs)} (--request-timeout; ${waited}): check the endpoint, or allow longer` };
  }
  if (/EPROTO|SSL routines|wrong version number|ERR_SSL|certificate|self.signed|UNABLE_TO_VERIFY/i.test(message) || /^ERR_TLS|^DEPTH_ZERO|CERT/.test(e.code ?? '')) {
    return { code: 'TlsError', message: `the TLS handshake with ${endpoint} failed${/wrong version number/.test(message) ? ' (the port answers plain HTTP: use http:// in --endpoint-url)' : ' (check the certificate, or use http:// for a plain-HTTP endpoint)'}` };
  }
  if (e.name === 'SyntaxError' || e.name === 'TypeError' || (e.name === 'Unknown' && status !== undefined) || /Deserialization error|is not valid JSON|Unexpected token/.test(message)) {
    return { code: 'UnreadableResponse', message: `${endpoint} answered${status ? ` HTTP ${status}` : ''} with something that is not an AWS response (an HTML error page from a proxy or load balancer?): check --endpoint-url and any proxy in between` };
  }
  if (/\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH)\b|socket hang up/.test(message)) {
    return { code: e.name ?? 'NetworkError', message: `${message.split('\n')[0]} at ${endpoint}` };
  }
  return { code: e.name ?? 'Error', message };
}

export function createSdkCaller(options: SdkOptions): AwsCaller {
  const endpointOf = (service: AwsService) => options.endpointUrl ?? `the AWS ${service} endpoint in ${options.region ?? 'the default region'}`;
  const clients = new Map<AwsService, Promise<{ module: SdkModule; client: SdkClient }>>();
  // One assumed-role session for all of the account's clients: the provider caches and refreshes it.
  let credentials: Promise<unknown> | undefined;
  const roleCredentials = (role: NonNullable<SdkOptions['assumeRole']>) => {
    credentials ??= import('@aws-sdk/credential-providers').then((providers) => providers.fromTemporaryCredentials({
      params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName ?? 'meshctl', ...(role.externalId && { ExternalId: role.externalId }) },
      ...(role.sourceProfile && { masterCredentials: providers.fromIni({ profile: role.sourceProfile }) }),
      clientConfig: { region: options.region, ...(options.endpointUrl && { endpoint: options.endpointUrl }) },
    }));
    return credentials;
  };

  // Every command starts with ECS: load its client while the command gets ready.
  clientFor('ecs').catch(() => undefined);

  function clientFor(service: AwsService) {
    let entry = clients.get(service);
    if (!entry) {
      entry = Promise.all([MODULES[service].load(), import('@smithy/core/retry'), options.assumeRole ? roleCredentials(options.assumeRole) : undefined]).then(([module, retry, assumed]) => {
        const Client = module[MODULES[service].client] as ClientConstructor;
        const client = new Client({
          region: options.region,
          ...(assumed ? { credentials: assumed } : { profile: options.profile }),
          endpoint: options.endpointUrl,
          // Standard retries (exponential backoff with jitter), fewer for network failures; meshctl's own
          // token buckets do the pacing. AWS_MAX_ATTEMPTS, the standard setting, wins over meshctl's default.
          retryStrategy: retryStrategy(retry, Number(process.env.AWS_MAX_ATTEMPTS) || (options.maxAttempts ?? MAX_ATTEMPTS)),
          // Without throwOnRequestTimeout the handler only warns when the request timeout passes, and waits on.
          requestHandler: { connectionTimeout: options.connectTimeoutMs, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
          logger: sdkLogger(options.log),
          // S3 (the state bucket): an endpoint of one's own (a proxy, an S3-compatible store) rarely resolves
          // BUCKET.host names, so buckets go in the path there; a bucket in another region is followed there.
          ...(service === 's3' && { forcePathStyle: options.endpointUrl !== undefined, followRegionRedirects: true }),
        });
        return { module, client };
      });
      clients.set(service, entry);
    }
    return entry;
  }

  return {
    async call<T>(service: AwsService, operation: string, input: AwsInput): Promise<T> {
      const { module, client } = await clientFor(service);
      const Command = module[`${operation}Command`] as CommandConstructor | undefined;
      if (!Command) throw new Error(`the AWS SDK for ${service} has no operation ${operation}`);
      const started = Date.now();
      try {
        return await toPlainOutput(await client.send(new Command(input))) as T;
      } catch (error) {
        const { code, message } = callFailure(error, endpointOf(service), { connectMs: options.connectTimeoutMs, requestMs: options.requestTimeoutMs }, Date.now() - started);
        throw new AwsCallError(service, operation, code, message);
      }
    },
  };
}

/** The region, as the AWS CLI picks it: flag, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's config. */
export async function resolveSdkRegion(options: SdkOptions): Promise<string | undefined> {
  if (options.region) return options.region;
  // The JS SDK ignores AWS_DEFAULT_REGION, which the AWS CLI honours.
  const fromEnv = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const { ECSClient } = await import('@aws-sdk/client-ecs');
  const client = new ECSClient({ profile: options.profile });
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
