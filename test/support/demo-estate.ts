// Seeds the demo estate into moto through the AWS SDK: a small shop whose
// migration shows every problem teams hit by hand. scripts/record-demo.ts
// records it into fixtures/demo; integration tests seed it too.
import {
  EC2Client, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, ModifyVpcAttributeCommand, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AppMeshClient, CreateMeshCommand, CreateVirtualNodeCommand, CreateVirtualServiceCommand } from '@aws-sdk/client-app-mesh';
import {
  CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type KeyValuePair, type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { envoyImage, XRAY_DAEMON_IMAGE } from '../../src/core/appmesh/envoy-image.js';
import { rewriteForAppMesh } from '../../src/core/appmesh/rewrite.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateCloudMapServiceCommand, ListNamespacesCommand, RegisterInstanceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { seedDemoUsage } from './demo-usage.js';

/** Every secret the demo estate holds in clear in moto: none may appear in meshctl's output, plans, journals or recordings. */
export const DEMO_SECRETS = ['s3cr3t-Passw0rd', 'hunter2-demo-only', 'sk_live_demo0000000000000000000000', 'pricing-pw', 'ledger-Pa55', 'json-s3cret', 'cmd-t0ken-value'];

export const DEMO_REGION = 'us-east-1';
export const DEMO_NAMESPACE = 'shop.local';
export const LEGACY_MESH = 'shop-legacy';
/** The role ECS assumes to move the demo's listener rules (Amazon ECS infrastructure IAM role for load balancers). */
export const DEMO_INFRASTRUCTURE_ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';

/** The infrastructure role, so services ECS can move keep their names (promotions, behind its own listener rule), and the alarm that rolls promotions back. */
const CUTOVER_CONFIG = `cutover:
  infrastructureRoleArn: ${DEMO_INFRASTRUCTURE_ROLE}
`;
const PROMOTIONS_ALARM = `  promotions:
    alarms: [promotions-5xx]
`;
/** meshctl.yaml for ECS-managed cut-overs of the demo alone (the integration tests'). */
export const DEMO_CUTOVER_CONFIG = `${CUTOVER_CONFIG}services:
${PROMOTIONS_ALARM}`;

/**
 * The demo's owners (in fixtures/demo/meshctl.yaml): Terraform marks what it
 * owns with ManagedBy=terraform (the provider's default_tags) and its
 * workspace with tf-workspace. CloudFormation and Copilot need no config:
 * AWS's own tags name them.
 */
export const DEMO_OWNERS = `# Infrastructure code that owns demo services (CloudFormation and Copilot are found by AWS's own tags).
owners:
  terraform:
    tags: { ManagedBy: terraform }
    workspaceTag: tf-workspace
`;

/**
 * The image the seeded EC2 instances run: the first of the AMIs moto bundles.
 * Named rather than looked up: DescribeImages without a filter makes moto
 * build and send all ~1,200 of them, 2–3 s a call, most of a seed's time.
 */
export const MOTO_IMAGE_ID = 'ami-03cf127a';

const env = (vars: Record<string, string>): KeyValuePair[] => Object.entries(vars).map(([name, value]) => ({ name, value }));

const logs = (group: string) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': `/ecs/${group}`, 'awslogs-region': DEMO_REGION, 'awslogs-stream-prefix': group },
});

function app(name: string, port: number | undefined, vars: Record<string, string>, extra: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name,
    image: `123456789012.dkr.ecr.${DEMO_REGION}.amazonaws.com/shop/${name}:1.4.2`,
    essential: true,
    portMappings: port ? [{ containerPort: port, protocol: 'tcp' }] : [],
    environment: env(vars),
    logConfiguration: logs(name),
    ...extra,
  };
}

export interface SeededDemo {
  clusters: string[];
  services: string[];
  /** The ARN of the shop.local namespace: fixtures/demo/meshctl.yaml names it so. */
  namespaceArn: string;
}

/** fixtures/demo/meshctl.yaml: the namespace named by its ARN, and inventory's port made TCP (its App Mesh per-request timeout cannot be kept). */
export const demoConfig = (demo: SeededDemo) => `# The demo with a meshctl.yaml: npx meshctl plan --fixtures fixtures/demo --config fixtures/demo/meshctl.yaml
# The namespace named by its ARN (as another account's must be), inventory's port as TCP, and the
# infrastructure role ECS needs to move promotions itself (an ECS canary: it keeps its name).
cloudMap:
  namespace: ${demo.namespaceArn}
${CUTOVER_CONFIG}services:
  inventory:
    protocol: tcp
${PROMOTIONS_ALARM}${DEMO_OWNERS}`;

/**
 * Seeds the demo into moto at `endpoint`. App Mesh calls, and the creation of
 * the App Mesh services (whose settings moto would drop), go to
 * `proxyEndpoint`: the test proxy, which stands in for what moto lacks.
 */
export async function seedDemoEstate(endpoint: string, proxyEndpoint: string): Promise<SeededDemo> {
  const config = { endpoint, region: DEMO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const sd = new ServiceDiscoveryClient(config);

  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  // Cloud Map private DNS (and moto's task ENIs) need DNS hostnames in the VPC.
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${DEMO_REGION}a` }))).Subnet!.SubnetId!;
  const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.2.0/24', AvailabilityZone: `${DEMO_REGION}b` }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'shop', Description: 'shop services', VpcId: vpc }))).GroupId!;
  const network = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } };

  await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: DEMO_NAMESPACE, Vpc: vpc }));
  const namespace = (await sd.send(new ListNamespacesCommand({}))).Namespaces!.find((n) => n.Name === DEMO_NAMESPACE)!;
  const namespaceId = namespace.Id!;
  // A Cloud Map service for an ECS service's registry, with one task registered in it as ECS registers
  // them (moto's ECS registers none): attributes naming the cluster and service, which narrowed plans read.
  const registry = async (name: string, cluster: string) => {
    const created = (await sd.send(new CreateCloudMapServiceCommand({
      Name: name, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] },
    }))).Service!;
    await sd.send(new RegisterInstanceCommand({
      ServiceId: created.Id!, InstanceId: `${cluster}-${name}-task-1`,
      Attributes: { AWS_INSTANCE_IPV4: '10.20.1.10', AVAILABILITY_ZONE: `${DEMO_REGION}a`, REGION: DEMO_REGION, ECS_CLUSTER_NAME: cluster, ECS_SERVICE_NAME: name, ECS_TASK_DEFINITION_FAMILY: name },
    }));
    return created.Arn!;
  };

  const register = async (family: string, containers: ContainerDefinition[], opts: { networkMode?: 'awsvpc' | 'bridge'; cpu?: string; memory?: string; fargate?: boolean; tags?: Record<string, string> } = {}) => {
    const out = await ecs.send(new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: containers,
      networkMode: opts.networkMode ?? 'awsvpc',
      cpu: opts.cpu,
      memory: opts.memory,
      requiresCompatibilities: opts.fargate ? ['FARGATE'] : ['EC2'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      // Fargate tasks carry a task role: Envoy on Fargate (App Mesh) takes its credentials from it.
      ...(opts.fargate && { taskRoleArn: `arn:aws:iam::123456789012:role/${family}-task` }),
      tags: [{ key: 'team', value: family.split('-')[0]! }, ...Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value }))],
    }));
    return out.taskDefinition!.taskDefinitionArn!;
  };

  // EC2 cluster: two t3.medium instances (3 ENIs each, 2 for tasks), already full of awsvpc tasks.
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop-ec2' }));
  for (let i = 0; i < 2; i += 1) {
    const instance = (await ec2.send(new RunInstancesCommand({ ImageId: MOTO_IMAGE_ID, MinCount: 1, MaxCount: 1, InstanceType: 't3.medium', SubnetId: subnet }))).Instances![0]!;
    await ecs.send(new RegisterContainerInstanceCommand({
      cluster: 'shop-ec2',
      instanceIdentityDocument: JSON.stringify({ instanceId: instance.InstanceId, instanceType: 't3.medium', region: DEMO_REGION }),
    }));
  }

  const orders = await register('orders', [app('orders', 8080, {
    DATABASE_URL: 'postgres://orders:s3cr3t-Passw0rd@orders-db.cluster-c9akciq32.us-east-1.rds.amazonaws.com:5432/orders',
    REDIS_URL: 'redis://orders-cache.abc123.0001.use1.cache.amazonaws.com:6379',
    DB_PASSWORD: 'hunter2-demo-only',
    PAYMENTS_URL: `http://payments.${DEMO_NAMESPACE}:8080`,
  }, { cpu: 1536, memory: 2048 })], { cpu: '1536', memory: '2048' });
  const payments = await register('payments', [app('payments', 8080, {
    SPRING_DATASOURCE_URL: 'jdbc:mysql://payments-db.c9akciq32.us-east-1.rds.amazonaws.com:3306/payments?useSSL=true',
    STRIPE_API_KEY: 'sk_live_demo0000000000000000000000',
    LEDGER_DB_HOST: 'ledger.cluster-c9akciq32.us-east-1.rds.amazonaws.com',
    // Secrets in other shapes than a URL or a secret-named variable: JVM flags and a JSON document.
    JAVA_OPTS: '-Xmx512m -Dspring.datasource.password=ledger-Pa55 -Dfile.encoding=UTF-8',
    APP_CONFIG: '{"db":{"user":"payments","password":"json-s3cret"},"region":"us-east-1"}',
  }, {
    cpu: 1024, memory: 1536,
    // ...and a token on the command line.
    command: ['java', '-jar', '/app/payments.jar', '--api-token', 'cmd-t0ken-value', '--port=8080'],
  })], { cpu: '1024', memory: '1536' });
  const reports = await register('legacy-reports', [app('legacy-reports', 9000, {
    REPORTS_DB_URL: 'mysql://reports:reports@reports-db.c9akciq32.us-east-1.rds.amazonaws.com/reports',
  }, { cpu: 512, memory: 1024, portMappings: [{ containerPort: 9000, hostPort: 9000, protocol: 'tcp' }] })], { networkMode: 'bridge' });

  const ec2Services: [string, string, number][] = [['orders', orders, 2], ['payments', payments, 2], ['legacy-reports', reports, 1]];
  for (const [name, taskDefinition, desiredCount] of ec2Services) {
    const awsvpc = name !== 'legacy-reports';
    await ecs.send(new CreateServiceCommand({
      cluster: 'shop-ec2', serviceName: name, taskDefinition, desiredCount, launchType: 'EC2',
      ...(awsvpc && { networkConfiguration: network }),
      ...(awsvpc && { serviceRegistries: [{ registryArn: await registry(name, 'shop-ec2') }] }),
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    }));
    // moto's services start no tasks; run them so the instances hold their ENIs and reservations.
    await ecs.send(new RunTaskCommand({
      cluster: 'shop-ec2', taskDefinition, count: desiredCount, launchType: 'EC2', startedBy: `ecs-svc/${name}`, group: `service:${name}`,
      ...(awsvpc && { networkConfiguration: network }),
    }));
  }

  // Fargate cluster.
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop-fargate', capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
  const fargate = async (name: string, containers: ContainerDefinition[], cpu: string, memory: string, desiredCount: number, opts: { controller?: 'ECS' | 'CODE_DEPLOY'; registry?: boolean; tags?: Record<string, string>; taskDefinitionTags?: Record<string, string> } = {}) => {
    const taskDefinition = await register(name, containers, { cpu, memory, fargate: true, tags: opts.taskDefinitionTags ?? opts.tags });
    await ecs.send(new CreateServiceCommand({
      cluster: 'shop-fargate', serviceName: name, taskDefinition, desiredCount, launchType: 'FARGATE', platformVersion: '1.4.0',
      networkConfiguration: network,
      deploymentController: { type: opts.controller ?? 'ECS' },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      ...(opts.registry !== false && { serviceRegistries: [{ registryArn: await registry(name, 'shop-fargate') }] }),
      ...(opts.tags && { tags: Object.entries(opts.tags).map(([key, value]) => ({ key, value })) }),
    }));
  };
  await fargate('web', [app('web', 3000, {
    ORDERS_URL: `http://orders.${DEMO_NAMESPACE}:8080`,
    CATALOG_URL: `http://catalog.${DEMO_NAMESPACE}:8080`,
    SESSION_SECRET: 'demo-session-secret-not-real',
  }, { cpu: 256, memory: 512 })], '512', '1024', 3);
  await fargate('catalog', [app('catalog', 8080, {
    MONGO_URL: 'mongodb://catalog:catalog-pw@catalog.cluster-c9akciq32.us-east-1.docdb.amazonaws.com:27017/?tls=true',
    SEARCH_ENDPOINT: 'https://search-catalog-abc123.us-east-1.es.amazonaws.com',
  }, { cpu: 256, memory: 512 })], '256', '512', 2);
  await fargate('checkout', [app('checkout', 8080, {
    ORDERS_URL: `http://orders.${DEMO_NAMESPACE}:8080`,
  }, { cpu: 256, memory: 512 })], '512', '1024', 2, { controller: 'CODE_DEPLOY', registry: false });
  // Already at Fargate's 16 vCPU: the sidecars cannot fit.
  await fargate('recommender', [app('recommender', 8501, {
    FEATURE_STORE_URL: 'redis://features.abc123.clustercfg.use1.cache.amazonaws.com:6379',
  }, { cpu: 16000, memory: 61440 })], '16384', '65536', 1);

  // Services infrastructure code owns (moto, unlike AWS, lets anyone set aws: tags): apply holds them for their owners.
  // ledger: a CloudFormation stack's; its task definition is in the stack too.
  const stack = (name: string, logicalId: string) => ({
    'aws:cloudformation:stack-name': name,
    'aws:cloudformation:stack-id': `arn:aws:cloudformation:${DEMO_REGION}:123456789012:stack/${name}/6f1c2e40-8b1d-11f0-9a3e-0a4b5c6d7e8f`,
    'aws:cloudformation:logical-id': logicalId,
  });
  await fargate('ledger', [app('ledger', 8080, { PAYMENTS_URL: `http://payments.${DEMO_NAMESPACE}:8080` }, { cpu: 256, memory: 512 })], '512', '1024', 2, {
    tags: stack('shop-ledger', 'LedgerService'), taskDefinitionTags: stack('shop-ledger', 'LedgerTaskDefinition'),
  });
  // reviews: a Copilot service (Copilot deploys it as CloudFormation stack shop-prod-reviews).
  const copilot = { 'copilot-application': 'shop', 'copilot-environment': 'prod', 'copilot-service': 'reviews' };
  await fargate('reviews', [app('reviews', 8080, { CATALOG_URL: `http://catalog.${DEMO_NAMESPACE}:8080` }, { cpu: 256, memory: 512 })], '512', '1024', 2, {
    tags: { ...copilot, ...stack('shop-prod-reviews', 'Service') }, taskDefinitionTags: { ...copilot, ...stack('shop-prod-reviews', 'TaskDefinition') },
  });
  // shipping: Terraform's, by the tags meshctl.yaml names (DEMO_OWNERS).
  await fargate('shipping', [app('shipping', 8080, { ORDERS_URL: `http://orders.${DEMO_NAMESPACE}:8080` }, { cpu: 256, memory: 512 })], '512', '1024', 2, {
    tags: { ManagedBy: 'terraform', 'tf-workspace': 'prod' },
  });

  // A cluster already on App Mesh (mesh shop-legacy): inventory calls pricing through Envoy.
  const appmesh = new AppMeshClient({ ...config, endpoint: proxyEndpoint });
  const ecsViaProxy = new ECSClient({ ...config, endpoint: proxyEndpoint });
  await ecs.send(new CreateClusterCommand({ clusterName: 'legacy-mesh', capacityProviders: ['FARGATE'] }));
  await appmesh.send(new CreateMeshCommand({ meshName: LEGACY_MESH, spec: { egressFilter: { type: 'ALLOW_ALL' } } }));
  const meshed: [string, Record<string, string>, string[]][] = [
    ['pricing', { PRICING_DB_URL: 'postgres://pricing:pricing-pw@pricing.cluster-c9akciq32.us-east-1.rds.amazonaws.com:5432/pricing' }, []],
    ['inventory', { PRICING_URL: `http://pricing.${DEMO_NAMESPACE}:8080` }, [`pricing.${DEMO_NAMESPACE}`]],
    // Behind its own path rule: ECS can move it itself, keeping its name (with the demo's meshctl.yaml).
    ['promotions', { PROMOTIONS_TTL: '300' }, []],
  ];
  // pricing is behind an internal ALB: a listener default and a path rule forward to its target group.
  const elb = new ElasticLoadBalancingV2Client(config);
  const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'shop-internal', Subnets: [subnet, subnetB], SecurityGroups: [sg], Scheme: 'internal', Type: 'application' }))).LoadBalancers![0]!.LoadBalancerArn!;
  const pricingTg = (await elb.send(new CreateTargetGroupCommand({
    Name: 'pricing', Protocol: 'HTTP', ProtocolVersion: 'HTTP2', Port: 8080, VpcId: vpc, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10,
  }))).TargetGroups![0]!.TargetGroupArn!;
  // A short drain and a slow start: the green target group must drain and warm up the same way.
  await elb.send(new ModifyTargetGroupAttributesCommand({
    TargetGroupArn: pricingTg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }, { Key: 'slow_start.duration_seconds', Value: '60' }],
  }));
  const listener = (await elb.send(new CreateListenerCommand({
    LoadBalancerArn: alb, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: pricingTg }],
  }))).Listeners![0]!.ListenerArn!;
  await elb.send(new CreateRuleCommand({
    ListenerArn: listener, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/prices/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: pricingTg }],
  }));
  const promotionsTg = (await elb.send(new CreateTargetGroupCommand({
    Name: 'promotions', Protocol: 'HTTP', Port: 8080, VpcId: vpc, TargetType: 'ip', HealthCheckPath: '/health',
  }))).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(new CreateRuleCommand({
    ListenerArn: listener, Priority: 20, Conditions: [{ Field: 'path-pattern', Values: ['/promotions/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: promotionsTg }],
  }));
  const groups: Record<string, string> = { pricing: pricingTg, promotions: promotionsTg };
  const loadBalancersOf = (name: string) => (groups[name] ? [{ targetGroupArn: groups[name], containerName: name, containerPort: 8080 }] : []);
  // The infrastructure role, trusting ECS (moto has no AWS managed policies to attach).
  await new IAMClient(config).send(new CreateRoleCommand({
    RoleName: DEMO_INFRASTRUCTURE_ROLE.split('/').pop()!,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  }));
  await new CloudWatchClient(config).send(new PutMetricAlarmCommand({
    AlarmName: 'promotions-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold', Dimensions: [{ Name: 'TargetGroup', Value: promotionsTg.split(':').pop()! }], TreatMissingData: 'notBreaching',
  }));

  for (const [name, vars, backends] of meshed) {
    await appmesh.send(new CreateVirtualNodeCommand({
      meshName: LEGACY_MESH, virtualNodeName: name,
      spec: {
        // pricing has App Mesh traffic policy: its timeouts move to Service Connect, its outlier detection shows in the parity report.
        listeners: [{
          portMapping: { port: 8080, protocol: 'http' },
          ...(name === 'pricing' && {
            timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 's', value: 300 } } },
            outlierDetection: { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 's', value: 30 }, maxEjectionPercent: 50 },
          }),
          // inventory's timeouts too: fixtures/demo/meshctl.yaml makes its port TCP, where only the idle one carries over.
          ...(name === 'inventory' && { timeout: { http: { perRequest: { unit: 's', value: 5 }, idle: { unit: 's', value: 60 } } } }),
        }],
        serviceDiscovery: { awsCloudMap: { namespaceName: DEMO_NAMESPACE, serviceName: name } },
        ...(backends.length > 0 && { backends: backends.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })) }),
      },
    }));
    // pricing is also reachable as prices.shop.local: both names must keep resolving on Service Connect.
    for (const virtualServiceName of name === 'pricing' ? [`${name}.${DEMO_NAMESPACE}`, `prices.${DEMO_NAMESPACE}`] : [`${name}.${DEMO_NAMESPACE}`]) {
      await appmesh.send(new CreateVirtualServiceCommand({
        meshName: LEGACY_MESH, virtualServiceName, spec: { provider: { virtualNode: { virtualNodeName: name } } },
      }));
    }
    const plain = { family: name, revision: 0, taskDefinitionArn: '', networkMode: 'awsvpc', cpu: '512', memory: '1024', requiresCompatibilities: ['FARGATE'], containerDefinitions: [app(name, 8080, vars, { cpu: 256, memory: 512 })] };
    const meshedTd = rewriteForAppMesh(plain as never, {
      virtualNodeArn: `arn:aws:appmesh:${DEMO_REGION}:123456789012:mesh/${LEGACY_MESH}/virtualNode/${name}`, launch: 'FARGATE', sizing: DEFAULT_SIDECAR_SIZING,
      envoyImage: envoyImage(DEMO_REGION), xrayImage: XRAY_DAEMON_IMAGE, egressIgnoredPorts: name === 'pricing' ? [5432] : [], egressIgnoredIPs: [],
    });
    const registered = await ecs.send(new RegisterTaskDefinitionCommand({
      ...(meshedTd as unknown as RegisterTaskDefinitionCommandInput),
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      taskRoleArn: 'arn:aws:iam::123456789012:role/appmesh-envoy',
    }));
    await ecsViaProxy.send(new CreateServiceCommand({
      cluster: 'legacy-mesh', serviceName: name, taskDefinition: registered.taskDefinition!.taskDefinitionArn, desiredCount: 2, launchType: 'FARGATE', platformVersion: '1.4.0',
      networkConfiguration: network, serviceRegistries: [{ registryArn: await registry(name, 'legacy-mesh') }],
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, ...(name === 'pricing' && { deploymentCircuitBreaker: { enable: true, rollback: true } }) },
      loadBalancers: loadBalancersOf(name),
      // pricing starts slowly behind its ALB and is tagged: its green twin must keep both (moto keeps only the tags; the proxy's stand-in the rest).
      ...(name === 'pricing' && { healthCheckGracePeriodSeconds: 90, tags: [{ key: 'team', value: 'pricing' }], propagateTags: 'SERVICE', enableExecuteCommand: true }),
    }));
  }
  // pricing scales between 2 and 6 tasks on CPU: its green twin must scale the same way...
  const scaling = new ApplicationAutoScalingClient(config);
  const pricingScaling = { ServiceNamespace: 'ecs' as const, ResourceId: 'service/legacy-mesh/pricing', ScalableDimension: 'ecs:service:DesiredCount' as const };
  await scaling.send(new RegisterScalableTargetCommand({ ...pricingScaling, MinCapacity: 2, MaxCapacity: 6 }));
  await scaling.send(new PutScalingPolicyCommand({
    ...pricingScaling, PolicyName: 'pricing-cpu', PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleInCooldown: 120, ScaleOutCooldown: 60 },
  }));
  // ...on its ALB requests per task (the label names its target group: green's must name green's)...
  const resourceLabel = `${alb.split(':loadbalancer/')[1]}/${pricingTg.split(':').pop()}`;
  await scaling.send(new PutScalingPolicyCommand({
    ...pricingScaling, PolicyName: 'pricing-requests', PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: { TargetValue: 500, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: resourceLabel } },
  }));
  // ...in steps when its CPU runs high (the alarm is the team's, tagged, and pages them too), and down for the night.
  const step = await scaling.send(new PutScalingPolicyCommand({
    ...pricingScaling, PolicyName: 'pricing-step-out', PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', Cooldown: 120, MetricAggregationType: 'Average', StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 15, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 15, ScalingAdjustment: 2 }] },
  }));
  await new CloudWatchClient(config).send(new PutMetricAlarmCommand({
    AlarmName: 'pricing-cpu-high', AlarmDescription: 'pricing CPU above 75% for 3 minutes: add tasks',
    Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Statistic: 'Average', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 75,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    Dimensions: [{ Name: 'ClusterName', Value: 'legacy-mesh' }, { Name: 'ServiceName', Value: 'pricing' }],
    AlarmActions: [step.PolicyARN!, `arn:aws:sns:${DEMO_REGION}:123456789012:pricing-oncall`], Tags: [{ Key: 'team', Value: 'pricing' }],
  }));
  await scaling.send(new PutScheduledActionCommand({
    ...pricingScaling, ScheduledActionName: 'pricing-nightly', Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 },
  }));

  // What the services really use, in CloudWatch (and two EC2 services sized from it).
  const measured = await seedDemoUsage(endpoint, DEMO_REGION);

  return {
    clusters: ['legacy-mesh', 'shop-ec2', 'shop-fargate'],
    services: ['orders', 'payments', 'legacy-reports', 'web', 'catalog', 'checkout', 'recommender', 'ledger', 'reviews', 'shipping', 'pricing', 'inventory', 'promotions', ...measured],
    namespaceArn: namespace.Arn!,
  };
}
