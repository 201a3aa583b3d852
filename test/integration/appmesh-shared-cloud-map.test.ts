// App Mesh plans AWS accepts across accounts and VPCs, against moto: the
// two-account demo (an HTTP namespace in the provider's account) onto a mesh
// the plan creates in the caller's account, and one account whose services
// span two VPCs. Cloud Map's CreateService rules moto lacks (a shared
// namespace by its ARN, no DnsConfig in an HTTP namespace) are enforced by
// the proxy's stand-in (test/support/cloud-map-standin.ts), as are RAM
// shares; moto's App Mesh ignores meshOwner (README, test-support notes).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand as CreateEcsServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreatePrivateDnsNamespaceCommand, CreateServiceCommand, ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan/model.js';
import type { AwsProxy } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';
import { seeded, TWO_ACCOUNTS } from '../support/seeded.js';
import { validateInput } from '../support/sdk-shapes.js';
import { assumeProvider, CALLER_ACCOUNT, PROVIDER_ACCOUNT, SHARED_NAMESPACE, TWO_ACCOUNTS_CONFIG } from '../support/two-accounts-estate.js';

let moto: Moto;
let proxy: AwsProxy;
let dir: string;
const callerCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const env = () => isolatedEnv(motoEnv(proxy.url));
const cli = (args: string[], config: string) => runCli([...args, '--config', config], env(), dir);

beforeAll(async () => {
  moto = await startMoto();
  ({ proxy } = await seeded(moto, TWO_ACCOUNTS));
  proxy.endRollouts('*', 'COMPLETED');
  dir = await mkdtemp(join(tmpdir(), 'meshctl-shared-cloud-map-'));
  await writeFile(join(dir, 'appmesh.yaml'), `target: appmesh\n${TWO_ACCOUNTS_CONFIG}`);
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

type Step = Plan['steps'][number];

describe('App Mesh over two accounts, onto a mesh the plan creates, with the provider\'s HTTP namespace', () => {
  let plan: Plan;

  it('plans the mesh in the caller\'s account, the provider\'s resources in it with meshOwner, and each node\'s Cloud Map service in its own account', async () => {
    const planned = await cli(['plan', '--out', 'plan.json', '--output', 'json'], 'appmesh.yaml');
    expect(planned.code, planned.stderr).toBe(0);
    plan = JSON.parse(planned.stdout) as Plan;
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step('mesh:meshctl').account).toBe(CALLER_ACCOUNT);
    expect(plan.steps.filter((s) => s.service === 'appmesh' && s.account === PROVIDER_ACCOUNT).map((s) => [s.operation, s.input.meshOwner]))
      .toEqual([['CreateVirtualNode', CALLER_ACCOUNT], ['CreateVirtualService', CALLER_ACCOUNT]]);
    const registry = (service: string) => step(`cloudmap-service:${SHARED_NAMESPACE}/${service}`);
    expect(registry('pricing-api')).toMatchObject({ account: PROVIDER_ACCOUNT, input: { NamespaceId: expect.stringMatching(/^ns-/) } });
    expect(registry('checkout')).toMatchObject({ account: CALLER_ACCOUNT, input: { NamespaceId: expect.stringMatching(new RegExp(`^arn:aws:servicediscovery:us-east-1:${PROVIDER_ACCOUNT}:namespace/ns-`)) } });
    for (const s of [registry('pricing-api'), registry('checkout')]) expect(s.input).not.toHaveProperty('DnsConfig');
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringContaining(`Cloud Map namespace ${SHARED_NAMESPACE} is an HTTP namespace: App Mesh names in it (checkout.${SHARED_NAMESPACE}, pricing-api.${SHARED_NAMESPACE}) do not resolve through DNS`)]));
    // Every planned input validates against the SDK's models (apply looks the invitation up for the acceptance).
    const placeholders = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && '$ref' in v ? 'arn:aws:ref' : v))) as unknown;
    for (const s of plan.steps.filter((x: Step) => x.operation !== 'AcceptResourceShareInvitation')) expect(validateInput(s.service, s.operation, placeholders(s.input)), s.id).toEqual([]);
  });

  it('has Cloud Map refuse what the plan no longer sends: DnsConfig in the HTTP namespace, the shared namespace by its bare id', async () => {
    // Assumed through the proxy, which learns the role's key acts in the provider's account.
    const provider = new ServiceDiscoveryClient({ endpoint: proxy.url, region: 'us-east-1', credentials: await assumeProvider(proxy.url) });
    const namespace = (await provider.send(new ListNamespacesCommand({}))).Namespaces!.find((n) => n.Name === SHARED_NAMESPACE)!;
    await expect(provider.send(new CreateServiceCommand({ Name: 'probe', NamespaceId: namespace.Id, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } })))
      .rejects.toMatchObject({ name: 'InvalidInput' });
    const caller = new ServiceDiscoveryClient({ endpoint: proxy.url, region: 'us-east-1', credentials: callerCredentials });
    await expect(caller.send(new CreateServiceCommand({ Name: 'probe', NamespaceId: namespace.Id }))).rejects.toMatchObject({ name: 'NamespaceNotFound' });
  });

  it('applies the Cloud Map services where App Mesh looks for them: each in its node\'s account, the caller\'s once the namespace is shared with it', async () => {
    const before = proxy.calls.length;
    const applied = await cli(['apply', 'plan.json', '--no-wait', '--output', 'json'], 'appmesh.yaml');
    if (!applied.stdout) throw new Error(applied.stderr);
    const steps = (JSON.parse(applied.stdout) as { steps: { id: string; status: string }[] }).steps;
    const status = (id: string) => steps.find((s) => s.id === id)?.status;
    expect(status(`cloudmap-service:${SHARED_NAMESPACE}/pricing-api`), applied.stderr).toBe('done');
    expect(status(`cloudmap-service:${SHARED_NAMESPACE}/checkout`), applied.stderr).toBe('done');
    expect(status('mesh:meshctl')).toBe('done');
    expect(steps.filter((s) => s.id.startsWith('ram-')).map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    const sent = proxy.calls.slice(before).filter((c) => c.mutating && c.service !== 'sts').map((c) => `${c.account} ${c.service} ${c.operation}`);
    const namespaceAccepted = sent.indexOf(`${CALLER_ACCOUNT} ram AcceptResourceShareInvitation`, sent.indexOf(`${PROVIDER_ACCOUNT} ram CreateResourceShare`));
    expect(sent.filter((c) => c.endsWith('servicediscovery CreateService'))).toEqual([`${PROVIDER_ACCOUNT} servicediscovery CreateService`, `${CALLER_ACCOUNT} servicediscovery CreateService`]);
    expect(sent.lastIndexOf(`${CALLER_ACCOUNT} servicediscovery CreateService`)).toBeGreaterThan(namespaceAccepted);
    // moto keeps each account's meshes apart and ignores meshOwner: the provider's node in the caller's mesh fails there (README, test-support notes).
    expect(status('virtual-node:pricing-api')).toBe('failed');
    expect(status('virtual-node:checkout')).toBe('done');
  });
});

describe('App Mesh in one account whose services span two VPCs', () => {
  it('associates the namespace\'s private hosted zone with the other VPC before the service there moves', async () => {
    const config = { endpoint: moto.url, region: 'us-east-1', credentials: callerCredentials };
    const ec2 = new EC2Client(config);
    const ecs = new ECSClient(config);
    const ledgerVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: ledgerVpc, EnableDnsHostnames: { Value: true } }));
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: ledgerVpc, CidrBlock: '10.50.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ledger', Description: 'ledger tasks', VpcId: ledgerVpc }))).GroupId!;
    // Through the proxy: the Route 53 stand-in learns the namespace's own VPC (moto lists none on Cloud Map's zone).
    await new ServiceDiscoveryClient({ ...config, endpoint: proxy.url }).send(new CreatePrivateDnsNamespaceCommand({ Name: 'ledger.private', Vpc: ledgerVpc }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'ledger' }));
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'ledger', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024', taskRoleArn: `arn:aws:iam::${CALLER_ACCOUNT}:role/ledger-task`,
      containerDefinitions: [{ name: 'ledger', image: 'ledger:1', essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] }],
    }))).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new CreateEcsServiceCommand({ cluster: 'ledger', serviceName: 'ledger', taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } } }));
    await writeFile(join(dir, 'one-account.yaml'), 'target: appmesh\nmesh:\n  name: ledger\ncloudMap:\n  namespace: ledger.private\n');

    const checkoutVpc = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.CidrBlock === '10.40.0.0/16')!.VpcId!;
    const planned = await cli(['plan', '--cluster', 'ledger', '--cluster', 'storefront', '--out', 'one-account.json', '--output', 'json'], 'one-account.yaml');
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    const association = plan.steps.filter((s) => s.service === 'route53');
    expect(association.map((s) => [s.account, s.operation, (s.input.VPC as { VPCId: string }).VPCId])).toEqual([[CALLER_ACCOUNT, 'AssociateVPCWithHostedZone', checkoutVpc]]);
    expect(plan.steps.find((s) => s.id === 'ecs-service:storefront/checkout')!.dependsOn).toContain(association[0]!.id);

    const applied = await cli(['apply', 'one-account.json', '--no-wait', '--output', 'json'], 'one-account.yaml');
    const steps = (JSON.parse(applied.stdout) as { steps: { id: string; status: string }[] }).steps;
    expect(steps.find((s) => s.id === association[0]!.id)?.status, applied.stderr).toBe('done');
    const zone = await new Route53Client({ ...config, endpoint: proxy.url }).send(new GetHostedZoneCommand({ Id: String(association[0]!.input.HostedZoneId) }));
    expect(zone.VPCs!.map((v) => v.VPCId)).toEqual(expect.arrayContaining([ledgerVpc, checkoutVpc]));
  });
});
