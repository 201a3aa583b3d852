// Sharing across accounts: AWS RAM and Route 53 hosted-zone association.
//
// Service Authorization Reference, "Actions, resources, and condition keys
// for AWS Resource Access Manager (RAM)": CreateResourceShare takes no
// resource and is scoped by ram:ResourceArn (AWS RAM User Guide, "Example IAM
// policies for AWS RAM", example 1); AssociateResourceShare is authorized on
// the share; AcceptResourceShareInvitation on the invitation (which account
// its ARN names the RAM API Reference does not say: any, in the region; only
// invitations to the caller's account can be accepted anyway). Sharing writes the shared resource's RAM policy with
// the sharer's permissions: servicediscovery:PutResourcePolicy,
// GetResourcePolicy and DeleteResourcePolicy on a namespace (AWS Cloud Map
// Developer Guide, "Shared AWS Cloud Map namespaces": granting permissions to
// share), appmesh:PutMeshPolicy, GetMeshPolicy and DeleteMeshPolicy on a mesh
// (Service Authorization Reference for AWS App Mesh).
//
// Service Authorization Reference, "Actions, resources, and condition keys
// for Amazon Route 53": the VPC association actions and
// ChangeResourceRecordSets are authorized on the hosted zone;
// AssociateVPCWithHostedZone depends on ec2:DescribeVpcs.
import { hostedZone, regional, shareOwner, text, type Scope } from '../arns.js';
import type { Dependent, Requirement } from '../requirement.js';
import { read } from './read.js';

export const RAM_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS Resource Access Manager (RAM)"';
export const ROUTE53_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Amazon Route 53"';
const SHARING_NAMESPACES = 'AWS Cloud Map Developer Guide, "Shared AWS Cloud Map namespaces" (granting permissions to share namespaces)';
const APP_MESH_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS App Mesh"';

const sharedArns = (s: Scope) => ((s.input.resourceArns ?? []) as unknown[]).map(text).filter((a): a is string => !!a);

/** The RAM policy actions on the resources a share holds: named ones, or (adding accounts to a share) every namespace and mesh of its owner. */
function resourcePolicies(resources: (s: Scope) => string[]): Dependent[] {
  const of = (service: string) => (s: Scope) => resources(s).filter((arn) => arn.split(':')[2] === service);
  return [
    ...['Put', 'Get', 'Delete'].map((verb): Dependent => ({
      action: `servicediscovery:${verb}ResourcePolicy`, ...(verb === 'Get' && { access: 'read' as const }), sid: verb === 'Get' ? 'MeshctlReadEstate' : 'MeshctlSharedResourcePolicies',
      page: SHARING_NAMESPACES, resources: of('servicediscovery'), when: (s) => of('servicediscovery')(s).length > 0,
    })),
    ...['Put', 'Get', 'Delete'].map((verb): Dependent => ({
      action: `appmesh:${verb}MeshPolicy`, ...(verb === 'Get' && { access: 'read' as const }), sid: verb === 'Get' ? 'MeshctlReadEstate' : 'MeshctlSharedResourcePolicies',
      page: APP_MESH_PAGE, resources: of('appmesh'), when: (s) => of('appmesh')(s).length > 0,
    })),
  ];
}

const ownersResources = (s: Scope) => {
  const owner = shareOwner(s, s.input.resourceShareArn);
  return [regional(s, 'servicediscovery', 'namespace/*', owner), regional(s, 'appmesh', 'mesh/*', owner)];
};

const zone = (action: string, extra: Partial<Requirement> = {}): Requirement => ({
  action: `route53:${action}`, access: 'write', page: ROUTE53_PAGE, sid: 'MeshctlHostedZones', resources: (s) => [hostedZone(s, s.input.HostedZoneId)], ...extra,
});

export const SHARING: Record<string, Requirement> = {
  'ram CreateResourceShare': {
    action: 'ram:CreateResourceShare', access: 'write', page: RAM_PAGE, sid: 'MeshctlShareResources', resources: () => ['*'],
    condition: { key: 'ram:ResourceArn', ifExists: true, values: sharedArns },
    dependent: resourcePolicies(sharedArns), alsoSends: ['ram GetResourceShares'],
  },
  'ram AssociateResourceShare': {
    action: 'ram:AssociateResourceShare', access: 'write', page: RAM_PAGE, sid: 'MeshctlShareResources', resources: (s) => [text(s.input.resourceShareArn) ?? '*'],
    dependent: resourcePolicies(ownersResources),
  },
  'ram AcceptResourceShareInvitation': {
    action: 'ram:AcceptResourceShareInvitation', access: 'write', page: RAM_PAGE, sid: 'MeshctlAcceptShares',
    resources: (s) => [regional(s, 'ram', 'resource-share-invitation/*', '*')],
    // apply waits for the invitation of the share, or (inside one AWS Organization, where none comes) for the
    // share's principal association, which only the owner's account lists.
    alsoSends: ['ram GetResourceShareInvitations', 'ram GetResourceShareAssociations'],
  },
  'ram GetResourceShareInvitations': read('ram:GetResourceShareInvitations', RAM_PAGE),
  'ram GetResourceShareAssociations': read('ram:GetResourceShareAssociations', RAM_PAGE),
  'ram GetResourceShares': read('ram:GetResourceShares', RAM_PAGE),
  'ram ListResources': read('ram:ListResources', RAM_PAGE),
  'route53 CreateVPCAssociationAuthorization': zone('CreateVPCAssociationAuthorization'),
  'route53 AssociateVPCWithHostedZone': zone('AssociateVPCWithHostedZone', {
    dependent: [{ action: 'ec2:DescribeVpcs', access: 'read', sid: 'MeshctlReadEstate', resources: () => ['*'] }],
  }),
  'route53 DeleteVPCAssociationAuthorization': zone('DeleteVPCAssociationAuthorization'),
  // shift moves a Route 53 weighted pair with one change batch per step.
  'route53 ChangeResourceRecordSets': zone('ChangeResourceRecordSets', { sid: 'MeshctlWeightedRecords' }),
  'route53 ListResourceRecordSets': read('route53:ListResourceRecordSets', ROUTE53_PAGE, (s) => [hostedZone(s, s.input.HostedZoneId)]),
  'route53 GetHostedZone': read('route53:GetHostedZone', ROUTE53_PAGE, (s) => [hostedZone(s, s.input.Id)]),
};
