// Puts services' usage into moto's CloudWatch, as ECS and ALBs report it:
// AWS/ECS utilization in % of the task definition, and AWS/ApplicationELB
// requests per target. Test-only: AWS reserves AWS/ namespaces to its services.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

export interface UtilizationPoint {
  cluster: string;
  service: string;
  metric: 'MemoryUtilization' | 'CPUUtilization';
  percent: number;
  daysAgo: number;
}

export interface RequestsPoint {
  targetGroupArn: string;
  /** Requests per target in one 5-minute period. */
  count: number;
  daysAgo: number;
}

export async function putUsage(endpoint: string, region: string, utilization: UtilizationPoint[], requests: RequestsPoint[] = []): Promise<void> {
  const cloudwatch = new CloudWatchClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await cloudwatch.send(new PutMetricDataCommand({
    Namespace: 'AWS/ECS',
    MetricData: utilization.map((p) => ({
      MetricName: p.metric, Unit: 'Percent', Value: p.percent, Timestamp: ago(p.daysAgo),
      Dimensions: [{ Name: 'ClusterName', Value: p.cluster }, { Name: 'ServiceName', Value: p.service }],
    })),
  }));
  if (requests.length === 0) return;
  await cloudwatch.send(new PutMetricDataCommand({
    Namespace: 'AWS/ApplicationELB',
    MetricData: requests.map((r) => ({
      MetricName: 'RequestCountPerTarget', Unit: 'Count', Value: r.count, Timestamp: ago(r.daysAgo),
      // The dimension is the end of the ARN: targetgroup/NAME/ID.
      Dimensions: [{ Name: 'TargetGroup', Value: r.targetGroupArn.slice(r.targetGroupArn.lastIndexOf(':') + 1) }],
    })),
  }));
}
