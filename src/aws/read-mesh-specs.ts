// Reads the specs of the existing App Mesh resources a plan touches: only
// those the estate's List calls showed to exist, each described once.
import type { MeshResourceNames, MeshSpecs } from '../core/appmesh/specs.js';
import { accountOfArn } from '../core/arn.js';
import type { Estate } from '../core/estate.js';
import { AwsCallError, type AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

function specOf(output: Raw, field: string) {
  const resource = output[field] as Raw;
  return { spec: (resource.spec ?? {}) as Record<string, unknown>, version: Number(resource.metadata?.version ?? 0) };
}

export async function readMeshSpecs(aws: AwsCaller, estate: Pick<Estate, 'appMesh'>, names: MeshResourceNames): Promise<MeshSpecs> {
  const specs: MeshSpecs = { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} };
  const mesh = estate.appMesh.meshes.find((m) => m.name === names.mesh);
  if (!mesh) return specs;
  const exists = (refs: { name: string }[], name: string) => refs.some((r) => r.name === name);
  // A mesh another account shares with the reader is read naming its owner, or App Mesh looks in the reader's own account (App Mesh User Guide, "Working with shared meshes").
  const meshName = names.mesh;
  const inMesh = { meshName, ...(mesh.sharedWith?.length && { meshOwner: accountOfArn(mesh.arn) }) };
  await Promise.all([
    aws.call<Raw>('appmesh', 'DescribeMesh', inMesh).then((out) => { specs.mesh = specOf(out, 'mesh'); }),
    ...[...new Set(names.virtualNodes)].filter((n) => exists(mesh.virtualNodes, n)).map((virtualNodeName) =>
      aws.call<Raw>('appmesh', 'DescribeVirtualNode', { ...inMesh, virtualNodeName }).then((out) => { specs.virtualNodes[virtualNodeName] = specOf(out, 'virtualNode'); })),
    ...[...new Set(names.virtualServices)].filter((n) => exists(mesh.virtualServices, n)).map((virtualServiceName) =>
      aws.call<Raw>('appmesh', 'DescribeVirtualService', { ...inMesh, virtualServiceName }).then((out) => { specs.virtualServices[virtualServiceName] = specOf(out, 'virtualService'); })),
    ...[...new Set(names.virtualRouters)].filter((n) => exists(mesh.virtualRouters, n)).map((virtualRouterName) =>
      aws.call<Raw>('appmesh', 'DescribeVirtualRouter', { ...inMesh, virtualRouterName }).then((out) => { specs.virtualRouters[virtualRouterName] = specOf(out, 'virtualRouter'); })),
    ...names.routes.filter((r) => exists(mesh.virtualRouters, r.router)).map(({ router, route }) =>
      aws.call<Raw>('appmesh', 'DescribeRoute', { ...inMesh, virtualRouterName: router, routeName: route })
        .then((out) => { specs.routes[`${router}/${route}`] = specOf(out, 'route'); })
        .catch((error: unknown) => {
          // Routes are not listed with the estate: a router without this route is normal.
          if (!(error instanceof AwsCallError && error.code === 'NotFoundException')) throw error;
        })),
  ]);
  return specs;
}

/** Every route of the given routers (their names are not listed with the estate), added to `specs.routes`. */
export async function readRoutes(aws: AwsCaller, meshName: string, routers: string[], specs: MeshSpecs): Promise<void> {
  await Promise.all(routers.map(async (virtualRouterName) => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await aws.call<Raw>('appmesh', 'ListRoutes', { meshName, virtualRouterName, limit: 100, ...(nextToken && { nextToken }) });
      names.push(...((page.routes ?? []) as Raw[]).map((r) => r.routeName as string));
      nextToken = page.nextToken;
    } while (nextToken);
    await Promise.all(names.map((routeName) => aws.call<Raw>('appmesh', 'DescribeRoute', { meshName, virtualRouterName, routeName })
      .then((out) => { specs.routes[`${virtualRouterName}/${routeName}`] = specOf(out, 'route'); })));
  }));
}

/** Every App Mesh resource's spec, mesh by mesh: what `record` saves so any later plan replays. */
export async function readAllMeshSpecs(aws: AwsCaller, estate: Estate): Promise<void> {
  await Promise.all(estate.appMesh.meshes.map(async (mesh) => {
    const specs = await readMeshSpecs(aws, estate, {
      mesh: mesh.name,
      virtualNodes: mesh.virtualNodes.map((n) => n.name),
      virtualServices: mesh.virtualServices.map((s) => s.name),
      virtualRouters: mesh.virtualRouters.map((r) => r.name),
      routes: [],
    });
    await readRoutes(aws, mesh.name, mesh.virtualRouters.map((r) => r.name), specs);
  }));
}
