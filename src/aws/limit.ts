import pLimit from 'p-limit';
import type { AwsCaller } from './caller.js';

/**
 * At most `concurrency` calls of each operation in flight; the rest queue in
 * order. Per operation, so a quota-paced operation (DescribeTaskDefinition)
 * never queues behind a burst of another (DescribeServices): a call sent long
 * after it took its quota token could find AWS's bucket no longer holding it.
 */
export function limitConcurrency(inner: AwsCaller, concurrency: number): AwsCaller {
  const pools = new Map<string, ReturnType<typeof pLimit>>();
  return {
    call: (service, operation, input) => {
      const key = `${service} ${operation}`;
      let pool = pools.get(key);
      if (!pool) pools.set(key, (pool = pLimit(concurrency)));
      return pool(() => inner.call(service, operation, input));
    },
  } as AwsCaller;
}
