// The operations meshctl itself plans, per target: apply sends nothing else.
// A step added to a plan file by hand (an ecs DeleteService, say) is refused
// by name before anything runs.
import type { Target } from '../sidecars.js';
import type { PlanStep } from './model.js';

const MESH_RESOURCES = ['Mesh', 'VirtualNode', 'VirtualService', 'VirtualRouter', 'Route'];
/** Sharing a namespace or mesh with the accounts that use it (AWS RAM). */
const SHARING = ['ram CreateResourceShare', 'ram AssociateResourceShare', 'ram AcceptResourceShareInvitation'];
/** A private DNS namespace's hosted zone made resolvable in another VPC (across accounts: authorize, associate, clean up). */
const ZONE_ASSOCIATION = ['route53 CreateVPCAssociationAuthorization', 'route53 AssociateVPCWithHostedZone', 'route53 DeleteVPCAssociationAuthorization'];

export type PlanKind = Target | 'rollback' | 'finalize';

export const ALLOWED_OPERATIONS: Record<PlanKind, ReadonlySet<string>> = {
  appmesh: new Set([
    ...MESH_RESOURCES.flatMap((kind) => [`appmesh Create${kind}`, `appmesh Update${kind}`]),
    'servicediscovery CreatePrivateDnsNamespace', 'servicediscovery CreateService',
    'ecs RegisterTaskDefinition', 'ecs UpdateService',
    ...SHARING, ...ZONE_ASSOCIATION,
  ]),
  'service-connect': new Set([
    'servicediscovery CreateHttpNamespace',
    'ecs UpdateCluster', 'ecs RegisterTaskDefinition', 'ecs UpdateService', 'ecs CreateService',
    'elbv2 CreateTargetGroup', 'elbv2 ModifyTargetGroupAttributes', 'elbv2 ModifyRule', 'elbv2 ModifyListener',
    'application-autoscaling RegisterScalableTarget', 'application-autoscaling PutScalingPolicy', 'application-autoscaling PutScheduledAction',
    'cloudwatch PutMetricAlarm',
    'appmesh DeleteVirtualService', 'appmesh DeleteVirtualNode',
    ...SHARING,
  ]),
  // Rollback puts services back, restores listener rules and deletes only what an apply created.
  rollback: new Set([
    'ecs UpdateService', 'ecs DeregisterTaskDefinition', 'ecs DeleteService', 'ecs StopServiceDeployment',
    'elbv2 ModifyRule', 'elbv2 ModifyListener', 'elbv2 DeleteTargetGroup', 'application-autoscaling DeregisterScalableTarget', 'cloudwatch DeleteAlarms',
    ...MESH_RESOURCES.map((kind) => `appmesh Delete${kind}`),
    'servicediscovery DeleteService', 'servicediscovery DeleteNamespace',
  ]),
  // Finalize removes the blue side of a finished cut-over: its rules' share, its scaling and alarms, its service, group and revision,
  // its App Mesh resources (and first puts green in blue's Cloud Map registry).
  finalize: new Set([
    'elbv2 ModifyRule', 'elbv2 ModifyListener', 'elbv2 DeleteTargetGroup',
    'application-autoscaling DeregisterScalableTarget', 'cloudwatch DeleteAlarms',
    'ecs UpdateService', 'ecs DeleteService', 'ecs DeregisterTaskDefinition',
    'appmesh DeleteVirtualService', 'appmesh DeleteVirtualNode',
  ]),
};

/** The steps whose operation meshctl never plans for this kind of plan. */
export function disallowedSteps(kind: PlanKind, steps: PlanStep[]): PlanStep[] {
  const allowed = ALLOWED_OPERATIONS[kind];
  return steps.filter((s) => !allowed?.has(`${s.service} ${s.operation}`));
}
