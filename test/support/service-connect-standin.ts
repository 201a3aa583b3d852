// Test-only stand-ins for two moto gaps the Service Connect path meets:
// - moto accepts serviceConnectConfiguration on CreateService/UpdateService
//   and drops it: DescribeServices never reports it. The stand-in remembers
//   what was sent and shows it on the service's PRIMARY deployment, as ECS does.
// - moto's Cloud Map ListServices ignores the NAMESPACE_ID filter: the
//   stand-in drops the services of other namespaces from the answer.
// - moto's CreateService drops healthCheckGracePeriodSeconds,
//   enableExecuteCommand and the deployment circuit breaker: the stand-in
//   remembers them from the CreateService it passed and reports them back.
// Not product code: meshctl talks to AWS exactly as it would without them.

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

const clusterName = (cluster: string | undefined) => (cluster ?? 'default').split('/').pop()!;

/** CreateService settings moto accepts and drops. */
const DROPPED = ['healthCheckGracePeriodSeconds', 'enableExecuteCommand'];

/** What the stand-in keeps, by cluster/service: plain data, which a proxy may start from (AwsProxy.standIns). */
export interface ServiceConnectState {
  configs: Map<string, unknown>;
  settings: Map<string, Raw>;
}

export const emptyServiceConnectState = (): ServiceConnectState => ({ configs: new Map(), settings: new Map() });

export function createServiceConnectStandIn({ configs, settings }: ServiceConnectState = emptyServiceConnectState()) {
  return {
    /** After a successful ECS CreateService or UpdateService. */
    remember(operation: string, input: Raw | undefined): void {
      if (!input || (operation !== 'CreateService' && operation !== 'UpdateService')) return;
      const key = `${clusterName(input.cluster)}/${input.serviceName ?? input.service}`;
      if (operation === 'CreateService') {
        const kept: Raw = Object.fromEntries(DROPPED.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
        if (input.deploymentConfiguration?.deploymentCircuitBreaker) kept.deploymentCircuitBreaker = input.deploymentConfiguration.deploymentCircuitBreaker;
        if (Object.keys(kept).length > 0) settings.set(key, kept);
      }
      if (input.serviceConnectConfiguration) configs.set(key, input.serviceConnectConfiguration);
    },
    /** A DescribeServices answer with the remembered configurations on the PRIMARY deployments. */
    describe(payload: Buffer): Buffer {
      if (configs.size === 0 && settings.size === 0) return payload;
      const out = JSON.parse(payload.toString()) as { services?: Raw[] };
      for (const service of out.services ?? []) {
        const { deploymentCircuitBreaker, ...kept } = settings.get(`${clusterName(service.clusterArn)}/${service.serviceName}`) ?? {};
        Object.assign(service, kept);
        if (deploymentCircuitBreaker) service.deploymentConfiguration = { ...service.deploymentConfiguration, deploymentCircuitBreaker };
        const config = configs.get(`${clusterName(service.clusterArn)}/${service.serviceName}`);
        const primary = (service.deployments ?? []).find((d: Raw) => d.status === 'PRIMARY');
        if (config && primary) primary.serviceConnectConfiguration = config;
      }
      return Buffer.from(JSON.stringify(out));
    },
  };
}

export function filterServicesByNamespace(payload: Buffer, input: Raw | undefined): Buffer {
  const filter = (input?.Filters as Raw[] | undefined)?.find((f) => f.Name === 'NAMESPACE_ID');
  if (!filter) return payload;
  const out = JSON.parse(payload.toString()) as { Services?: Raw[] };
  out.Services = (out.Services ?? []).filter((s) => (filter.Values as string[]).includes(s.NamespaceId));
  return Buffer.from(JSON.stringify(out));
}
