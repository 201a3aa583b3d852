import { envoyContainer } from '../service-facts.js';
import type { ServiceRule } from './rule.js';

/** Envoy runs as UID 1337 and proxyConfiguration's IgnoredUID exempts that UID from redirection. */
export const PROXY_UID = '1337';

export const proxyUidConflict: ServiceRule = {
  id: 'proxy-uid-conflict',
  title: 'No app container runs as the proxy UID',
  scope: 'service',
  targets: ['appmesh'],
  notApplicable: { 'service-connect': 'Service Connect does not redirect traffic by UID.' },
  check({ taskDefinition }) {
    const envoy = envoyContainer(taskDefinition);
    return taskDefinition.containerDefinitions
      .filter((c) => c !== envoy && c.name !== 'xray-daemon' && c.user !== undefined && c.user.split(':')[0] === PROXY_UID)
      .map((c) => ({
        severity: 'error' as const,
        blocking: true,
        message: `container ${c.name} runs as user ${c.user}, the UID Envoy uses; its traffic would bypass the proxy`,
        hint: `Run ${c.name} as another UID (user in its container definition).`,
      }));
  },
};
