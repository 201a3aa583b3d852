// While a large estate is read, a line on stderr says how far it got
// (clusters, services, task definitions read so far); only on a terminal,
// and gone before the first line of output.
import ora, { type Ora } from 'ora';
import type { AwsCaller } from '../aws/caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const COUNTED: Record<string, (out: Raw) => [keyof Counts, number]> = {
  DescribeClusters: (out) => ['clusters', (out.clusters ?? []).length],
  DescribeServices: (out) => ['services', (out.services ?? []).length],
  DescribeTaskDefinition: () => ['taskDefinitions', 1],
};

interface Counts { clusters: number; services: number; taskDefinitions: number }

let spinner: Ora | undefined;

/** Clears the line; called before anything else is written. */
export function stopReadProgress(): void {
  spinner?.stop();
  spinner = undefined;
}

/** The caller, counting what it reads on a terminal that can be redrawn; unchanged elsewhere. */
export function withReadProgress(aws: AwsCaller, stream: NodeJS.WriteStream = process.stderr): AwsCaller {
  if (!stream.isTTY || (stream.columns ?? 0) <= 0) return aws;
  const counts: Counts = { clusters: 0, services: 0, taskDefinitions: 0 };
  let reading = true;
  return {
    async call<T>(service: Parameters<AwsCaller['call']>[0], operation: string, input: Parameters<AwsCaller['call']>[2]): Promise<T> {
      const out = await aws.call<T>(service, operation, input);
      const count = service === 'ecs' ? COUNTED[operation] : undefined;
      if (count && reading) {
        const [what, n] = count(out as Raw);
        counts[what] += n;
        // discardStdin off: ora would put the terminal into raw mode, and Ctrl-C would no longer interrupt.
        spinner ??= ora({ stream, discardStdin: false }).start();
        spinner.text = `reading the estate: ${counts.clusters} cluster(s), ${counts.services} service(s), ${counts.taskDefinitions} task definition(s)`;
      }
      // Once meshctl changes something, it is no longer reading the estate.
      if (!/^(Describe|List|Get)/.test(operation)) {
        reading = false;
        stopReadProgress();
      }
      return out;
    },
  };
}
