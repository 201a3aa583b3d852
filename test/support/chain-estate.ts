// An estate whose services call each other in chains, for the benchmark's
// apply --wait row: one Fargate cluster, a Cloud Map registry per service, and
// each service naming the services it calls in its environment
// (UPSTREAM_<NAME>=http://<name>.chain.local:8080), which is how meshctl
// finds who calls whom outside App Mesh.
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateServiceCommand as CreateRegistryCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import pLimit from 'p-limit';
import { seedNetwork } from './big-estate.js';

export const CHAIN_CLUSTER = 'chains';

/** `servers`: each service's name → the names of the services it calls. */
export async function seedChainEstate(endpoint: string, servers: Map<string, string[]>): Promise<void> {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const sd = new ServiceDiscoveryClient(config);
  const limit = pLimit(8);

  const { subnet, sg, namespaceId } = await seedNetwork(ec2, sd, 60, 'chain');
  await ecs.send(new CreateClusterCommand({ clusterName: CHAIN_CLUSTER }));

  await Promise.all([...servers].map(([name, calls]) => limit(async () => {
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: name, networkMode: 'awsvpc', cpu: '512', memory: '1024', requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{
        name: 'app', image: `app:${name}`, portMappings: [{ containerPort: 8080 }],
        environment: calls.map((server) => ({ name: `UPSTREAM_${server.toUpperCase()}`, value: `http://${server}.chain.local:8080` })),
      }],
    }))).taskDefinition!.taskDefinitionArn!;
    const registryArn = (await sd.send(new CreateRegistryCommand({ Name: name, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } }))).Service!.Arn!;
    await ecs.send(new CreateServiceCommand({
      cluster: CHAIN_CLUSTER, serviceName: name, taskDefinition: td, desiredCount: 2, launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } }, serviceRegistries: [{ registryArn }],
    }));
  })));
}
