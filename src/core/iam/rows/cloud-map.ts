// AWS Cloud Map. Service Authorization Reference, "Actions, resources, and
// condition keys for AWS Cloud Map": creating a namespace takes no resource
// (dependent: servicediscovery:TagResource); CreateService is authorized on
// the namespace and the service; DeleteNamespace, GetNamespace and
// GetOperation on the namespace; DeleteService and GetService on the service.
// A private DNS namespace also makes and reads its Route 53 hosted zone and
// checks the VPC (AWS Cloud Map Developer Guide, "AWS Cloud Map API
// permissions reference", CreatePrivateDnsNamespace and DeleteNamespace).
import { cloudMapService, namespace, text } from '../arns.js';
import type { Dependent, Requirement } from '../requirement.js';
import { read } from './read.js';

export const CLOUD_MAP_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS Cloud Map"';
const API_PERMISSIONS = 'AWS Cloud Map Developer Guide, "AWS Cloud Map API permissions reference"';

const PRIVATE_DNS: Dependent[] = [
  { action: 'route53:CreateHostedZone', sid: 'MeshctlPrivateDnsNamespaces', page: API_PERMISSIONS, resources: () => ['*'] },
  ...['route53:GetHostedZone', 'route53:ListHostedZonesByName', 'ec2:DescribeVpcs', 'ec2:DescribeRegions']
    .map((action): Dependent => ({ action, access: 'read', sid: 'MeshctlReadEstate', page: API_PERMISSIONS, resources: () => ['*'] })),
];

const TAGS = { action: 'servicediscovery:TagResource', field: 'Tags', sid: 'MeshctlTagCloudMapOnCreate', page: CLOUD_MAP_PAGE };
/** A namespace or service the step names by id, or by the reference to the step creating it. */
const namespaceOf = (s: Parameters<typeof namespace>[0]) => [namespace(s, s.input.Id ?? s.input.NamespaceId)];

export const CLOUD_MAP: Record<string, Requirement> = {
  'servicediscovery CreateHttpNamespace': {
    action: 'servicediscovery:CreateHttpNamespace', access: 'write', page: CLOUD_MAP_PAGE, sid: 'MeshctlCloudMapNamespaces', resources: () => ['*'],
    tagOnCreate: TAGS,
    // Namespaces are made asynchronously: apply polls the operation; a resumed apply looks for the namespace by name.
    alsoSends: ['servicediscovery GetOperation', 'servicediscovery ListNamespaces'], undoneBy: 'servicediscovery DeleteNamespace',
  },
  'servicediscovery CreatePrivateDnsNamespace': {
    action: 'servicediscovery:CreatePrivateDnsNamespace', access: 'write', page: CLOUD_MAP_PAGE, sid: 'MeshctlCloudMapNamespaces', resources: () => ['*'],
    dependent: PRIVATE_DNS, tagOnCreate: TAGS,
    alsoSends: ['servicediscovery GetOperation', 'servicediscovery ListNamespaces'], undoneBy: 'servicediscovery DeleteNamespace',
  },
  'servicediscovery DeleteNamespace': {
    action: 'servicediscovery:DeleteNamespace', access: 'write', page: CLOUD_MAP_PAGE, sid: 'MeshctlCloudMapNamespaces', resources: namespaceOf,
    dependent: [{ action: 'route53:DeleteHostedZone', sid: 'MeshctlPrivateDnsNamespaces', page: API_PERMISSIONS, resources: () => ['*'] }],
  },
  'servicediscovery CreateService': {
    action: 'servicediscovery:CreateService', access: 'write', page: CLOUD_MAP_PAGE, sid: 'MeshctlCloudMapServices',
    resources: (s) => [namespace(s, s.input.NamespaceId), cloudMapService(s, undefined)],
    tagOnCreate: TAGS, alsoSends: ['servicediscovery ListServices'], undoneBy: 'servicediscovery DeleteService',
  },
  'servicediscovery DeleteService': {
    action: 'servicediscovery:DeleteService', access: 'write', page: CLOUD_MAP_PAGE, sid: 'MeshctlCloudMapServices',
    // Rollback names the service by id; an apply's policy covers it up to the id.
    resources: (s) => [cloudMapService(s, text(s.input.Id))],
  },
  'servicediscovery GetOperation': read('servicediscovery:GetOperation', CLOUD_MAP_PAGE, (s) => [namespace(s, undefined)]),
  'servicediscovery GetNamespace': read('servicediscovery:GetNamespace', CLOUD_MAP_PAGE, (s) => namespaceOf(s)),
  'servicediscovery GetService': read('servicediscovery:GetService', CLOUD_MAP_PAGE, (s) => [cloudMapService(s, s.input.Id)]),
  'servicediscovery ListNamespaces': read('servicediscovery:ListNamespaces', CLOUD_MAP_PAGE),
  'servicediscovery ListServices': read('servicediscovery:ListServices', CLOUD_MAP_PAGE),
  // Who serves a name a narrowed selection calls (the ECS cluster and service of a registered task).
  'servicediscovery ListInstances': read('servicediscovery:ListInstances', CLOUD_MAP_PAGE, (s) => [cloudMapService(s, s.input.ServiceId)]),
};
