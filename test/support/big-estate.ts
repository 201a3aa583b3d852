// A large estate for the benchmark and the call-count regression tests:
// clusters × services, a few EC2 clusters with container instances, task
// definitions shared between services, Cloud Map registries and DB URLs.
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateRegistryCommand, ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import pLimit from 'p-limit';
import { MOTO_IMAGE_ID } from './demo-estate.js';

export interface BigEstateShape {
  clusters: number;
  servicesPerCluster: number;
  /** Services per task-definition family (shared definitions). */
  servicesPerFamily: number;
  ec2Clusters: number;
  instancesPerEc2Cluster: number;
}

export interface BigEstate extends BigEstateShape {
  families: number;
  namespaces: number;
}

/** A VPC (10.<octet>.0.0/16) with DNS hostnames, a subnet, a security group and a private DNS namespace in it. */
export async function seedNetwork(ec2: EC2Client, sd: ServiceDiscoveryClient, octet: number, name: string): Promise<{ subnet: string; sg: string; namespaceId: string }> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.${octet}.0.0/20` }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc }))).GroupId!;
  await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: `${name}.local`, Vpc: vpc }));
  const namespaceId = (await sd.send(new ListNamespacesCommand({}))).Namespaces!.find((n) => n.Name === `${name}.local`)!.Id!;
  return { subnet, sg, namespaceId };
}

export async function seedBigEstate(endpoint: string, shape: BigEstateShape): Promise<BigEstate> {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const sd = new ServiceDiscoveryClient(config);
  const limit = pLimit(8);

  const { subnet, sg, namespaceId } = await seedNetwork(ec2, sd, 50, 'big');

  const total = shape.clusters * shape.servicesPerCluster;
  const families = Math.ceil(total / shape.servicesPerFamily);
  const arns = await Promise.all(Array.from({ length: families }, (_, f) => limit(async () => {
    const out = await ecs.send(new RegisterTaskDefinitionCommand({
      family: `app${f}`, networkMode: 'awsvpc', cpu: '512', memory: '1024', requiresCompatibilities: ['FARGATE', 'EC2'],
      taskRoleArn: `arn:aws:iam::123456789012:role/app${f}-task`,
      containerDefinitions: [{
        name: 'app', image: `app:${f}`, portMappings: [{ containerPort: 8080 }],
        environment: [
          { name: 'DATABASE_URL', value: `postgres://app:pw@db${f % 7}.cluster-x.us-east-1.rds.amazonaws.com:5432/app` },
          { name: 'REDIS_URL', value: 'redis://cache.x.0001.use1.cache.amazonaws.com:6379' },
          { name: 'NEXT_URL', value: `http://svc${(f + 1) % families}-0.big.local:8080` },
        ],
      }],
    }));
    return out.taskDefinition!.taskDefinitionArn!;
  })));

  for (let c = 0; c < shape.clusters; c += 1) {
    const cluster = `cluster${c}`;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const ec2Cluster = c < shape.ec2Clusters;
    if (ec2Cluster) {
      await Promise.all(Array.from({ length: shape.instancesPerEc2Cluster }, () => limit(async () => {
        const instance = (await ec2.send(new RunInstancesCommand({ ImageId: MOTO_IMAGE_ID, MinCount: 1, MaxCount: 1, InstanceType: 'm5.large', SubnetId: subnet }))).Instances![0]!;
        await ecs.send(new RegisterContainerInstanceCommand({
          cluster, instanceIdentityDocument: JSON.stringify({ instanceId: instance.InstanceId, instanceType: 'm5.large', region: 'us-east-1' }),
        }));
      })));
    }
    await Promise.all(Array.from({ length: shape.servicesPerCluster }, (_, s) => limit(async () => {
      const index = c * shape.servicesPerCluster + s;
      const name = `svc${Math.floor(index / shape.servicesPerFamily)}-${index % shape.servicesPerFamily}`;
      const registryArn = (await sd.send(new CreateRegistryCommand({ Name: name, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } }))).Service!.Arn!;
      await ecs.send(new CreateServiceCommand({
        cluster, serviceName: name, taskDefinition: arns[Math.floor(index / shape.servicesPerFamily)], desiredCount: 2,
        launchType: ec2Cluster ? 'EC2' : 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } },
        serviceRegistries: [{ registryArn }],
      }));
    })));
  }
  return { ...shape, families, namespaces: 1 };
}
