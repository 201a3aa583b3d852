// The estate as meshctl sees it: plain data read from AWS by the AWS layer and
// consumed by the pure core (checks, rewrites, planning). No SDK types here.

export type LaunchKind = 'FARGATE' | 'EC2' | 'EXTERNAL';
export type MeshStatus = 'none' | 'appmesh' | 'service-connect';

export interface KeyValue {
  name: string;
  value: string;
}

export interface PortMapping {
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
  name?: string;
  appProtocol?: string;
  [field: string]: unknown;
}

export interface ContainerDefinition {
  name: string;
  image?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  essential?: boolean;
  user?: string;
  portMappings?: PortMapping[];
  environment?: KeyValue[];
  secrets?: { name: string; valueFrom: string }[];
  dependsOn?: { containerName: string; condition: string }[];
  logConfiguration?: { logDriver: string; options?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

export interface ProxyConfiguration {
  type?: string;
  containerName: string;
  properties?: KeyValue[];
}

/** What RegisterTaskDefinition takes: every user field of a task definition. */
export interface TaskDefinitionInput {
  family: string;
  networkMode?: string;
  cpu?: string;
  memory?: string;
  requiresCompatibilities?: string[];
  containerDefinitions: ContainerDefinition[];
  proxyConfiguration?: ProxyConfiguration;
  taskRoleArn?: string;
  tags?: { key: string; value: string }[];
  [field: string]: unknown;
}

/** A task definition exactly as DescribeTaskDefinition returns it, tags included. */
export interface TaskDefinition extends TaskDefinitionInput {
  taskDefinitionArn: string;
  revision: number;
  status?: string;
}

export interface CapacityProviderItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

export interface ServiceConnectConfig {
  enabled: boolean;
  namespace?: string;
  services?: unknown[];
  logConfiguration?: unknown;
  [field: string]: unknown;
}

export interface Deployment {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  serviceConnectConfiguration?: ServiceConnectConfig;
  /** When the deployment started (ISO time). */
  createdAt?: string;
}

export interface Service {
  name: string;
  arn: string;
  clusterName: string;
  status: string;
  launchType?: string;
  capacityProviderStrategy: CapacityProviderItem[];
  platformVersion?: string;
  awsvpcConfiguration?: { subnets: string[]; securityGroups: string[]; assignPublicIp?: string };
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deploymentController: string;
  maximumPercent: number;
  minimumHealthyPercent: number;
  serviceRegistries: { registryArn: string; port?: number; containerName?: string; containerPort?: number }[];
  loadBalancers: { targetGroupArn?: string; loadBalancerName?: string; containerName?: string; containerPort?: number; advancedConfiguration?: Record<string, unknown> }[];
  taskDefinitionArn: string;
  deployments: Deployment[];
  /** Live Service Connect config: DescribeServices reports it per deployment only, so this is the PRIMARY's. */
  serviceConnect?: ServiceConnectConfig;
  /** The most recent service events, newest first. */
  events: { createdAt?: string; message: string }[];
  /** What else CreateService accepts that the service has: a green twin copies it. */
  settings?: ServiceSettings;
  /**
   * Every tag DescribeServices reports (include TAGS), AWS's own aws: tags
   * too: CloudFormation and Copilot mark what they own with them. Not copied
   * anywhere (aws: tags cannot be set); settings.tags holds what a twin copies.
   */
  tags?: { key: string; value: string }[];
}

/** A service's settings beyond task, network, load balancers and count, as DescribeServices reports them. */
export interface ServiceSettings {
  healthCheckGracePeriodSeconds?: number;
  placementConstraints?: { type: string; expression?: string }[];
  placementStrategy?: { type: string; field?: string }[];
  /** User tags (DescribeServices include TAGS); aws: tags are AWS's own and cannot be set. */
  tags?: { key: string; value: string }[];
  propagateTags?: string;
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  /** Percentages, circuit breaker, alarms, strategy: the whole object. */
  deploymentConfiguration?: Record<string, unknown>;
  availabilityZoneRebalancing?: string;
  /** The PRIMARY deployment's volumes configured at deployment (EBS). */
  volumeConfigurations?: Record<string, unknown>[];
}

export interface ContainerInstance {
  arn: string;
  ec2InstanceId?: string;
  instanceType?: string;
  status: string;
  agentVersion?: string;
  registered: { cpu: number; memory: number };
  remaining: { cpu: number; memory: number };
  runningTasksCount: number;
  /** The instance has a trunk ENI attached (awsvpcTrunking was on when it registered). */
  trunked: boolean;
}

export interface RunningTask {
  arn: string;
  taskDefinitionArn: string;
  containerInstanceArn?: string;
  launchType?: string;
  /** The task holds its own ENI (awsvpc network mode). */
  usesEni: boolean;
  /** service:NAME for a service's tasks, family:NAME for standalone ones. */
  group?: string;
}

export interface Cluster {
  name: string;
  arn: string;
  status: string;
  capacityProviders: string[];
  defaultCapacityProviderStrategy: CapacityProviderItem[];
  serviceConnectDefaultsNamespace?: string;
  services: Service[];
  containerInstances: ContainerInstance[];
  tasks: RunningTask[];
}

export interface InstanceType {
  name: string;
  maxNetworkInterfaces: number;
  vcpus: number;
  memoryMiB: number;
}

export interface CloudMapNamespace {
  id: string;
  arn: string;
  name: string;
  type: string;
  /** Other accounts of the run that see it, shared through AWS RAM. */
  sharedWith?: string[];
  /** The RAM share (in the owner's account) that already holds it. */
  resourceShare?: string;
  /** DNS namespaces: their Route 53 hosted zone (private DNS: associated with the VPCs that resolve it). */
  hostedZoneId?: string;
}

export interface CloudMapService {
  id: string;
  arn: string;
  name: string;
  namespaceId?: string;
}

/** A mesh resource as the List APIs return it: enough to know it exists and its version. */
export interface AppMeshResourceRef {
  name: string;
  arn: string;
  version: number;
}

export interface AppMeshMesh {
  name: string;
  arn: string;
  version: number;
  /** Other accounts of the run that see it. */
  sharedWith?: string[];
  /** The RAM share (in the owner's account) that already holds it. */
  resourceShare?: string;
  virtualNodes: AppMeshResourceRef[];
  virtualServices: AppMeshResourceRef[];
  virtualRouters: AppMeshResourceRef[];
}

/**
 * The VPC plumbing between services in different VPCs: read only when the
 * estate's awsvpc services span several VPCs (subnets always, to know).
 */
export interface Network {
  subnets: Record<string, { vpcId: string; cidr: string }>;
  vpcCidrs: Record<string, string[]>;
  routeTables: { id: string; vpcId: string; main: boolean; subnets: string[]; routes: { destination: string; target: string }[] }[];
  /** Active VPC peering connections. */
  peerings: { id: string; vpcs: [string, string] }[];
  /** Available transit gateway VPC attachments. */
  transitGateways: { id: string; vpcId: string }[];
  securityGroups: Record<string, { ingress: { protocol: string; fromPort?: number; toPort?: number; cidrs: string[]; groups: string[] }[] }>;
}

/**
 * One service's usage over the window, as CloudWatch reports it (read by
 * src/aws/read-usage.ts; turned into per-task peaks by src/core/usage.ts).
 */
export interface ServiceUsage {
  /** AWS/ECS MemoryUtilization, Maximum: the busiest task's peak, in % of the task definition's memory. */
  memoryPercent?: number;
  /** AWS/ECS CPUUtilization, Maximum: the same for CPU. */
  cpuPercent?: number;
  /** Behind an ALB: requests per second per task in the busiest period (AWS/ApplicationELB RequestCountPerTarget). */
  requestsPerSecond?: number;
  /** Why there is no memory peak: no datapoints in the window, or CloudWatch refused the read. */
  missing?: string;
  /**
   * The peaks are read from this time on (ISO), not over the whole window: the
   * service's current revision took over within the window with another size,
   * and earlier percentages were measured against the old one.
   */
  since?: string;
}

export interface UsageReading {
  /** The window read, as given (14d). */
  window: string;
  /** Keyed by service ARN. */
  services: Record<string, ServiceUsage>;
}

export interface Estate {
  region: string;
  /** A run over several accounts: each account's name in meshctl.yaml, by id. */
  accounts?: Record<string, string>;
  clusters: Cluster[];
  /** Keyed by task-definition ARN; a definition shared by services appears once. */
  taskDefinitions: Record<string, TaskDefinition>;
  /** Keyed by instance type name (t3.medium). */
  instanceTypes: Record<string, InstanceType>;
  awsvpcTrunking: boolean;
  cloudMap: { namespaces: CloudMapNamespace[]; services: CloudMapService[] };
  /** `unreadable`: why App Mesh could not be read (AccessDenied, no endpoint since its end of support). */
  appMesh: { meshes: AppMeshMesh[]; unreadable?: string };
  /** Subnets of the awsvpc services, and when they span several VPCs, what connects them. */
  network?: Network;
  /** The services' usage in CloudWatch; absent when not read (--no-usage, or a command that sizes nothing). */
  usage?: UsageReading;
  /**
   * A read narrowed by --cluster/--service: the services outside it that serve
   * names the selected services call (read only for those names). Absent when
   * the whole estate was read.
   */
  outsideServers?: OutsideServer[];
}

/** A Cloud Map name selected services call, served by a service outside the selection. */
export interface OutsideServer {
  /** The name (service.namespace) as clients call it. */
  name: string;
  /** The selected services (cluster/service) that call it. */
  clients: string[];
  /** The ECS service registering it, as its Cloud Map instances say; none when no running task registers it. */
  cluster?: string;
  service?: string;
  /** That service is on Service Connect already: it has moved. */
  onServiceConnect: boolean;
}
