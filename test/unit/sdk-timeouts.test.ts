// A silent endpoint: meshctl gives up after three attempts (not the eight it
// allows throttling), well inside the AWS CLI's worst case, and says how long
// it waited.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../src/aws/caller.js';
import { createSdkCaller } from '../../src/aws/sdk-caller.js';

let silent: Server;
let requests = 0;
let url: string;

beforeAll(async () => {
  silent = createServer(() => { requests += 1; });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
});

afterAll(() => {
  silent.closeAllConnections();
  silent.close();
});

describe('a request that times out', () => {
  it('is tried three times, and the error says so and for how long it waited', async () => {
    const aws = createSdkCaller({ region: 'us-east-1', endpointUrl: url, requestTimeoutMs: 300 });
    requests = 0;
    const error = await aws.call('sts', 'GetCallerIdentity', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(requests).toBe(3);
    expect((error as AwsCallError).message).toMatch(new RegExp(`^no answer from ${url} within 0.3s \\(--request-timeout; 3 attempts, \\d+s in all\\)`));
  });
});
