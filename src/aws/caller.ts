// One generic way to call AWS: (service, operation, input) → output. Live SDK
// calls, recording and replay all implement it, so the estate reader and the
// plan executor never know which one they talk to.

import { ExpectedError } from '../util/expected-error.js';

export type AwsService = 'ecs' | 'ec2' | 'servicediscovery' | 'appmesh' | 'elbv2' | 'sts' | 'application-autoscaling' | 'cloudwatch' | 'route53' | 'ram' | 's3' | 'iam';
export const AWS_SERVICES: readonly AwsService[] = ['ecs', 'ec2', 'servicediscovery', 'appmesh', 'elbv2', 'sts', 'application-autoscaling', 'cloudwatch', 'route53', 'ram', 's3', 'iam'];

export type AwsInput = Record<string, unknown>;
export type AwsOutput = Record<string, unknown>;

export interface AwsCaller {
  call<T = AwsOutput>(service: AwsService, operation: string, input: AwsInput): Promise<T>;
}

/** An error AWS returned (or a recording says it returned), by its exception name. */
export class AwsCallError extends Error {
  constructor(
    readonly service: AwsService,
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AwsCallError';
  }
}

const READ_ONLY = /^(Describe|List|Get)[A-Z]/;

/** Describe*, List* and Get* only read; every other operation changes the account. */
export function isReadOnly(operation: string): boolean {
  return READ_ONLY.test(operation);
}

export class MutationRefusedError extends ExpectedError {
  constructor(
    readonly service: AwsService,
    readonly operation: string,
  ) {
    super(`refused ${service} ${operation}: this run may not change AWS (dry run or read-only command)`);
  }
}

/**
 * The single gate for mutations: every caller the AWS layer hands out is
 * wrapped in this, and only a run that was explicitly allowed to change the
 * account gets mutations through.
 */
export function guardMutations(inner: AwsCaller, allowMutations: boolean): AwsCaller {
  return {
    call(service, operation, input) {
      if (!allowMutations && !isReadOnly(operation)) {
        return Promise.reject(new MutationRefusedError(service, operation));
      }
      return inner.call(service, operation, input);
    },
  };
}
