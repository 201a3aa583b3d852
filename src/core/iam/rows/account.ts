// The run itself: who the caller is, the roles of the other accounts, and
// the network reads of precheck. Service Authorization Reference, "Actions,
// resources, and condition keys for AWS Security Token Service":
// GetCallerIdentity takes no resource (and is allowed to everyone),
// AssumeRole is authorized on the role. "… for Amazon EC2": the Describe
// actions meshctl reads take no resource.
import { role, text } from '../arns.js';
import type { Requirement } from '../requirement.js';
import { read } from './read.js';

export const STS_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS Security Token Service"';
export const IAM_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS Identity and Access Management"';
export const EC2_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Amazon EC2"';

export const ACCOUNT: Record<string, Requirement> = {
  'sts GetCallerIdentity': read('sts:GetCallerIdentity', STS_PAGE),
  // precheck and plan read the infrastructure role of ECS-managed deployments (does it exist, does ECS trust it).
  'iam GetRole': read('iam:GetRole', IAM_PAGE, (s) => [role(s, text(s.input.RoleName) ?? '*')]),
  'sts AssumeRole': { action: 'sts:AssumeRole', access: 'write', page: STS_PAGE, sid: 'MeshctlAssumeAccountRoles', resources: (s) => [role(s, text(s.input.RoleArn) ?? '*')] },
  ...Object.fromEntries(['DescribeInstanceTypes', 'DescribeSubnets', 'DescribeVpcs', 'DescribeRouteTables', 'DescribeVpcPeeringConnections', 'DescribeTransitGatewayVpcAttachments', 'DescribeSecurityGroups']
    .map((op) => [`ec2 ${op}`, read(`ec2:${op}`, EC2_PAGE)])),
};
