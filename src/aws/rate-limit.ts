// Client-side token buckets per API action, at the rates AWS documents for
// ECS and CloudWatch (bucket size = burst, refill = sustained rate per second), so a large
// run stays within its quota instead of being throttled and backing off.
// The SDK's retries (standard mode, backoff with jitter) remain for what other
// clients of the same account use.
import type { AwsCaller, AwsService } from './caller.js';

export interface BucketRate {
  burst: number;
  perSecond: number;
}

/** From the ECS API request-throttling documentation (per account and Region). */
export const ECS_RATES: Record<string, BucketRate> = {
  ListClusters: { burst: 50, perSecond: 20 },
  DescribeClusters: { burst: 50, perSecond: 20 },
  ListContainerInstances: { burst: 50, perSecond: 20 },
  DescribeContainerInstances: { burst: 50, perSecond: 20 },
  ListServices: { burst: 100, perSecond: 20 },
  DescribeServices: { burst: 100, perSecond: 20 },
  ListTasks: { burst: 100, perSecond: 20 },
  DescribeTasks: { burst: 100, perSecond: 20 },
  DescribeTaskDefinition: { burst: 50, perSecond: 20 },
  ListTaskDefinitions: { burst: 50, perSecond: 20 },
  ListAccountSettings: { burst: 50, perSecond: 20 },
  RegisterTaskDefinition: { burst: 20, perSecond: 1 },
  DeregisterTaskDefinition: { burst: 20, perSecond: 1 },
  CreateService: { burst: 50, perSecond: 5 },
  UpdateService: { burst: 50, perSecond: 5 },
  UpdateCluster: { burst: 20, perSecond: 1 },
};

/** GetMetricData: 50 transactions per second (Amazon CloudWatch User Guide, "CloudWatch service quotas"). */
export const CLOUDWATCH_RATES: Record<string, BucketRate> = {
  GetMetricData: { burst: 50, perSecond: 50 },
};

const RATES: Partial<Record<AwsService, Record<string, BucketRate>>> = { ecs: ECS_RATES, cloudwatch: CLOUDWATCH_RATES };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  private readonly capacity: number;

  constructor(private readonly rate: BucketRate, private readonly now: () => number = () => performance.now()) {
    // A little of the burst stays in reserve: network jitter can bunch calls
    // that left evenly spaced, and AWS's bucket then still has room for them.
    this.capacity = Math.max(1, rate.burst - Math.ceil(rate.burst / 20));
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Resolves when a token is taken; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate.perSecond);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

export function rateLimit(inner: AwsCaller, rates: typeof RATES = RATES): AwsCaller {
  const buckets = new Map<string, TokenBucket>();
  return {
    async call(service, operation, input) {
      const rate = rates[service]?.[operation];
      if (rate) {
        const key = `${service} ${operation}`;
        let bucket = buckets.get(key);
        if (!bucket) buckets.set(key, (bucket = new TokenBucket(rate)));
        await bucket.take();
      }
      return inner.call(service, operation, input);
    },
  } as AwsCaller;
}
