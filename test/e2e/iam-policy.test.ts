// meshctl iam-policy --for shift: the policy of a cut-over's traffic moves,
// from the apply journal (shift is no saved plan).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../support/cli.js';

const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/1/2/3';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pricing-sc/2';

async function journalFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-iam-'));
  const file = join(dir, 'journal-0123456789abcdef.json');
  await writeFile(file, JSON.stringify({
    formatVersion: 1, tool: 'meshctl', planFingerprint: 'sha256:x', region: 'us-east-1', target: 'service-connect', mesh: '', startedAt: '', updatedAt: '',
    services: { 'c/pricing': { cluster: 'c', service: 'pricing', serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/c/pricing', previousTaskDefinition: 'td:1', previousServiceRegistries: [], greenService: 'pricing-sc', state: 'stable' } },
    steps: {}, created: [{ step: 'tg', service: 'elbv2', kind: 'TargetGroup', identity: { TargetGroupArn: GREEN }, ecsService: 'c/pricing' }],
    restores: [{ step: 'w', service: 'elbv2', operation: 'ModifyRule', input: { RuleArn: RULE, Actions: [{ Type: 'forward', TargetGroupArn: 'blue' }] }, ecsService: 'c/pricing' }],
  }));
  return file;
}

type Policy = { Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] };

describe('meshctl iam-policy --for shift', () => {
  it('scopes the weight moves to the rules of the journal\'s blue-green pairs, or to a Route 53 weighted pair\'s zone', async () => {
    const journal = await journalFile();
    const rules = await runCli(['iam-policy', '--for', 'shift', '--journal', journal], isolatedEnv());
    expect(rules.code, rules.stderr).toBe(0);
    const policy = JSON.parse(rules.stdout) as Policy;
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['MeshctlReadEstate', 'MeshctlListenerRules']);
    expect(policy.Statement[1]).toMatchObject({ Action: ['elasticloadbalancing:ModifyRule'], Resource: [RULE] });
    expect(policy.Statement[0]!.Action).toEqual(expect.arrayContaining(['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricStatistics', 'elasticloadbalancing:DescribeTargetHealth']));
    const records = JSON.parse((await runCli(['iam-policy', '--for', 'shift', '--journal', journal, '--route53-zone', 'Z0123'], isolatedEnv())).stdout) as Policy;
    expect(records.Statement[1]).toMatchObject({ Sid: 'MeshctlWeightedRecords', Action: ['route53:ChangeResourceRecordSets'], Resource: ['arn:aws:route53:::hostedzone/Z0123'] });
  });

  it('says what it takes when asked for what it cannot scope', async () => {
    const other = await runCli(['iam-policy', '--for', 'finalize'], isolatedEnv());
    expect([other.code, other.stderr]).toEqual([2, expect.stringContaining('--for finalize: iam-policy scopes to a plan file')]);
    const stray = await runCli(['iam-policy', '--journal', 'j.json'], isolatedEnv());
    expect([stray.code, stray.stderr]).toEqual([2, expect.stringContaining('--journal, --service and --route53-zone go with --for shift')]);
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-iam-'));
    const none = await runCli(['iam-policy', '--for', 'shift'], isolatedEnv(), dir);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('no apply journal under .meshctl/')]);
  });
});
