// How API inputs become arguments of the Terraform AWS provider's resources
// (Terraform Registry, hashicorp/aws: aws_ecs_task_definition, aws_ecs_service,
// aws_lb_target_group, aws_appautoscaling_*, aws_service_discovery_*,
// aws_appmesh_*). Names default to the API name in snake_case; the schema
// says where the provider differs: blocks, block names in the singular, maps
// where the API has lists of pairs, fields the provider lifts or nests.
import { snakeCase } from './units.js';

export type Field =
  | { kind: 'attr'; name?: string; convert?: (value: unknown) => unknown }
  | { kind: 'json'; name?: string }
  | { kind: 'map'; name?: string }
  | { kind: 'pairs'; name?: string; key: string; value: string }
  | { kind: 'block' | 'blocks'; name?: string; fields?: Schema }
  | { kind: 'lift'; fields: Schema }
  | { kind: 'drop' };

/** Fields by API name; a schema without `fields` (App Mesh specs) converts every field by the generic rules. */
export type Schema = Record<string, Field>;

const attr = (name?: string, convert?: (value: unknown) => unknown): Field => ({ kind: 'attr', ...(name && { name }), ...(convert && { convert }) });
const block = (fields?: Schema, name?: string): Field => ({ kind: 'block', ...(fields && { fields }), ...(name && { name }) });
const blocks = (fields?: Schema, name?: string): Field => ({ kind: 'blocks', ...(fields && { fields }), ...(name && { name }) });
const tags: Field = { kind: 'pairs', key: 'key', value: 'value' };
const plain = (...names: string[]): Schema => Object.fromEntries(names.map((n) => [n, attr()]));

const logConfiguration = block({ ...plain('logDriver'), options: { kind: 'map' }, secretOptions: blocks(plain('name', 'valueFrom'), 'secret_option') });

export const TASK_DEFINITION: Schema = {
  ...plain('family', 'cpu', 'memory', 'networkMode', 'requiresCompatibilities', 'executionRoleArn', 'taskRoleArn', 'ipcMode', 'pidMode', 'enableFaultInjection'),
  containerDefinitions: { kind: 'json' },
  tags,
  proxyConfiguration: block({ ...plain('type', 'containerName'), properties: { kind: 'pairs', key: 'name', value: 'value' } }),
  volumes: blocks({
    name: attr(),
    host: { kind: 'lift', fields: { sourcePath: attr('host_path') } },
    configuredAtLaunch: attr('configure_at_launch'),
    dockerVolumeConfiguration: block({ ...plain('scope', 'autoprovision', 'driver'), driverOpts: { kind: 'map' }, labels: { kind: 'map' } }),
    efsVolumeConfiguration: block({ ...plain('fileSystemId', 'rootDirectory', 'transitEncryption', 'transitEncryptionPort'), authorizationConfig: block(plain('accessPointId', 'iam')) }),
    fsxWindowsFileServerVolumeConfiguration: block({ ...plain('fileSystemId', 'rootDirectory'), authorizationConfig: block(plain('credentialsParameter', 'domain')) }),
  }, 'volume'),
  placementConstraints: blocks(plain('type', 'expression'), 'placement_constraints'),
  runtimePlatform: block(plain('operatingSystemFamily', 'cpuArchitecture')),
  ephemeralStorage: block({ sizeInGiB: attr('size_in_gib') }),
  inferenceAccelerators: blocks(plain('deviceName', 'deviceType'), 'inference_accelerator'),
};

const serviceConnect = block({
  ...plain('enabled', 'namespace'),
  logConfiguration,
  // Added to the provider in 2026 (terraform-provider-aws pull request 45820).
  accessLogConfiguration: block(plain('format', 'includeQueryParameters')),
  services: blocks({
    ...plain('portName', 'discoveryName', 'ingressPortOverride'),
    clientAliases: blocks({ ...plain('port', 'dnsName'), testTrafficRules: block() }, 'client_alias'),
    timeout: block(plain('idleTimeoutSeconds', 'perRequestTimeoutSeconds')),
    tls: block({ ...plain('kmsKey', 'roleArn'), issuerCertificateAuthority: block(plain('awsPcaAuthorityArn'), 'issuer_cert_authority') }),
  }, 'service'),
});

/** ENABLED/DISABLED → true/false: the provider takes a boolean. */
const enabledFlag = (value: unknown) => value === 'ENABLED';

export const SERVICE: Schema = {
  serviceName: attr('name'),
  ...plain('cluster', 'taskDefinition', 'desiredCount', 'launchType', 'platformVersion', 'healthCheckGracePeriodSeconds', 'propagateTags', 'enableExecuteCommand', 'availabilityZoneRebalancing', 'schedulingStrategy'),
  enableECSManagedTags: attr('enable_ecs_managed_tags'),
  tags,
  capacityProviderStrategy: blocks(plain('capacityProvider', 'weight', 'base'), 'capacity_provider_strategy'),
  networkConfiguration: { kind: 'lift', fields: { awsvpcConfiguration: block({ ...plain('subnets', 'securityGroups'), assignPublicIp: attr(undefined, enabledFlag) }, 'network_configuration') } },
  loadBalancers: blocks({
    ...plain('targetGroupArn', 'containerName', 'containerPort'),
    loadBalancerName: attr('elb_name'),
    // ECS-managed blue/green, linear and canary deployments: in the provider since v6.4.0 (terraform-provider-aws pull request 43434).
    advancedConfiguration: block(plain('alternateTargetGroupArn', 'productionListenerRule', 'roleArn', 'testListenerRule')),
  }, 'load_balancer'),
  serviceRegistries: blocks(plain('registryArn', 'port', 'containerName', 'containerPort'), 'service_registries'),
  placementConstraints: blocks(plain('type', 'expression'), 'placement_constraints'),
  placementStrategy: blocks(plain('type', 'field'), 'ordered_placement_strategy'),
  deploymentController: block(plain('type')),
  // The provider lifts the rolling-update settings to the service and keeps the strategy in deployment_configuration.
  deploymentConfiguration: {
    kind: 'lift',
    fields: {
      maximumPercent: attr('deployment_maximum_percent'),
      minimumHealthyPercent: attr('deployment_minimum_healthy_percent'),
      deploymentCircuitBreaker: block(plain('enable', 'rollback')),
      alarms: block(plain('alarmNames', 'enable', 'rollback')),
    },
  },
  volumeConfigurations: blocks({
    name: attr(),
    managedEBSVolume: block({
      ...plain('roleArn', 'encrypted', 'filesystemType', 'iops', 'kmsKeyId', 'snapshotId', 'throughput', 'volumeType', 'volumeInitializationRate'),
      sizeInGiB: attr('size_in_gb'),
      tagSpecifications: blocks({ ...plain('resourceType', 'propagateTags'), tags }, 'tag_specifications'),
    }, 'managed_ebs_volume'),
  }, 'volume_configuration'),
  serviceConnectConfiguration: serviceConnect,
  clientToken: { kind: 'drop' },
};

/** The strategy fields of deploymentConfiguration, which the provider keeps in its deployment_configuration block. */
export const DEPLOYMENT_STRATEGY: Schema = {
  ...plain('strategy', 'bakeTimeInMinutes'),
  lifecycleHooks: blocks(plain('hookTargetArn', 'roleArn', 'lifecycleStages', 'hookDetails'), 'lifecycle_hook'),
  // The CANARY and LINEAR strategies: in the provider since v6.21.0 (terraform-provider-aws pull request 44842).
  canaryConfiguration: block(plain('canaryPercent', 'canaryBakeTimeInMinutes')),
  linearConfiguration: block(plain('stepPercent', 'stepBakeTimeInMinutes')),
};

const forwardActionFields: Schema = {
  ...plain('type', 'targetGroupArn', 'order'),
  forwardConfig: block({
    targetGroups: blocks({ targetGroupArn: attr('arn'), weight: attr() }, 'target_group'),
    targetGroupStickinessConfig: block({ enabled: attr(), durationSeconds: attr('duration') }, 'stickiness'),
  }, 'forward'),
};

export const LISTENER_RULE: Schema = { actions: blocks(forwardActionFields, 'action') };
export const LISTENER: Schema = { defaultActions: blocks(forwardActionFields, 'default_action') };

export const SCALABLE_TARGET: Schema = { ...plain('maxCapacity', 'minCapacity', 'resourceId', 'scalableDimension', 'serviceNamespace'), roleARN: attr('role_arn') };
export const SCALING_POLICY: Schema = {
  policyName: attr('name'),
  ...plain('policyType', 'resourceId', 'scalableDimension', 'serviceNamespace'),
  targetTrackingScalingPolicyConfiguration: block({
    ...plain('targetValue', 'disableScaleIn', 'scaleInCooldown', 'scaleOutCooldown'),
    predefinedMetricSpecification: block(plain('predefinedMetricType', 'resourceLabel')),
    customizedMetricSpecification: block({ ...plain('metricName', 'namespace', 'statistic', 'unit'), dimensions: blocks(plain('name', 'value'), 'dimensions') }),
  }),
  stepScalingPolicyConfiguration: block({
    ...plain('adjustmentType', 'cooldown', 'metricAggregationType', 'minAdjustmentMagnitude'),
    stepAdjustments: blocks(plain('metricIntervalLowerBound', 'metricIntervalUpperBound', 'scalingAdjustment'), 'step_adjustment'),
  }),
};

export const HTTP_NAMESPACE: Schema = { ...plain('name', 'description'), tags: { kind: 'pairs', key: 'key', value: 'value' }, creatorRequestId: { kind: 'drop' } };
export const PRIVATE_DNS_NAMESPACE: Schema = { ...plain('name', 'description', 'vpc'), tags: { kind: 'pairs', key: 'key', value: 'value' }, creatorRequestId: { kind: 'drop' } };
export const CLOUD_MAP_SERVICE: Schema = {
  ...plain('name', 'namespaceId', 'description'),
  dnsConfig: block({ ...plain('routingPolicy', 'namespaceId'), dnsRecords: blocks(plain('type', 'ttl'), 'dns_records') }),
  healthCheckCustomConfig: block(plain('failureThreshold')),
  tags: { kind: 'pairs', key: 'key', value: 'value' },
  creatorRequestId: { kind: 'drop' },
};
export const CLUSTER_DEFAULTS: Schema = { serviceConnectDefaults: block(plain('namespace')) };

/** App Mesh resources: identity fields, and a spec converted by the generic rules. */
export const appMesh = (nameField: string): Schema => ({
  [nameField]: attr('name'),
  ...(nameField !== 'meshName' && { meshName: attr() }),
  ...plain('meshOwner', 'virtualRouterName'),
  spec: block(),
  tags: { kind: 'pairs', key: 'key', value: 'value' },
  clientToken: { kind: 'drop' },
});

/** Generic rules (App Mesh specs): lists of objects are blocks in the singular; key/value attribute lists are maps. */
export function genericField(key: string, value: unknown): Field {
  if (key === 'attributes' && Array.isArray(value)) return { kind: 'pairs', key: 'key', value: 'value' };
  if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) return blocks(undefined, snakeCase(key).replace(/ies$/, 'y').replace(/s$/, ''));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return block();
  return attr();
}
