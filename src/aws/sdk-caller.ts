// Live AWS calls through the AWS SDK v3. The SDK modules load on first use so
// commands that never reach AWS (--help, --fixtures) never pay for them.
import { AwsCallError, type AwsCaller, type AwsInput, type AwsOutput, type AwsService } from './caller.js';

export interface SdkOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Attempts per call, the SDK retrying throttling, 5xx and network errors with backoff. */
  maxAttempts?: number;
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
};

/** SDK responses carry Date objects and $metadata; the estate is plain JSON, the same live or replayed. */
function toPlainOutput(output: Record<string, unknown>): AwsOutput {
  const { $metadata: _metadata, ...rest } = output;
  return JSON.parse(JSON.stringify(rest)) as AwsOutput;
}

export function createSdkCaller(options: SdkOptions): AwsCaller {
  const clients = new Map<AwsService, Promise<{ module: SdkModule; client: SdkClient }>>();
  // Every command starts with ECS: load its client while the command gets ready.
  clientFor('ecs').catch(() => undefined);

  function clientFor(service: AwsService) {
    let entry = clients.get(service);
    if (!entry) {
      entry = MODULES[service].load().then((module) => {
        const Client = module[MODULES[service].client] as ClientConstructor;
        const client = new Client({
          region: options.region,
          profile: options.profile,
          endpoint: options.endpointUrl,
          // AWS_MAX_ATTEMPTS, the standard setting, wins over meshctl's default.
          ...(!process.env.AWS_MAX_ATTEMPTS && { maxAttempts: options.maxAttempts ?? 8 }),
          // Standard retries (exponential backoff with jitter); meshctl's own token buckets do the pacing.
          retryMode: 'standard',
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
      try {
        return toPlainOutput(await client.send(new Command(input))) as T;
      } catch (error) {
        const e = error as { name?: string; message?: string };
        throw new AwsCallError(service, operation, e.name ?? 'Error', e.message ?? String(error));
      }
    },
  };
}

/** The region the SDK would use: flag, then AWS_REGION, then the profile's config. */
export async function resolveSdkRegion(options: SdkOptions): Promise<string | undefined> {
  if (options.region) return options.region;
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
