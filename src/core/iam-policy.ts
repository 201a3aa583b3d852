// The least-privilege IAM policy to run precheck, plan, apply and rollback:
// read actions on "*" (most List/Describe actions take no resource), and for
// a given plan every mutation scoped to the exact resources it touches.
import { accountOfArn } from './arn.js';
import type { Plan } from './plan/model.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const READ_ACTIONS = [
  'ecs:ListClusters', 'ecs:DescribeClusters', 'ecs:ListServices', 'ecs:DescribeServices',
  'ecs:ListContainerInstances', 'ecs:DescribeContainerInstances', 'ecs:ListTasks', 'ecs:DescribeTasks',
  'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:ListAccountSettings',
  'ec2:DescribeInstanceTypes',
  // The cross-VPC reachability check: subnets always, the rest only when services span several VPCs.
  'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeTransitGatewayVpcAttachments', 'ec2:DescribeSecurityGroups',
  'servicediscovery:ListNamespaces', 'servicediscovery:ListServices',
  'appmesh:ListMeshes', 'appmesh:ListVirtualNodes', 'appmesh:ListVirtualServices', 'appmesh:ListVirtualRouters',
  'appmesh:ListRoutes',
  'appmesh:DescribeMesh', 'appmesh:DescribeVirtualNode', 'appmesh:DescribeVirtualService', 'appmesh:DescribeVirtualRouter', 'appmesh:DescribeRoute',
  'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies', 'elasticloadbalancing:DescribeTargetHealth', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricStatistics', 'route53:ListResourceRecordSets', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
  'servicediscovery:GetOperation',
  // Across accounts: the RAM shares that already hold a namespace or mesh, invitations to accept, hosted zones' VPCs.
  'ram:ListResources', 'ram:GetResourceShareInvitations', 'ram:GetResourceShares', 'route53:GetHostedZone', 'servicediscovery:GetNamespace',
  // apply checks the plan's account (STS allows this call to everyone; listed so the policy names every call).
  'sts:GetCallerIdentity',
];

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** The ARN partition of a region: China and GovCloud have their own. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Cloud Map creating a private DNS namespace also creates and reads its Route 53 hosted zone and checks the VPC (AWS Cloud Map Developer Guide, "Cloud Map API permissions reference", CreatePrivateDnsNamespace). */
const PRIVATE_DNS_NAMESPACE_ACTIONS = ['route53:CreateHostedZone', 'route53:DeleteHostedZone', 'route53:GetHostedZone', 'route53:ListHostedZonesByName', 'ec2:DescribeVpcs', 'ec2:DescribeRegions'];

/** A fresh account has no ECS or App Mesh service-linked role yet: the first CreateService / CreateMesh creates it. */
function serviceLinkedRoles(partition: string, account: string, services: string[]): PolicyStatement {
  const roles: Record<string, string> = { 'ecs.amazonaws.com': 'AWSServiceRoleForECS', 'appmesh.amazonaws.com': 'AWSServiceRoleForAppMesh' };
  return {
    Sid: 'MeshctlServiceLinkedRoles', Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'],
    Resource: services.map((s) => `arn:${partition}:iam::${account}:role/aws-service-role/${s}/${roles[s]}`),
    Condition: { StringEquals: { 'iam:AWSServiceName': services } },
  };
}

function appMeshArn(plan: Plan, input: Record<string, unknown>, kind: string): string {
  const base = `arn:${partitionOf(plan.region)}:appmesh:${plan.region}:${plan.account}:mesh/${input.meshName}`;
  switch (kind) {
    case 'Mesh': return base;
    case 'VirtualNode': return `${base}/virtualNode/${input.virtualNodeName}`;
    case 'VirtualService': return `${base}/virtualService/${input.virtualServiceName}`;
    case 'VirtualRouter': return `${base}/virtualRouter/${input.virtualRouterName}`;
    default: return `${base}/virtualRouter/${input.virtualRouterName}/route/${input.routeName}`;
  }
}

export function iamPolicy(plan?: Plan): PolicyDocument {
  const statements: PolicyStatement[] = [{ Sid: 'MeshctlReadEstate', Effect: 'Allow', Action: READ_ACTIONS, Resource: '*' }];
  if (!plan) {
    statements.push(
      { Sid: 'MeshctlApply', Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:TagResource', 'ecs:UpdateService', 'ecs:CreateService', 'ecs:UpdateCluster', 'servicediscovery:CreateHttpNamespace', 'servicediscovery:CreatePrivateDnsNamespace', ...PRIVATE_DNS_NAMESPACE_ACTIONS, 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:ModifyListener', 'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:PutScalingPolicy', 'route53:ChangeResourceRecordSets', 'appmesh:CreateMesh', 'appmesh:UpdateMesh', 'appmesh:CreateVirtualNode', 'appmesh:UpdateVirtualNode', 'appmesh:CreateVirtualService', 'appmesh:UpdateVirtualService', 'appmesh:CreateVirtualRouter', 'appmesh:UpdateVirtualRouter', 'appmesh:CreateRoute', 'appmesh:UpdateRoute', 'servicediscovery:CreateService'], Resource: '*' },
      { Sid: 'MeshctlPassTaskRoles', Effect: 'Allow', Action: ['iam:PassRole'], Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      { Sid: 'MeshctlServiceLinkedRoles', Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'], Resource: '*', Condition: { StringEquals: { 'iam:AWSServiceName': ['ecs.amazonaws.com', 'appmesh.amazonaws.com'] } } },
      { Sid: 'MeshctlRollback', Effect: 'Allow', Action: ['ecs:DeregisterTaskDefinition', 'ecs:DeleteService', 'application-autoscaling:DeregisterScalableTarget', 'servicediscovery:DeleteNamespace', 'elasticloadbalancing:DeleteTargetGroup', 'appmesh:DeleteMesh', 'appmesh:DeleteVirtualNode', 'appmesh:DeleteVirtualService', 'appmesh:DeleteVirtualRouter', 'appmesh:DeleteRoute', 'servicediscovery:DeleteService'], Resource: '*' },
    );
    return { Version: '2012-10-17', Statement: statements };
  }

  const partition = partitionOf(plan.region);
  const registers = plan.steps.filter((s) => s.operation === 'RegisterTaskDefinition');
  if (registers.length > 0 || plan.steps.some((s) => s.operation === 'DeregisterTaskDefinition')) {
    // RegisterTaskDefinition and DeregisterTaskDefinition take no resource-level permissions.
    statements.push({ Sid: 'MeshctlTaskDefinitions', Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'], Resource: '*' });
  }
  if (registers.length > 0) {
    const tagged = registers.some((s) => Array.isArray(s.input.tags) && s.input.tags.length > 0);
    if (tagged) {
      statements.push({
        Sid: 'MeshctlTagTaskDefinitions', Effect: 'Allow', Action: ['ecs:TagResource'],
        Resource: sorted(registers.map((s) => `arn:${partition}:ecs:${plan.region}:${plan.account}:task-definition/${s.input.family}:*`)),
        Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      });
    }
    const roles = sorted(registers.flatMap((s) => [s.input.taskRoleArn, s.input.executionRoleArn].filter((r): r is string => typeof r === 'string')));
    if (roles.length > 0) {
      statements.push({ Sid: 'MeshctlPassTaskRoles', Effect: 'Allow', Action: ['iam:PassRole'], Resource: roles, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
    }
  }
  const updates = plan.steps.filter((s) => s.operation === 'UpdateService');
  if (updates.length > 0) {
    const arns = updates.map((s) => `arn:${partition}:ecs:${plan.region}:${plan.account}:service/${s.input.cluster}/${s.input.service}`);
    statements.push({ Sid: 'MeshctlUpdateServices', Effect: 'Allow', Action: ['ecs:UpdateService'], Resource: sorted(arns) });
  }
  const clusters = plan.steps.filter((s) => s.operation === 'UpdateCluster');
  if (clusters.length > 0) {
    statements.push({
      Sid: 'MeshctlClusterDefaults', Effect: 'Allow', Action: ['ecs:UpdateCluster'],
      Resource: sorted(clusters.map((s) => `arn:${partition}:ecs:${plan.region}:${plan.account}:cluster/${s.input.cluster}`)),
    });
  }
  const greens = plan.steps.filter((s) => s.service === 'ecs' && s.operation === 'CreateService');
  if (greens.length > 0) {
    const arns = greens.map((s) => `arn:${partition}:ecs:${plan.region}:${plan.account}:service/${s.input.cluster}/${s.input.serviceName}`);
    statements.push({ Sid: 'MeshctlGreenServices', Effect: 'Allow', Action: ['ecs:CreateService', 'ecs:DeleteService'], Resource: sorted(arns) });
  }
  // Scalable targets have no ARNs the policy could name before they exist.
  if (plan.steps.some((s) => s.service === 'application-autoscaling')) {
    statements.push({ Sid: 'MeshctlGreenScaling', Effect: 'Allow', Action: ['application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:PutScalingPolicy', 'application-autoscaling:RegisterScalableTarget'], Resource: '*' });
  }
  // Rollback deletes green twins, finalize the blue services: each named.
  const deletes = plan.steps.filter((s) => s.service === 'ecs' && s.operation === 'DeleteService');
  if (deletes.length > 0) {
    statements.push({
      Sid: 'MeshctlDeleteServices', Effect: 'Allow', Action: ['ecs:DeleteService'],
      Resource: sorted(deletes.map((s) => `arn:${partition}:ecs:${plan.region}:${plan.account}:service/${s.input.cluster}/${s.input.service}`)),
    });
  }
  const edgeSteps = plan.steps.filter((s) => s.service === 'elbv2');
  if (edgeSteps.length > 0) {
    statements.push({ Sid: 'MeshctlTargetGroups', Effect: 'Allow', Action: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup'], Resource: '*' });
    const modified = edgeSteps.filter((s) => s.operation === 'ModifyRule' || s.operation === 'ModifyListener');
    if (modified.length > 0) {
      statements.push({
        Sid: 'MeshctlWeightedForwards', Effect: 'Allow', Action: sorted(modified.map((s) => `elasticloadbalancing:${s.operation}`)),
        Resource: sorted(modified.map((s) => String(s.input.RuleArn ?? s.input.ListenerArn))),
      });
    }
  }
  const meshSteps = plan.steps.filter((s) => s.service === 'appmesh');
  if (meshSteps.length > 0) {
    const kinds = meshSteps.map((s) => s.operation.replace(/^(Create|Update|Delete)/, ''));
    statements.push({
      Sid: 'MeshctlAppMesh', Effect: 'Allow',
      Action: sorted(meshSteps.flatMap((s, i) => [`appmesh:${s.operation}`, ...(s.action === 'create' ? [`appmesh:Delete${kinds[i]}`] : [])])),
      Resource: sorted(meshSteps.map((s, i) => appMeshArn(plan, s.input, kinds[i]!))),
    });
  }
  const cloudMapSteps = plan.steps.filter((s) => s.service === 'servicediscovery');
  if (cloudMapSteps.length > 0) {
    const actions = cloudMapSteps.flatMap((s) => (s.operation.endsWith('Namespace')
      // A private DNS namespace creates a Route 53 hosted zone in the VPC.
      ? [`servicediscovery:${s.operation}`, 'servicediscovery:DeleteNamespace', ...(s.operation === 'CreatePrivateDnsNamespace' ? PRIVATE_DNS_NAMESPACE_ACTIONS : [])]
      : ['servicediscovery:CreateService', 'servicediscovery:DeleteService']));
    statements.push({ Sid: 'MeshctlCloudMap', Effect: 'Allow', Action: sorted(actions), Resource: '*' });
  }
  const shares = plan.steps.filter((s) => s.service === 'ram' && s.operation !== 'AcceptResourceShareInvitation');
  if (shares.length > 0) {
    // Cloud Map namespaces and App Mesh meshes have no resource policies of their own (Cloud Map Developer Guide, "How AWS Cloud Map works with IAM"): RAM's actions are all it takes.
    statements.push({ Sid: 'MeshctlShareResources', Effect: 'Allow', Action: sorted(shares.map((s) => `ram:${s.operation}`)), Resource: '*' });
  }
  if (plan.steps.some((s) => s.operation === 'AcceptResourceShareInvitation')) {
    statements.push({ Sid: 'MeshctlAcceptShares', Effect: 'Allow', Action: ['ram:AcceptResourceShareInvitation', 'ram:GetResourceShareInvitations'], Resource: '*' });
  }
  const zoneSteps = plan.steps.filter((s) => s.service === 'route53');
  if (zoneSteps.length > 0) {
    statements.push({
      Sid: 'MeshctlHostedZoneAssociation', Effect: 'Allow', Action: sorted(zoneSteps.map((s) => `route53:${s.operation}`)),
      Resource: sorted(zoneSteps.map((s) => `arn:${partition}:route53:::hostedzone/${String(s.input.HostedZoneId).replace(/^\/hostedzone\//, '')}`)),
    });
    // Associating a VPC with a hosted zone also needs the VPC (Route 53 API Reference, AssociateVPCWithHostedZone).
    if (zoneSteps.some((s) => s.operation === 'AssociateVPCWithHostedZone')) statements.push({ Sid: 'MeshctlAssociateVpcs', Effect: 'Allow', Action: ['ec2:DescribeVpcs'], Resource: '*' });
  }
  const linked = [
    ...(plan.steps.some((s) => s.service === 'ecs' && (s.operation === 'CreateService' || s.operation === 'UpdateService')) ? ['ecs.amazonaws.com'] : []),
    ...(plan.steps.some((s) => s.service === 'appmesh' && s.operation.startsWith('Create')) ? ['appmesh.amazonaws.com'] : []),
  ];
  if (linked.length > 0) statements.push(serviceLinkedRoles(partition, plan.account, linked));
  return { Version: '2012-10-17', Statement: statements };
}

/** An account of the run, as iam-policy sees it. */
export interface PolicyAccount {
  name: string;
  /** The 12-digit id, when known (from a plan). */
  id?: string;
  /** The role meshctl assumes there; none for the caller's own account. */
  roleArn?: string;
  externalId?: string;
}

/** A role's trust policy: who may assume it (statements name a principal, not resources). */
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: (Omit<PolicyStatement, 'Resource'> & { Principal: { AWS: string } })[];
}

export interface AccountPolicy {
  account: string;
  id?: string;
  policy: PolicyDocument;
  /** The trust policy the assumed role needs: the caller's account may assume it (with the external id). */
  trustPolicy?: TrustPolicy;
}

/**
 * One policy per account: each account's steps scoped to its own resources,
 * and the caller's own allowed to assume the others' roles, whose trust
 * policies let the caller's account in.
 */
export function accountPolicies(accounts: PolicyAccount[], callerAccount: string | undefined, plan?: Plan): AccountPolicy[] {
  const partition = partitionOf(plan?.region ?? 'us-east-1');
  const roles = sorted(accounts.map((a) => a.roleArn).filter((r): r is string => !!r));
  return accounts.map((account) => {
    const id = account.id ?? (account.roleArn ? accountOfArn(account.roleArn) : callerAccount);
    const own = plan && id ? { ...plan, account: id, steps: plan.steps.filter((s) => (s.account ?? plan.account) === id) } : undefined;
    const policy = iamPolicy(own);
    if (!account.roleArn && roles.length > 0) {
      policy.Statement.push({ Sid: 'MeshctlAssumeAccountRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles });
    }
    const trustPolicy: TrustPolicy | undefined = account.roleArn ? {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'MeshctlCallerAssumes', Effect: 'Allow', Action: ['sts:AssumeRole'],
        Principal: { AWS: `arn:${partition}:iam::${callerAccount ?? 'CALLER_ACCOUNT_ID'}:root` },
        ...(account.externalId && { Condition: { StringEquals: { 'sts:ExternalId': account.externalId } } }),
      }],
    } : undefined;
    return { account: account.name, ...(id && { id }), policy, ...(trustPolicy && { trustPolicy }) };
  });
}
