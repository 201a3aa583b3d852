import pLimit from 'p-limit';
import type { AwsCaller } from './caller.js';

/** At most `concurrency` calls in flight; the rest queue in order. */
export function limitConcurrency(inner: AwsCaller, concurrency: number): AwsCaller {
  const limit = pLimit(concurrency);
  return { call: (service, operation, input) => limit(() => inner.call(service, operation, input)) } as AwsCaller;
}
