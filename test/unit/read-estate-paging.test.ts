// The estate reader against a scripted ECS that pages the way AWS does (moto
// does not page ListServices): every page followed, every batch at its maximum,
// a task definition shared by services fetched once.
import { describe, expect, it } from 'vitest';
import type { AwsCaller, AwsInput } from '../../src/aws/caller.js';
import { readEstate } from '../../src/aws/read-estate.js';

const SERVICES = 250;

function pagedEcs(calls: { operation: string; input: AwsInput }[]): AwsCaller {
  const serviceArns = Array.from({ length: SERVICES }, (_, i) => `arn:aws:ecs:us-east-1:1:service/c/s${String(i).padStart(3, '0')}`);
  const answer = (operation: string, input: AwsInput): Record<string, unknown> => {
    switch (operation) {
      case 'ListClusters': return { clusterArns: ['arn:aws:ecs:us-east-1:1:cluster/c'] };
      case 'DescribeClusters': return { clusters: [{ clusterName: 'c', clusterArn: 'arn:aws:ecs:us-east-1:1:cluster/c', status: 'ACTIVE' }] };
      case 'ListServices': {
        const start = Number(input.nextToken ?? 0);
        const max = Number(input.maxResults ?? 10);
        const end = start + max;
        return { serviceArns: serviceArns.slice(start, end), ...(end < SERVICES && { nextToken: String(end) }) };
      }
      case 'DescribeServices': return {
        services: (input.services as string[]).map((arn, i) => ({
          serviceArn: arn, serviceName: arn.split('/').pop(), status: 'ACTIVE', launchType: 'FARGATE',
          taskDefinition: `arn:aws:ecs:us-east-1:1:task-definition/shared${i % 2}:1`,
        })),
      };
      case 'DescribeTaskDefinition': return {
        taskDefinition: { taskDefinitionArn: input.taskDefinition, family: 'shared', revision: 1, containerDefinitions: [] }, tags: [],
      };
      case 'ListAccountSettings': return { settings: [] };
      case 'ListMeshes': return { meshes: [] };
      default: throw new Error(`unexpected ${operation}`);
    }
  };
  return {
    async call<T>(_service: string, operation: string, input: AwsInput): Promise<T> {
      calls.push({ operation, input });
      return answer(operation, input) as T;
    },
  } as AwsCaller;
}

describe('readEstate paging and batching', () => {
  it('follows every ListServices page at 100 and describes in batches of 10', async () => {
    const calls: { operation: string; input: AwsInput }[] = [];
    const estate = await readEstate(pagedEcs(calls), 'us-east-1');
    expect(estate.clusters[0]!.services).toHaveLength(SERVICES);
    const count = (op: string) => calls.filter((c) => c.operation === op).length;
    expect(count('ListServices')).toBe(3);
    expect(calls.filter((c) => c.operation === 'ListServices').every((c) => c.input.maxResults === 100)).toBe(true);
    expect(count('DescribeServices')).toBe(25);
    expect(count('DescribeTaskDefinition')).toBe(2);
    expect(Object.keys(estate.taskDefinitions)).toHaveLength(2);
  });
});
