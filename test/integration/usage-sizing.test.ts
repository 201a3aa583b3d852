// Sizing from what tasks really use, against moto: CloudWatch holds the
// services' peaks (PutMetricData into AWS/ECS and AWS/ApplicationELB, which
// moto keeps and answers GetMetricData with the Maximum and Sum statistics:
// test/support/usage-metrics.ts),
// precheck and plan read them through the real SDK, and size Service
// Connect's new hard memory limit from them, saying the same numbers.
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/checks/rule.js';
import type { Plan } from '../../src/core/plan/model.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { MOTO_IMAGE_ID } from '../support/demo-estate.js';
import { startMoto, type Moto } from '../support/moto.js';
import { putUsage, type UtilizationPoint } from '../support/usage-metrics.js';

let moto: Moto;
let proxy: AwsProxy;
let cwd: string;
const env = () => isolatedEnv(motoEnv(proxy.url));

/**
 * One EC2 service in bridge mode whose container reserves `reservation` MiB and sets no limit.
 * No requiresCompatibilities (EC2 is the default): moto refuses a reservation without a hard
 * limit when it names EC2, which AWS accepts.
 */
async function ec2Service(ecs: ECSClient, name: string, reservation: number): Promise<void> {
  const td = await ecs.send(new RegisterTaskDefinitionCommand({
    family: name, networkMode: 'bridge',
    containerDefinitions: [{ name, image: `${name}:1`, cpu: 256, memoryReservation: reservation, essential: true, portMappings: [{ containerPort: 8080, hostPort: 0 }] }],
  }));
  await ecs.send(new CreateServiceCommand({ cluster: 'batch', serviceName: name, taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 2, launchType: 'EC2' }));
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  const config = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24' }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpc }))).GroupId!;

  // EC2: search bursts to 180% of its 512 MiB reservation, quiet stays at 35% of 256, fresh has no metrics yet.
  await ecs.send(new CreateClusterCommand({ clusterName: 'batch' }));
  const instance = (await ec2.send(new RunInstancesCommand({ ImageId: MOTO_IMAGE_ID, MinCount: 1, MaxCount: 1, InstanceType: 'm5.xlarge', SubnetId: subnet }))).Instances![0]!;
  await ecs.send(new RegisterContainerInstanceCommand({ cluster: 'batch', instanceIdentityDocument: JSON.stringify({ instanceId: instance.InstanceId, instanceType: 'm5.xlarge', region: 'us-east-1' }) }));
  await ec2Service(ecs, 'search', 512);
  await ec2Service(ecs, 'quiet', 256);
  await ec2Service(ecs, 'fresh', 256);

  // Fargate behind an ALB target group: 620 requests per second per task at the busiest 5 minutes.
  await ecs.send(new CreateClusterCommand({ clusterName: 'web', capacityProviders: ['FARGATE'] }));
  const tg = (await new ElasticLoadBalancingV2Client(config).send(new CreateTargetGroupCommand({ Name: 'api', Protocol: 'HTTP', Port: 8080, VpcId: vpc, TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
  const api = await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'api', networkMode: 'awsvpc', cpu: '512', memory: '1024', requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [{ name: 'api', image: 'api:1', cpu: 256, memory: 512, essential: true, portMappings: [{ containerPort: 8080 }] }],
  }));
  await ecs.send(new CreateServiceCommand({
    cluster: 'web', serviceName: 'api', taskDefinition: api.taskDefinition!.taskDefinitionArn, desiredCount: 2, launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } },
    loadBalancers: [{ targetGroupArn: tg, containerName: 'api', containerPort: 8080 }],
  }));

  const point = (service: string, metric: UtilizationPoint['metric'], percent: number, daysAgo: number): UtilizationPoint => ({
    cluster: service === 'api' ? 'web' : 'batch', service, metric, percent, daysAgo,
  });
  await putUsage(moto.url, 'us-east-1', [
    point('search', 'MemoryUtilization', 60, 3), point('search', 'MemoryUtilization', 180, 2), point('search', 'CPUUtilization', 150, 2),
    point('quiet', 'MemoryUtilization', 35, 1), point('quiet', 'CPUUtilization', 5, 1),
    point('api', 'MemoryUtilization', 30, 1), point('api', 'CPUUtilization', 70, 1),
    // Older than the 14-day window: never read.
    point('fresh', 'MemoryUtilization', 400, 20),
  ], [{ targetGroupArn: tg, count: 186_000, daysAgo: 1 }]);

  cwd = await mkdtemp(join(tmpdir(), 'meshctl-usage-'));
  await writeFile(join(cwd, 'meshctl.yaml'), 'cloudMap:\n  namespace: usage.local\n');
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

async function precheck(args: string[] = []): Promise<Finding[]> {
  const result = await runCli(['precheck', '--format', 'json', ...args], env(), cwd);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout).findings as Finding[];
}

async function plan(args: string[] = []): Promise<Plan> {
  const result = await runCli(['plan', '--output', 'json', ...args], env(), cwd);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Plan;
}

const registered = (p: Plan, service: string) => p.steps.find((s) => s.operation === 'RegisterTaskDefinition' && s.ecsService?.endsWith(`/${service}`))!.input;
const finding = (findings: Finding[], service: string, rule: string) => findings.find((f) => f.service === service && f.rule === rule)!;
const planSets = (f: Finding) => Number(/the plan sets (\d+) MiB/.exec(f.message)![1]);

describe('sizing from CloudWatch peaks', () => {
  it('gives a task that bursts to 180% of its 512 MiB reservation at least 922 MiB × 1.25 + 64 MiB, and precheck says the plan\'s numbers', async () => {
    proxy.calls.length = 0;
    const findings = await precheck();
    // Four services' memory and CPU in one call, the target group's requests in another.
    expect(proxy.count((c) => c.operation === 'GetMetricData')).toBe(2);
    const p = await plan();

    const search = finding(findings, 'search', 'task-memory');
    expect(search.severity).toBe('warning');
    expect(search.message).toContain('peak 922 MiB (busiest task over the last 14d) against 512 MiB of reservations: a hard limit of 576 MiB would OOM-kill it');
    expect(Number(registered(p, 'search').memory)).toBeGreaterThanOrEqual(922 * 1.25 + 64);
    expect(registered(p, 'search').memory).toBe('1217');
    for (const service of ['search', 'quiet', 'fresh']) expect(String(planSets(finding(findings, service, 'task-memory'))), service).toBe(registered(p, service).memory);
    expect(finding(findings, 'search', 'observed-usage').message).toContain('busiest task over the last 14d: 384 CPU units / 922 MiB');
    expect(p.services.find((s) => s.service === 'search')!.usage).toEqual({ window: '14d', cpuUnits: 384, memoryMiB: 922 });

    const text = await runCli(['plan'], env(), cwd);
    expect(text.stdout).toMatch(/batch\/search\s+update in place\s+-\/- → -\/1217 \(peak 384\/922\)/);
  });

  it('keeps today\'s sizing for a service with no data, and says so per service', async () => {
    const findings = await precheck();
    const p = await plan();
    expect(registered(p, 'fresh').memory).toBe('320');
    expect(finding(findings, 'fresh', 'task-memory').message).toContain('no usage data to size it from (no datapoints: a new service, or no task ran in the window)');
    expect(finding(findings, 'fresh', 'observed-usage')).toMatchObject({ severity: 'info' });
    expect(p.services.find((s) => s.service === 'fresh')!.usage).toEqual({ window: '14d', missing: 'no datapoints: a new service, or no task ran in the window' });
    // The quiet one holds its peak with room: today's size, said with its peak.
    expect(registered(p, 'quiet').memory).toBe('320');
    expect(finding(findings, 'quiet', 'task-memory').message).toContain('at least 25% over the peak of 90 MiB');
  });

  it('sizes a busy task\'s agent as AWS recommends: 620 requests/s per task gets 512 CPU units', async () => {
    const p = await plan();
    expect(registered(p, 'api')).toMatchObject({ cpu: '1024', memory: '2048' });
    const api = p.services.find((s) => s.service === 'api')!;
    expect(api.usage).toMatchObject({ requestsPerSecond: 620 });
    expect(api.notes!.join('\n')).toContain('the Service Connect agent is sized at 512 CPU units');
    const said = (await precheck()).find((f) => f.service === 'api' && f.message.includes('requests per second'))!;
    expect(said.message).toContain('peak 620 requests per second per task (last 14d) is above AWS\'s 500');
  });

  it('never fails for CloudWatch: AccessDenied leaves today\'s sizing with the reason; --no-usage reads nothing', async () => {
    proxy.failNext('GetMetricData', 'AccessDenied', 2);
    const p = await plan();
    expect(registered(p, 'search').memory).toBe('576');
    expect(p.services.find((s) => s.service === 'search')!.usage!.missing).toContain('CloudWatch GetMetricData: AccessDenied');

    proxy.calls.length = 0;
    const out = join(cwd, 'plan.json');
    const result = await runCli(['plan', '--no-usage', '--out', out], env(), cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.count((c) => c.service === 'cloudwatch')).toBe(0);
    const planned = JSON.parse(await readFile(out, 'utf8')) as Plan;
    expect(registered(planned, 'search').memory).toBe('576');
    expect(planned.services.every((s) => s.usage === undefined)).toBe(true);
    expect(result.stdout).not.toContain('(peak ');
  });

  it('follows --usage-headroom and --usage-window in precheck and plan alike', async () => {
    const p = await plan(['--usage-headroom', '50%']);
    expect(registered(p, 'search').memory).toBe(String(922 * 1.5 + 64));
    const findings = await precheck(['--usage-headroom', '50']);
    expect(planSets(finding(findings, 'search', 'task-memory'))).toBe(922 * 1.5 + 64);
    // A 30-day window reaches the 400% a task of fresh's once used.
    const wide = await plan(['--usage-window', '30d']);
    expect(registered(wide, 'fresh').memory).toBe(String(Math.ceil(1024 * 1.25) + 64));
  });

  // Last: it moves search to Service Connect.
  it('plans nothing more once applied: peaks measured against the old size are not read against the new one', async () => {
    const out = join(cwd, 'search.json');
    expect((await runCli(['plan', '--service', 'search', '--out', out], env(), cwd)).code).toBe(0);
    proxy.endRollouts('*', 'COMPLETED');
    const applied = await runCli(['apply', out, '--force', '--no-wait'], env(), cwd);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const again = await plan(['--service', 'search']);
    expect(again.steps).toEqual([]);
    expect(again.services[0]!.usage).toMatchObject({ since: expect.stringMatching(/^20\d\d-/), missing: 'no datapoints since its current revision took over with another size' });
    const said = finding(await precheck(['--service', 'search']), 'search', 'observed-usage');
    expect(said.message).toMatch(/no usage in CloudWatch since \S+ \S+ UTC, when search:2 took over with another size/);
  });
});
