// The ARNs IAM authorizes meshctl's calls on, built from a step's input, its
// account and the region's partition. Formats are the resource types of the
// Service Authorization Reference ("Actions, resources, and condition keys
// for <service>", section "Resource types defined by <service>"). A resource
// whose id AWS generates on creation (a target group's, a namespace's) is
// named up to that id: `targetgroup/<name>/*`, `namespace/*`.
import { accountOfArn, partitionOf } from '../arn.js';

// One partition rule for every ARN meshctl writes (src/core/arn.ts).
export { partitionOf };
import type { PlanStep } from '../plan/model.js';

/** What a step's requirements are built from. */
export interface Scope {
  partition: string;
  region: string;
  /** The account the step runs in. */
  account: string;
  input: Record<string, unknown>;
  /** The step an output reference in the input points to. */
  stepOf(reference: unknown): PlanStep | undefined;
}

export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isArn = (value: string) => value.startsWith('arn:');
/** The last path segment of a name-or-ARN (clusters and services are given either way). */
const shortName = (value: string) => (isArn(value) ? value.slice(value.lastIndexOf('/') + 1) : value);

export function regional(s: Scope, service: string, resource: string, account = s.account): string {
  return `arn:${s.partition}:${service}:${s.region}:${account}:${resource}`;
}

/** ECS service: arn:…:ecs:region:account:service/cluster/service (Amazon ECS: resource type service). */
export function ecsService(s: Scope, cluster: unknown, service: unknown): string {
  const named = text(service);
  if (named && isArn(named) && named.split('/').length === 3) return named;
  return regional(s, 'ecs', `service/${shortName(text(cluster) ?? 'default')}/${shortName(named ?? '*')}`);
}

export const ecsCluster = (s: Scope, cluster: unknown) => regional(s, 'ecs', `cluster/${shortName(text(cluster) ?? 'default')}`);

/** A family's revisions: the revision RegisterTaskDefinition makes is known only once it exists. */
export const taskDefinitionFamily = (s: Scope, family: unknown) => regional(s, 'ecs', `task-definition/${text(family) ?? '*'}:*`);

/** An IAM role given by ARN, or by name in the step's account. */
export const role = (s: Scope, nameOrArn: string) => (isArn(nameOrArn) ? nameOrArn : `arn:${s.partition}:iam::${s.account}:role/${nameOrArn}`);

export const serviceLinkedRole = (s: Scope, service: string, roleName: string) => `arn:${s.partition}:iam::${s.account}:role/aws-service-role/${service}/${roleName}`;

/** A target group by ARN; a reference to a CreateTargetGroup step, or a create input, by its name. */
export function targetGroup(s: Scope, value: unknown, name?: unknown): string {
  const arn = text(value);
  if (arn) return arn;
  const created = s.stepOf(value);
  const groupName = text(created?.input.Name) ?? text(name) ?? '*';
  return regional(s, 'elasticloadbalancing', `targetgroup/${groupName}/*`, created?.account ?? s.account);
}

/** A Cloud Map namespace by ARN or id; one the plan creates (its id is AWS's) as any namespace of the account. */
export function namespace(s: Scope, value: unknown): string {
  const id = text(value);
  if (id && isArn(id)) return id;
  const account = s.stepOf(value)?.account ?? s.account;
  return regional(s, 'servicediscovery', `namespace/${id ?? '*'}`, account);
}

export const cloudMapService = (s: Scope, id: unknown, account = s.account) => {
  const value = text(id);
  return value && isArn(value) ? value : regional(s, 'servicediscovery', `service/${value ?? '*'}`, account);
};

/** App Mesh resources live in the mesh owner's account (meshOwner names it when it is not the caller's). */
export function meshResource(s: Scope, kind: string, input = s.input): string {
  const base = `mesh/${text(input.meshName) ?? '*'}`;
  const path: Record<string, string> = {
    Mesh: base,
    VirtualNode: `${base}/virtualNode/${text(input.virtualNodeName)}`,
    VirtualService: `${base}/virtualService/${text(input.virtualServiceName)}`,
    VirtualRouter: `${base}/virtualRouter/${text(input.virtualRouterName)}`,
    Route: `${base}/virtualRouter/${text(input.virtualRouterName)}/route/${text(input.routeName)}`,
  };
  return regional(s, 'appmesh', path[kind] ?? base, text(input.meshOwner) ?? s.account);
}

/** Route 53 hosted zones are global: arn:partition:route53:::hostedzone/id. */
export const hostedZone = (s: Scope, id: unknown) => `arn:${s.partition}:route53:::hostedzone/${(text(id) ?? '*').replace(/^\/hostedzone\//, '')}`;

export const alarm = (s: Scope, name: string) => regional(s, 'cloudwatch', `alarm:${name}`);

/** The account of a resource share, from its ARN or from the step that creates it. */
export function shareOwner(s: Scope, value: unknown): string {
  const arn = text(value);
  return arn ? accountOfArn(arn) : s.stepOf(value)?.account ?? s.account;
}
