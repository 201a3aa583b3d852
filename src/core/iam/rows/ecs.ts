// Amazon ECS. Service Authorization Reference, "Actions, resources, and
// condition keys for Amazon Elastic Container Service": CreateService and
// UpdateService are authorized on the service (dependent: ecs:TagResource,
// iam:PassRole), RegisterTaskDefinition on the task definition (dependent:
// ecs:TagResource, iam:PassRole), UpdateCluster on the cluster;
// DeregisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions
// take no resource.
import { accountOfArn } from '../../arn.js';
import { ecsCluster, ecsService, namespace, cloudMapService, regional, taskDefinitionFamily, text, type Scope } from '../arns.js';
import type { Dependent, PassedRole, Requirement } from '../requirement.js';
import { read } from './read.js';

export const ECS_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Amazon Elastic Container Service"';
const INFRASTRUCTURE_ROLE = 'Amazon ECS Developer Guide, "Amazon ECS infrastructure IAM role"';

/** Every role CreateService and UpdateService hand to ECS itself (iam:PassedToService ecs.amazonaws.com). */
const SERVICE_ROLES: PassedRole[] = [
  { path: 'serviceConnectConfiguration.services[].tls.roleArn', service: 'ecs.amazonaws.com', page: `${INFRASTRUCTURE_ROLE} (Service Connect TLS)` },
  { path: 'volumeConfigurations[].managedEBSVolume.roleArn', service: 'ecs.amazonaws.com', page: `${INFRASTRUCTURE_ROLE} (Amazon EBS volumes)` },
  { path: 'loadBalancers[].advancedConfiguration.roleArn', service: 'ecs.amazonaws.com', page: 'Amazon ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers"' },
  { path: 'deploymentConfiguration.lifecycleHooks[].roleArn', service: 'ecs.amazonaws.com', page: 'Amazon ECS Developer Guide, "Permissions required for Lambda functions in Amazon ECS blue/green deployments"' },
  { path: 'vpcLatticeConfigurations[].roleArn', service: 'ecs.amazonaws.com', page: `${INFRASTRUCTURE_ROLE} (VPC Lattice)` },
  { path: 'role', service: 'ecs.amazonaws.com', page: 'Amazon ECS API Reference, CreateService (role)' },
];

/** The Service Connect namespace, when it is another account's (named by ARN). */
function sharedNamespace(s: Scope): string | undefined {
  const value = text((s.input.serviceConnectConfiguration as { namespace?: unknown } | undefined)?.namespace);
  return value?.startsWith('arn:') && accountOfArn(value) !== s.account ? value : undefined;
}

const SHARED_NAMESPACE_PAGE = 'Amazon ECS Developer Guide, "Troubleshooting Service Connect" (namespaces shared from another account)';
/**
 * With a namespace shared from another account, ECS creates and reads the
 * service's Cloud Map service with the caller's permissions: on the
 * namespace, and on services in it (created by the caller, owned by the
 * namespace's account).
 */
const SHARED_NAMESPACE: Dependent[] = [
  { action: 'servicediscovery:CreateService', sid: 'MeshctlSharedNamespaces', page: SHARED_NAMESPACE_PAGE, when: (s) => !!sharedNamespace(s),
    resources: (s) => [sharedNamespace(s)!, cloudMapService(s, undefined, accountOfArn(sharedNamespace(s)!)), cloudMapService(s, undefined)] },
  ...['GetService', 'GetNamespace', 'GetOperation'].map((op): Dependent => ({
    action: `servicediscovery:${op}`, access: 'read', sid: 'MeshctlReadEstate', page: SHARED_NAMESPACE_PAGE, when: (s) => !!sharedNamespace(s),
    resources: (s) => (op === 'GetService' ? [cloudMapService(s, undefined, accountOfArn(sharedNamespace(s)!))] : [namespace(s, sharedNamespace(s))]),
  })),
];

const ECS_LINKED_ROLE = { service: 'ecs.amazonaws.com', role: 'AWSServiceRoleForECS', page: 'Amazon ECS Developer Guide, "Using service-linked roles for Amazon ECS"' };
/** service-deployment/<cluster>/<service>/<id>: the resource type the service-deployment actions are authorized on. */
const ecsServiceDeployment = (s: Scope) => regional(s, 'ecs', `service-deployment/${text(s.input.cluster) ?? '*'}/${text(s.input.service) ?? '*'}/*`);
const serviceOf = (s: Scope) => [ecsService(s, s.input.cluster, s.input.serviceName ?? s.input.service)];

export const ECS: Record<string, Requirement> = {
  'ecs RegisterTaskDefinition': {
    action: 'ecs:RegisterTaskDefinition', access: 'write', page: ECS_PAGE, sid: 'MeshctlTaskDefinitions',
    resources: (s) => [taskDefinitionFamily(s, s.input.family)],
    tagOnCreate: { action: 'ecs:TagResource', field: 'tags', createAction: { key: 'ecs:CreateAction', value: 'RegisterTaskDefinition' }, sid: 'MeshctlTagTaskDefinitions', page: 'Amazon ECS Developer Guide, "Grant permission to tag resources on creation"' },
    passesRoles: [
      { path: 'taskRoleArn', service: 'ecs-tasks.amazonaws.com', page: 'Amazon ECS Developer Guide, "Amazon ECS task IAM role"' },
      { path: 'executionRoleArn', service: 'ecs-tasks.amazonaws.com', page: 'Amazon ECS Developer Guide, "Amazon ECS task execution IAM role"' },
    ],
    // A resumed apply looks for the revision a killed run registered.
    alsoSends: ['ecs ListTaskDefinitions', 'ecs DescribeTaskDefinition'],
    undoneBy: 'ecs DeregisterTaskDefinition',
  },
  'ecs DeregisterTaskDefinition': {
    action: 'ecs:DeregisterTaskDefinition', access: 'write', page: ECS_PAGE, sid: 'MeshctlTaskDefinitions', resources: () => ['*'],
    alsoSends: ['ecs DescribeTaskDefinition'],
  },
  'ecs CreateService': {
    action: 'ecs:CreateService', access: 'write', page: ECS_PAGE, sid: 'MeshctlGreenServices', resources: serviceOf,
    tagOnCreate: { action: 'ecs:TagResource', field: 'tags', createAction: { key: 'ecs:CreateAction', value: 'CreateService' }, sid: 'MeshctlTagServicesOnCreate', page: 'Amazon ECS Developer Guide, "Grant permission to tag resources on creation"' },
    passesRoles: SERVICE_ROLES, dependent: SHARED_NAMESPACE, linkedRole: ECS_LINKED_ROLE,
    alsoSends: ['ecs DescribeServices'], undoneBy: 'ecs DeleteService',
  },
  'ecs UpdateService': {
    action: 'ecs:UpdateService', access: 'write', page: ECS_PAGE, sid: 'MeshctlUpdateServices', resources: serviceOf,
    passesRoles: SERVICE_ROLES, dependent: SHARED_NAMESPACE, linkedRole: ECS_LINKED_ROLE,
    // apply waits for the deployments it starts: rolling ones, and ECS-managed ones (canary, linear, blue/green) through their service deployment.
    alsoSends: ['ecs DescribeServices', 'ecs DescribeServiceDeployments', 'ecs ListServiceDeployments'],
  },
  // rollback of an ECS-managed move in progress: ECS rolls it back (stopType ROLLBACK); apply waits for the rollback.
  'ecs StopServiceDeployment': {
    action: 'ecs:StopServiceDeployment', access: 'write', page: ECS_PAGE, sid: 'MeshctlUpdateServices', resources: (s) => [text(s.input.serviceDeploymentArn) ?? ecsServiceDeployment(s)],
    alsoSends: ['ecs DescribeServiceDeployments'],
  },
  'ecs DescribeServiceDeployments': read('ecs:DescribeServiceDeployments', ECS_PAGE, (s) => [ecsServiceDeployment(s)]),
  'ecs ListServiceDeployments': read('ecs:ListServiceDeployments', ECS_PAGE, (s) => [ecsService(s, s.input.cluster, s.input.service ?? '*')]),
  'ecs DeleteService': { action: 'ecs:DeleteService', access: 'write', page: ECS_PAGE, sid: 'MeshctlDeleteServices', resources: serviceOf },
  'ecs UpdateCluster': { action: 'ecs:UpdateCluster', access: 'write', page: ECS_PAGE, sid: 'MeshctlClusterDefaults', resources: (s) => [ecsCluster(s, s.input.cluster)] },
  'ecs DescribeServices': read('ecs:DescribeServices', ECS_PAGE, (s) => [ecsService(s, s.input.cluster, s.input.serviceName ?? s.input.service ?? '*')]),
  'ecs DescribeTaskDefinition': read('ecs:DescribeTaskDefinition', ECS_PAGE),
  'ecs ListTaskDefinitions': read('ecs:ListTaskDefinitions', ECS_PAGE),
  ...Object.fromEntries(['ListClusters', 'DescribeClusters', 'ListServices', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'DescribeTasks', 'ListAccountSettings']
    .map((op) => [`ecs ${op}`, read(`ecs:${op}`, ECS_PAGE)])),
};
