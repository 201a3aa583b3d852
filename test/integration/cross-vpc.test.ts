// precheck's cross-VPC reachability against moto: orders (VPC A) calls
// pricing (VPC B) by its Cloud Map name. Without a peering it is an error;
// with the peering, routes both ways and a security group rule it passes.
import * as ec2 from '@aws-sdk/client-ec2';
import * as ecs from '@aws-sdk/client-ecs';
import * as sd from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
const config = () => ({ endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const net = { a: { vpc: '', subnet: '', sg: '' }, b: { vpc: '', subnet: '', sg: '' } };

async function network(cidr: string) {
  const client = new ec2.EC2Client(config());
  const vpc = (await client.send(new ec2.CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  await client.send(new ec2.ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnet = (await client.send(new ec2.CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr.replace('.0.0/16', '.1.0/24'), AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const sg = (await client.send(new ec2.CreateSecurityGroupCommand({ GroupName: `sg-${vpc}`, Description: 'app', VpcId: vpc }))).GroupId!;
  return { vpc, subnet, sg };
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(net.a, await network('10.31.0.0/16'));
  Object.assign(net.b, await network('10.32.0.0/16'));
  const ecsClient = new ecs.ECSClient(config());
  const cloudMap = new sd.ServiceDiscoveryClient(config());
  await ecsClient.send(new ecs.CreateClusterCommand({ clusterName: 'two-vpcs' }));
  const op = (await cloudMap.send(new sd.CreateHttpNamespaceCommand({ Name: 'apps.local' }))).OperationId!;
  const namespaceId = (await cloudMap.send(new sd.GetOperationCommand({ OperationId: op }))).Operation!.Targets!.NAMESPACE!;
  const registry = (await cloudMap.send(new sd.CreateServiceCommand({ Name: 'pricing', NamespaceId: namespaceId }))).Service!.Arn!;
  const service = async (name: string, side: typeof net.a, environment: ecs.KeyValuePair[], registries: ecs.ServiceRegistry[]) => {
    const td = (await ecsClient.send(new ecs.RegisterTaskDefinitionCommand({
      family: name, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name, image: `${name}:1`, essential: true, portMappings: [{ containerPort: 8080 }], environment }],
    }))).taskDefinition!.taskDefinitionArn!;
    await ecsClient.send(new ecs.CreateServiceCommand({
      cluster: 'two-vpcs', serviceName: name, taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', serviceRegistries: registries,
      networkConfiguration: { awsvpcConfiguration: { subnets: [side.subnet], securityGroups: [side.sg] } },
    }));
  };
  await service('pricing', net.b, [], [{ registryArn: registry }]);
  await service('orders', net.a, [{ name: 'PRICING_URL', value: 'http://pricing.apps.local:8080' }], []);
});

afterAll(async () => {
  await moto?.stop();
});

const reachability = async () => {
  const result = await runCli(['precheck', '--format', 'json'], isolatedEnv(motoEnv(moto.url)));
  return (JSON.parse(result.stdout) as { findings: { rule: string; message: string; hint: string }[] }).findings.filter((f) => f.rule === 'cross-vpc-reachability');
};

describe('cross-vpc-reachability against moto', () => {
  it('names the missing peering, then the missing routes and security group rule, and passes once they are there', async () => {
    expect(await reachability()).toEqual([expect.objectContaining({
      message: `two-vpcs/orders calls pricing.apps.local (two-vpcs/pricing) from ${net.a.vpc} into ${net.b.vpc}, and no active VPC peering connection or transit gateway joins the two VPCs`,
    })]);

    const client = new ec2.EC2Client(config());
    const peering = (await client.send(new ec2.CreateVpcPeeringConnectionCommand({ VpcId: net.a.vpc, PeerVpcId: net.b.vpc }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await client.send(new ec2.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: peering }));
    const missing = await reachability();
    expect(missing.map((f) => f.hint)).toEqual([
      expect.stringMatching(new RegExp(`^aws ec2 create-route --route-table-id rtb-\\w+ --destination-cidr-block 10.32.0.0/16 --vpc-peering-connection-id ${peering}$`)),
      expect.stringMatching(new RegExp(`^aws ec2 create-route --route-table-id rtb-\\w+ --destination-cidr-block 10.31.0.0/16 --vpc-peering-connection-id ${peering}$`)),
      expect.stringContaining(`aws ec2 authorize-security-group-ingress --group-id ${net.b.sg} --protocol tcp --port 8080 --cidr 10.31.1.0/24`),
    ]);

    for (const hint of missing.slice(0, 2).map((f) => f.hint)) {
      const [, table, cidr] = /--route-table-id (\S+) --destination-cidr-block (\S+)/.exec(hint)!;
      await client.send(new ec2.CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: cidr, VpcPeeringConnectionId: peering }));
    }
    await client.send(new ec2.AuthorizeSecurityGroupIngressCommand({ GroupId: net.b.sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.31.0.0/16' }] }] }));
    expect(await reachability()).toEqual([]);
  });
});
