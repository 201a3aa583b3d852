// Shares a Cloud Map namespace or App Mesh mesh with the accounts whose
// services use it, through AWS RAM: a share in the owner's account (a new one,
// or the one already holding the resource), then, in each consumer account,
// the acceptance of RAM's invitation (none comes inside one AWS Organization).
import { accountOfArn } from './arn.js';
import type { PlanStep } from './plan/model.js';

/** ECS Service Connect in a shared namespace needs this managed permission (Cloud Map Developer Guide, "Shared namespaces"). */
const CLOUD_MAP_ECS_PERMISSION_NAME = 'AWSRAMPermissionCloudMapECSFullPermission';

/** The managed permission's ARN in the partition of `resourceArn` (AWS RAM managed permissions are `arn:<partition>:ram::aws:permission/…`). */
export function cloudMapEcsPermission(resourceArn: string): string {
  return `arn:${resourceArn.split(':')[1] ?? 'aws'}:ram::aws:permission/${CLOUD_MAP_ECS_PERMISSION_NAME}`;
}

/** The AWS CLI commands that share a namespace with `consumer` by hand. */
export function shareCommand(namespaceArn: string, consumer: string): string {
  return `in account ${accountOfArn(namespaceArn)}, aws ram create-resource-share --name meshctl-namespace --resource-arns ${namespaceArn} --principals ${consumer} --permission-arns ${cloudMapEcsPermission(namespaceArn)}; in this account, if the accounts are not in one AWS Organization, aws ram accept-resource-share-invitation`;
}

export interface ShareNeed {
  kind: 'namespace' | 'mesh';
  arn: string;
  name: string;
  owner: string;
  /** Accounts of the run that use it and do not see it yet. */
  consumers: string[];
  /** The RAM share in the owner's account that already holds it. */
  share?: string;
}

export interface PlannedSharing {
  steps: PlanStep[];
  /** The step after which a consumer account can use the resource: by `${arn} ${consumer}`. */
  usableAfter: Map<string, string>;
}

export function planSharing(needs: ShareNeed[], token: (id: string) => string): PlannedSharing {
  const steps: PlanStep[] = [];
  const usableAfter = new Map<string, string>();
  for (const need of [...needs].sort((a, b) => a.arn.localeCompare(b.arn))) {
    const consumers = [...new Set(need.consumers)].sort();
    const shareId = `ram-share:${need.arn}`;
    const what = need.kind === 'namespace' ? `Cloud Map namespace ${need.name}` : `App Mesh mesh ${need.name}`;
    steps.push(need.share
      ? {
        id: shareId, service: 'ram', operation: 'AssociateResourceShare', action: 'update', dependsOn: [], account: need.owner,
        resource: `RAM share of ${what} (add account(s) ${consumers.join(', ')})`,
        input: { resourceShareArn: need.share, principals: consumers, clientToken: token(shareId) },
      }
      : {
        id: shareId, service: 'ram', operation: 'CreateResourceShare', action: 'create', dependsOn: [], account: need.owner,
        resource: `RAM share of ${what} with account(s) ${consumers.join(', ')}`,
        input: {
          name: `meshctl-${need.name}`.replace(/[^\w.-]/g, '-').slice(0, 255), resourceArns: [need.arn], principals: consumers,
          ...(need.kind === 'namespace' && { permissionArns: [cloudMapEcsPermission(need.arn)] }),
          // The consumers are other accounts; inside one Organization RAM shares without an invitation either way.
          allowExternalPrincipals: true, clientToken: token(shareId),
        },
      });
    for (const consumer of consumers) {
      const acceptId = `ram-accept:${need.arn}:${consumer}`;
      steps.push({
        id: acceptId, service: 'ram', operation: 'AcceptResourceShareInvitation', action: 'update', dependsOn: [shareId], account: consumer,
        resource: `accept the RAM invitation to ${what} (looked up with GetResourceShareInvitations; none inside one AWS Organization)`,
        input: { resourceShareArn: need.share ?? { $ref: shareId, path: 'resourceShare.resourceShareArn' } },
      });
      usableAfter.set(`${need.arn} ${consumer}`, acceptId);
    }
  }
  return { steps, usableAfter };
}
