import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsCallError, type AwsCaller } from '../../src/aws/caller.js';
import { createReplayCaller, FixtureMissError, FixturesError, loadFixtures, Recorder } from '../../src/aws/recording.js';

const tmp = () => mkdtemp(join(tmpdir(), 'meshctl-rec-'));

/** A stand-in AWS answering from a table; errors for anything else. */
function tableCaller(answers: Record<string, unknown>): AwsCaller {
  return {
    async call<T>(service: string, operation: string): Promise<T> {
      const answer = answers[`${service} ${operation}`];
      if (answer === undefined) throw new AwsCallError('ecs', operation, 'ClusterNotFoundException', 'Cluster not found.');
      return structuredClone(answer) as T;
    },
  } as AwsCaller;
}

async function record(dir: string) {
  const recorder = new Recorder();
  const aws = recorder.wrap(tableCaller({
    'ecs DescribeTaskDefinition': { taskDefinition: { family: 'orders', containerDefinitions: [{ name: 'app', environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }] } },
    'ecs DescribeClusters': { clusters: [{ clusterName: 'a', clusterArn: 'arn:a' }, { clusterName: 'b', clusterArn: 'arn:b' }], failures: [] },
  }));
  await aws.call('ecs', 'DescribeTaskDefinition', { taskDefinition: 'orders:1', include: ['TAGS'] });
  await aws.call('ecs', 'DescribeClusters', { clusters: ['arn:a', 'arn:b'] });
  await expect(aws.call('ecs', 'DescribeServices', { cluster: 'x', services: ['s'] })).rejects.toThrow(AwsCallError);
  return recorder.write(dir, 'eu-west-1');
}

describe('record and replay', () => {
  it('writes a versioned, key-sorted, redacted recording', async () => {
    const dir = await tmp();
    expect(await record(dir)).toEqual(['recording.json', 'ecs.json']);
    const manifest = JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8'));
    expect(manifest).toMatchObject({ formatVersion: 1, tool: 'meshctl', region: 'eu-west-1', services: ['ecs'] });
    const text = await readFile(join(dir, 'ecs.json'), 'utf8');
    expect(text).not.toContain('hunter2');
    const file = JSON.parse(text);
    expect(file.calls.map((c: { operation: string }) => c.operation)).toEqual(['DescribeClusters', 'DescribeServices', 'DescribeTaskDefinition']);
    expect(Object.keys(file.calls[0])).toEqual(['input', 'operation', 'output']);
  });

  it('replays outputs and recorded errors', async () => {
    const dir = await tmp();
    await record(dir);
    const replay = createReplayCaller(dir, await loadFixtures(dir));
    const out = await replay.call<{ taskDefinition: { family: string } }>('ecs', 'DescribeTaskDefinition', { include: ['TAGS'], taskDefinition: 'orders:1' });
    expect(out.taskDefinition.family).toBe('orders');
    await expect(replay.call('ecs', 'DescribeServices', { cluster: 'x', services: ['s'] })).rejects.toMatchObject({ code: 'ClusterNotFoundException' });
  });

  it('answers a subset of a recorded batch', async () => {
    const dir = await tmp();
    await record(dir);
    const replay = createReplayCaller(dir, await loadFixtures(dir));
    const out = await replay.call<{ clusters: { clusterName: string }[] }>('ecs', 'DescribeClusters', { clusters: ['arn:b'] });
    expect(out.clusters.map((c) => c.clusterName)).toEqual(['b']);
  });

  it('names service, operation and input of a call missing from the fixtures', async () => {
    const dir = await tmp();
    await record(dir);
    const replay = createReplayCaller(dir, await loadFixtures(dir));
    const miss = replay.call('ecs', 'ListServices', { cluster: 'arn:a', maxResults: 100 });
    await expect(miss).rejects.toBeInstanceOf(FixtureMissError);
    await expect(miss).rejects.toThrow('no ecs ListServices call with input {"cluster":"arn:a","maxResults":100}');
  });

  it('rejects a truncated fixture file, naming it', async () => {
    const dir = await tmp();
    await record(dir);
    const text = await readFile(join(dir, 'ecs.json'), 'utf8');
    await writeFile(join(dir, 'ecs.json'), text.slice(0, text.length / 2));
    await expect(loadFixtures(dir)).rejects.toThrow(FixturesError);
    await expect(loadFixtures(dir)).rejects.toThrow(`${join(dir, 'ecs.json')} is not valid JSON`);
  });

  it('rejects a directory without a manifest and a manifest of another format version', async () => {
    const dir = await tmp();
    await expect(loadFixtures(dir)).rejects.toThrow('is not a meshctl fixtures directory');
    await writeFile(join(dir, 'recording.json'), JSON.stringify({ formatVersion: 99, tool: 'meshctl', region: 'x', services: [] }));
    await expect(loadFixtures(dir)).rejects.toThrow('format version 1');
  });
});
