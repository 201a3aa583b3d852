// Elastic Load Balancing. Service Authorization Reference, "Actions,
// resources, and condition keys for Elastic Load Balancing V2": target group
// actions are authorized on the target group
// (targetgroup/<name>/<id>, the id AWS's), ModifyRule on the listener rule,
// ModifyListener on the listener; tags given to CreateTargetGroup are
// authorized as elasticloadbalancing:AddTags with
// elasticloadbalancing:CreateAction (Elastic Load Balancing User Guide for
// Application Load Balancers, "Identity-based policies": resource tagging on
// creation). Describe actions take no resource.
import { targetGroup, text } from '../arns.js';
import type { Requirement } from '../requirement.js';
import { read } from './read.js';

export const ELB_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Elastic Load Balancing V2"';

const groupOf = (s: Parameters<typeof targetGroup>[0]) => [targetGroup(s, s.input.TargetGroupArn, s.input.Name)];

export const LOAD_BALANCING: Record<string, Requirement> = {
  'elbv2 CreateTargetGroup': {
    action: 'elasticloadbalancing:CreateTargetGroup', access: 'write', page: ELB_PAGE, sid: 'MeshctlTargetGroups', resources: groupOf,
    tagOnCreate: { action: 'elasticloadbalancing:AddTags', field: 'Tags', createAction: { key: 'elasticloadbalancing:CreateAction', value: 'CreateTargetGroup' }, sid: 'MeshctlTagTargetGroupsOnCreate', page: ELB_PAGE },
    // A resumed apply looks the group up by name.
    alsoSends: ['elbv2 DescribeTargetGroups'], undoneBy: 'elbv2 DeleteTargetGroup',
  },
  'elbv2 ModifyTargetGroupAttributes': { action: 'elasticloadbalancing:ModifyTargetGroupAttributes', access: 'write', page: ELB_PAGE, sid: 'MeshctlTargetGroups', resources: groupOf },
  'elbv2 DeleteTargetGroup': { action: 'elasticloadbalancing:DeleteTargetGroup', access: 'write', page: ELB_PAGE, sid: 'MeshctlTargetGroups', resources: groupOf },
  'elbv2 ModifyRule': { action: 'elasticloadbalancing:ModifyRule', access: 'write', page: ELB_PAGE, sid: 'MeshctlListenerRules', resources: (s) => [text(s.input.RuleArn) ?? '*'] },
  'elbv2 ModifyListener': { action: 'elasticloadbalancing:ModifyListener', access: 'write', page: ELB_PAGE, sid: 'MeshctlListeners', resources: (s) => [text(s.input.ListenerArn) ?? '*'] },
  ...Object.fromEntries(['DescribeTargetGroups', 'DescribeTargetGroupAttributes', 'DescribeListeners', 'DescribeRules', 'DescribeTargetHealth']
    .map((op) => [`elbv2 ${op}`, read(`elasticloadbalancing:${op}`, ELB_PAGE)])),
};
