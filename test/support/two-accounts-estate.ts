// Seeds the two-account demo into moto: a provider account that owns the
// Cloud Map namespace and a pricing service, and the caller's account whose
// checkout service calls pricing. moto maps STS AssumeRole credentials to the
// role's account, so the provider's resources are made with assumed credentials.
import {
  AcceptVpcPeeringConnectionCommand, AuthorizeSecurityGroupIngressCommand, CreateRouteCommand, CreateSecurityGroupCommand, CreateSubnetCommand,
  CreateVpcCommand, CreateVpcPeeringConnectionCommand, DescribeRouteTablesCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { CreateHttpNamespaceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export const TWO_ACCOUNTS_REGION = 'us-east-1';
export const CALLER_ACCOUNT = '123456789012';
export const PROVIDER_ACCOUNT = '111111111111';
export const PROVIDER_ROLE = `arn:aws:iam::${PROVIDER_ACCOUNT}:role/meshctl`;
export const SHARED_NAMESPACE = 'shop.internal';

/** meshctl.yaml of the demo (fixtures/two-accounts/meshctl.yaml holds the same). */
export const TWO_ACCOUNTS_CONFIG = `cloudMap:
  namespace: ${SHARED_NAMESPACE}
accounts:
  provider:
    roleArn: ${PROVIDER_ROLE}
    externalId: meshctl-demo
    clusters: [pricing]
`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export async function assumeProvider(endpoint: string): Promise<Credentials> {
  const sts = new STSClient({ endpoint, region: TWO_ACCOUNTS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: PROVIDER_ROLE, RoleSessionName: 'seed', ExternalId: 'meshctl-demo' }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

function app(account: string, name: string, env: Record<string, string>): ContainerDefinition {
  return {
    name, image: `${account}.dkr.ecr.${TWO_ACCOUNTS_REGION}.amazonaws.com/${name}:2.0.1`, essential: true,
    portMappings: [{ containerPort: 8080, protocol: 'tcp', name: 'http' }],
    environment: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${name}`, 'awslogs-region': TWO_ACCOUNTS_REGION, 'awslogs-stream-prefix': name } },
  };
}

async function seedAccount(endpoint: string, credentials: Credentials, account: string, cidr: string, cluster: string, service: string, env: Record<string, string>): Promise<{ vpc: string; sg: string }> {
  const config = { endpoint, region: TWO_ACCOUNTS_REGION, credentials };
  const ec2 = new EC2Client(config);
  const ecs = new ECSClient(config);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr.replace(/\.0\.0\/16$/, '.1.0/24'), AvailabilityZone: `${TWO_ACCOUNTS_REGION}a` }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: service, Description: `${service} tasks`, VpcId: vpc }))).GroupId!;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const td = (await ecs.send(new RegisterTaskDefinitionCommand({
    family: service, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024',
    executionRoleArn: `arn:aws:iam::${account}:role/ecsTaskExecutionRole`,
    taskRoleArn: `arn:aws:iam::${account}:role/${service}-task`,
    containerDefinitions: [app(account, service, env)],
  }))).taskDefinition!.taskDefinitionArn!;
  await ecs.send(new CreateServiceCommand({
    cluster, serviceName: service, taskDefinition: td, desiredCount: 2, launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } },
  }));
  return { vpc, sg };
}

/** The network team's part: a peering between the two VPCs, routes both ways, and pricing's port open to checkout's subnet. */
async function peer(endpoint: string, provider: Credentials, caller: Credentials, providerSide: { vpc: string; sg: string }, callerSide: { vpc: string }): Promise<void> {
  const ec2 = (credentials: Credentials) => new EC2Client({ endpoint, region: TWO_ACCOUNTS_REGION, credentials });
  const peering = (await ec2(caller).send(new CreateVpcPeeringConnectionCommand({ VpcId: callerSide.vpc, PeerVpcId: providerSide.vpc, PeerOwnerId: PROVIDER_ACCOUNT })))
    .VpcPeeringConnection!.VpcPeeringConnectionId!;
  await ec2(provider).send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: peering }));
  for (const [credentials, vpc, destination] of [[caller, callerSide.vpc, '10.30.0.0/16'], [provider, providerSide.vpc, '10.40.0.0/16']] as const) {
    const tables = await ec2(credentials).send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }));
    await ec2(credentials).send(new CreateRouteCommand({ RouteTableId: tables.RouteTables![0]!.RouteTableId!, DestinationCidrBlock: destination, VpcPeeringConnectionId: peering }));
  }
  await ec2(provider).send(new AuthorizeSecurityGroupIngressCommand({ GroupId: providerSide.sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.40.1.0/24' }] }] }));
}

/** `peered`: the network between the accounts is in place (the reachability check passes). */
export async function seedTwoAccounts(endpoint: string, options: { peered?: boolean } = { peered: true }): Promise<void> {
  const provider = await assumeProvider(endpoint);
  const caller = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const providerSide = await seedAccount(endpoint, provider, PROVIDER_ACCOUNT, '10.30.0.0/16', 'pricing', 'pricing-api', { LOG_LEVEL: 'info' });
  await new ServiceDiscoveryClient({ endpoint, region: TWO_ACCOUNTS_REGION, credentials: provider })
    .send(new CreateHttpNamespaceCommand({ Name: SHARED_NAMESPACE }));
  const callerSide = await seedAccount(endpoint, caller, CALLER_ACCOUNT, '10.40.0.0/16', 'storefront', 'checkout', {
    PRICING_URL: `http://pricing-api.${SHARED_NAMESPACE}:8080`,
  });
  if (options.peered) await peer(endpoint, provider, caller, providerSide, callerSide);
}
