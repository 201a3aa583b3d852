// The demo's usage in CloudWatch (usage-metrics.ts). Two EC2 services on
// shop-ec2 whose containers set only a memory reservation: search bursts to 180% of its 512 MiB (a hard limit from
// reservations would OOM-kill it), audit stays at 35% of its 256 MiB. And
// pricing (on App Mesh) serves 620 requests per second per task at the
// busiest 5 minutes (above AWS's 500: its agent gets 512 CPU units). The
// other demo services have no data: they keep the sizing of their task
// definitions.
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { putUsage, type UtilizationPoint } from './usage-metrics.js';

const DEMO_USAGE_SERVICES = ['search', 'audit'];

export async function seedDemoUsage(endpoint: string, region: string): Promise<string[]> {
  const config = { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  for (const [name, reservation] of [['search', 512], ['audit', 256]] as const) {
    // No requiresCompatibilities (EC2 is the default): moto refuses a reservation without a hard limit when it names EC2, which AWS accepts.
    const td = await ecs.send(new RegisterTaskDefinitionCommand({
      family: name, networkMode: 'bridge', executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [{
        name, image: `123456789012.dkr.ecr.${region}.amazonaws.com/shop/${name}:2.0.1`, cpu: 256, memoryReservation: reservation, essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${name}`, 'awslogs-region': region, 'awslogs-stream-prefix': name } },
      }],
      tags: [{ key: 'team', value: name }],
    }));
    await ecs.send(new CreateServiceCommand({
      cluster: 'shop-ec2', serviceName: name, taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 2, launchType: 'EC2',
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    }));
  }

  const pricing = (await new ElasticLoadBalancingV2Client(config).send(new DescribeTargetGroupsCommand({ Names: ['pricing'] }))).TargetGroups![0]!.TargetGroupArn!;
  const point = (service: string, metric: UtilizationPoint['metric'], percent: number, daysAgo: number): UtilizationPoint => ({
    cluster: service === 'pricing' ? 'legacy-mesh' : 'shop-ec2', service, metric, percent, daysAgo,
  });
  await putUsage(endpoint, region, [
    point('search', 'MemoryUtilization', 70, 6), point('search', 'MemoryUtilization', 180, 2), point('search', 'CPUUtilization', 150, 2),
    point('audit', 'MemoryUtilization', 35, 3), point('audit', 'CPUUtilization', 8, 3),
    point('pricing', 'MemoryUtilization', 41, 1), point('pricing', 'CPUUtilization', 55, 1),
  ], [{ targetGroupArn: pricing, count: 186_000, daysAgo: 1 }]);
  return DEMO_USAGE_SERVICES;
}
