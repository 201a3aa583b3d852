// AWS App Mesh. Service Authorization Reference, "Actions, resources, and
// condition keys for AWS App Mesh": each Create/Update/Delete is authorized on
// its resource (mesh/<mesh>/virtualNode/<node>…, in the mesh owner's
// account), and also on the resources it points at: a virtual node's backend
// virtual services, a virtual service's provider, a route's target nodes.
// The first mesh of an account creates App Mesh's service-linked role
// (AWS App Mesh User Guide, "Using service-linked roles for App Mesh").
import { meshResource, text, type Scope } from '../arns.js';
import type { Dependent, Requirement } from '../requirement.js';
import { read } from './read.js';

export const APP_MESH_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for AWS App Mesh"';

const KINDS: Record<string, string> = {
  Mesh: 'MeshctlMeshes', VirtualNode: 'MeshctlVirtualNodes', VirtualService: 'MeshctlVirtualServices', VirtualRouter: 'MeshctlVirtualRouters', Route: 'MeshctlRoutes',
};

type Spec = Record<string, unknown>;
const spec = (s: Scope) => (s.input.spec ?? {}) as Spec;
const inMesh = (s: Scope, kind: string, name: Record<string, unknown>) => meshResource(s, kind, { meshName: s.input.meshName, meshOwner: s.input.meshOwner, ...name });

/** The resources a spec points at, authorized with the action (the reference's optional resource types). */
function pointedAt(s: Scope, kind: string): string[] {
  const sp = spec(s);
  if (kind === 'VirtualNode') {
    return ((sp.backends ?? []) as Spec[]).map((b) => text((b.virtualService as Spec | undefined)?.virtualServiceName)).filter((n): n is string => !!n)
      .map((name) => inMesh(s, 'VirtualService', { virtualServiceName: name }));
  }
  if (kind === 'VirtualService') {
    const provider = (sp.provider ?? {}) as { virtualNode?: Spec; virtualRouter?: Spec };
    const node = text(provider.virtualNode?.virtualNodeName);
    const router = text(provider.virtualRouter?.virtualRouterName);
    return [...(node ? [inMesh(s, 'VirtualNode', { virtualNodeName: node })] : []), ...(router ? [inMesh(s, 'VirtualRouter', { virtualRouterName: router })] : [])];
  }
  if (kind === 'Route') {
    const routes = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'].map((k) => sp[k] as { action?: { weightedTargets?: Spec[] } } | undefined);
    return routes.flatMap((r) => r?.action?.weightedTargets ?? []).map((t) => inMesh(s, 'VirtualNode', { virtualNodeName: t.virtualNode }));
  }
  return [];
}

const LINKED_ROLE = { service: 'appmesh.amazonaws.com', role: 'AWSServiceRoleForAppMesh', page: 'AWS App Mesh User Guide, "Using service-linked roles for App Mesh"' };

function writeRow(verb: string, kind: string): Requirement {
  const action = `appmesh:${verb}${kind}`;
  const references: Dependent = { action, sid: 'MeshctlAppMeshReferences', resources: (s) => pointedAt(s, kind), when: (s) => verb !== 'Delete' && pointedAt(s, kind).length > 0 };
  return {
    action, access: 'write', page: APP_MESH_PAGE, sid: KINDS[kind]!, resources: (s) => [meshResource(s, kind)],
    ...(verb !== 'Delete' && { dependent: [references] }),
    ...(verb === 'Create' && { linkedRole: LINKED_ROLE, alsoSends: [`appmesh Describe${kind}`], undoneBy: `appmesh Delete${kind}` }),
  };
}

export const APP_MESH: Record<string, Requirement> = Object.fromEntries([
  ...Object.keys(KINDS).flatMap((kind) => ['Create', 'Update', 'Delete'].map((verb) => [`appmesh ${verb}${kind}`, writeRow(verb, kind)])),
  ...Object.keys(KINDS).map((kind) => [`appmesh Describe${kind}`, read(`appmesh:Describe${kind}`, APP_MESH_PAGE, (s) => [meshResource(s, kind)])]),
  ...['ListMeshes', 'ListVirtualNodes', 'ListVirtualServices', 'ListVirtualRouters', 'ListRoutes'].map((op) => [`appmesh ${op}`, read(`appmesh:${op}`, APP_MESH_PAGE)]),
]);
