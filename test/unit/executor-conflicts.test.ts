// Creates that meet an existing resource: adopted where AWS's answer means
// "an earlier attempt of this plan made it", refused where it means "someone
// else's resource has this name". Against a scripted AWS, no mocks of meshctl.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../src/apply/executor.js';
import { JOURNAL_FORMAT_VERSION, JournalStore } from '../../src/apply/journal.js';
import { localState } from '../../src/apply/local-state.js';
import { AwsCallError, type AwsCaller } from '../../src/aws/caller.js';
import type { Plan, PlanStep } from '../../src/core/plan/model.js';

type Answer = (input: Record<string, unknown>) => unknown;

function scripted(answers: Record<string, Answer>): { aws: AwsCaller; calls: string[] } {
  const calls: string[] = [];
  const aws = {
    async call(service: string, operation: string, input: Record<string, unknown>) {
      calls.push(`${service} ${operation}`);
      const answer = answers[`${service} ${operation}`];
      if (!answer) throw new Error(`unscripted ${service} ${operation}`);
      return answer(input);
    },
  } as unknown as AwsCaller;
  return { aws, calls };
}

async function run(steps: PlanStep[], aws: AwsCaller) {
  const store = new JournalStore({ state: localState(await mkdtemp(join(tmpdir(), 'meshctl-exec-'))), name: 'journal.json' }, {
    formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '',
    startedAt: 'now', updatedAt: '', services: {}, steps: {}, created: [],
  });
  const failures = await runSteps(steps, { callerOf: () => aws, plan: { steps } as Plan, store, outputs: new Map(), sourceTaskDefinitions: {}, concurrency: 4 });
  return { failures, store };
}

const step = (id: string, service: PlanStep['service'], operation: string, input: Record<string, unknown>): PlanStep => ({ id, service, operation, input, dependsOn: [], action: 'create', resource: id });
const fail = (service: 'ecs' | 'servicediscovery' | 'elbv2', operation: string, code: string, message: string) => () => { throw new AwsCallError(service, operation, code, message); };

describe('create conflicts', () => {
  it('adopts an ECS service and a Cloud Map namespace an earlier attempt created, without recording them as created by this run', async () => {
    const { aws, calls } = scripted({
      'ecs CreateService': fail('ecs', 'CreateService', 'InvalidParameterException', 'Creation of service was not idempotent.'),
      'ecs DescribeServices': () => ({ services: [{ serviceName: 'web-sc', status: 'ACTIVE', taskDefinition: 'arn:td/web:2' }] }),
      'servicediscovery CreateHttpNamespace': fail('servicediscovery', 'CreateHttpNamespace', 'NamespaceAlreadyExists', 'exists'),
      'servicediscovery ListNamespaces': () => ({ Namespaces: [{ Name: 'shop.local', Id: 'ns-1' }] }),
    });
    const { failures, store } = await run([
      step('green', 'ecs', 'CreateService', { cluster: 'c', serviceName: 'web-sc' }),
      step('ns', 'servicediscovery', 'CreateHttpNamespace', { Name: 'shop.local' }),
    ], aws);
    expect(failures).toEqual([]);
    expect(store.journal.steps.green).toMatchObject({ status: 'done', output: { service: { serviceName: 'web-sc' } } });
    expect(store.journal.steps.ns).toMatchObject({ status: 'done', output: { NamespaceId: 'ns-1' } });
    expect(store.journal.created).toEqual([]);
    expect(calls).toEqual(expect.arrayContaining(['ecs DescribeServices', 'servicediscovery ListNamespaces']));
  });

  it('refuses a target group name someone else holds with other settings (AWS returns an identical one instead of an error)', async () => {
    const { aws } = scripted({ 'elbv2 CreateTargetGroup': fail('elbv2', 'CreateTargetGroup', 'DuplicateTargetGroupName', 'A target group with the same name exists, but with different settings') });
    const { failures, store } = await run([step('tg', 'elbv2', 'CreateTargetGroup', { Name: 'web-sc', VpcId: 'vpc-1' })], aws);
    expect(failures).toHaveLength(1);
    expect(store.journal.steps.tg).toMatchObject({ status: 'failed', error: expect.stringContaining('DuplicateTargetGroupName') });
  });

  it('on resume after a crash mid-create, finds what the killed run made and records it as this journal\'s', async () => {
    const { aws, calls } = scripted({
      'elbv2 DescribeTargetGroups': () => ({ TargetGroups: [{ TargetGroupArn: 'arn:tg/web-sc', VpcId: 'vpc-1' }] }),
    });
    const steps = [step('tg', 'elbv2', 'CreateTargetGroup', { Name: 'web-sc', VpcId: 'vpc-1' })];
    const store = new JournalStore({ state: localState(await mkdtemp(join(tmpdir(), 'meshctl-exec-'))), name: 'journal.json' }, {
      formatVersion: JOURNAL_FORMAT_VERSION, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '',
      startedAt: 'now', updatedAt: '', services: {}, steps: { tg: { status: 'running' } }, created: [],
    });
    const failures = await runSteps(steps, { callerOf: () => aws, plan: { steps } as Plan, store, outputs: new Map(), sourceTaskDefinitions: {}, concurrency: 1 });
    expect(failures).toEqual([]);
    expect(calls).toEqual(['elbv2 DescribeTargetGroups']);
    expect(store.journal.created).toEqual([{ step: 'tg', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: 'arn:tg/web-sc' } }]);
  });
});
