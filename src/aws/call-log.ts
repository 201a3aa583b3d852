import { AwsCallError, type AwsCaller } from './caller.js';

/** Logs every call with its duration and outcome (--verbose). */
export function logCalls(inner: AwsCaller, log: (line: string) => void): AwsCaller {
  return {
    async call(service, operation, input) {
      const started = performance.now();
      const took = () => `${Math.round(performance.now() - started)}ms`;
      try {
        const output = await inner.call(service, operation, input);
        log(`aws ${service} ${operation} ${took()}`);
        return output;
      } catch (error) {
        log(`aws ${service} ${operation} ${took()} failed: ${error instanceof AwsCallError ? error.code : (error as Error).name}`);
        throw error;
      }
    },
  } as AwsCaller;
}
