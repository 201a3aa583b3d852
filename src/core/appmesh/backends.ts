// Backends a service calls, inferred from environment values that name another
// service's virtual service (its Cloud Map name), e.g. http://orders.shop.local:8080.
import type { TaskDefinition } from '../estate.js';
import type { PlannedBackend } from '../plan/model.js';
import { ENVOY_CONTAINER, XRAY_CONTAINER } from '../sidecars.js';

const HOSTNAME = /(?:^|[/@\s,;=])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)(?=[:/\s,;?]|$)/gi;

export function inferBackends(taskDefinition: TaskDefinition, knownVirtualServices: ReadonlySet<string>, self: string): PlannedBackend[] {
  const found = new Map<string, PlannedBackend>();
  for (const container of taskDefinition.containerDefinitions) {
    if (container.name === ENVOY_CONTAINER || container.name === XRAY_CONTAINER) continue;
    for (const { name, value } of container.environment ?? []) {
      for (const match of value.matchAll(HOSTNAME)) {
        const host = match[1]!.toLowerCase();
        if (host !== self && knownVirtualServices.has(host) && !found.has(host)) {
          found.set(host, { virtualService: host, inferred: true, from: `${container.name}.${name}` });
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => a.virtualService.localeCompare(b.virtualService));
}
