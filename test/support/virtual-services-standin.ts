// Test-only stand-in for App Mesh virtual services, which moto does not
// implement at all. It serves the five REST operations from memory with the
// shapes the App Mesh API documents, so the SDK talks to it as to AWS.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface StoredVirtualService {
  meshName: string;
  virtualServiceName: string;
  spec: unknown;
  version: number;
  createdAt: number;
  lastUpdatedAt: number;
}

const COLLECTION = /^\/v20190125\/meshes\/([^/]+)\/virtualServices$/;
const ITEM = /^\/v20190125\/meshes\/([^/]+)\/virtualServices\/([^/]+)$/;

export function isVirtualServiceCall(path: string): boolean {
  return COLLECTION.test(path) || ITEM.test(path);
}

/** What the stand-in keeps, by mesh/name: plain data, which a proxy may start from (AwsProxy.standIns). */
export type VirtualServicesState = Map<string, StoredVirtualService>;

export function createVirtualServicesStandIn(store: VirtualServicesState = new Map()) {
  const key = (mesh: string, name: string) => `${mesh}/${name}`;
  const arn = (v: StoredVirtualService) => `arn:aws:appmesh:us-east-1:123456789012:mesh/${v.meshName}/virtualService/${v.virtualServiceName}`;
  const data = (v: StoredVirtualService) => ({
    meshName: v.meshName,
    virtualServiceName: v.virtualServiceName,
    spec: v.spec,
    metadata: { arn: arn(v), createdAt: v.createdAt, lastUpdatedAt: v.lastUpdatedAt, uid: key(v.meshName, v.virtualServiceName), version: v.version, meshOwner: '123456789012', resourceOwner: '123456789012' },
    status: { status: 'ACTIVE' },
  });

  return function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const path = decodeURI((req.url ?? '').split('?')[0]!);
    const send = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const notFound = () => send(404, { message: 'The specified resource does not exist.' });
    const now = Date.now() / 1000;
    const collection = COLLECTION.exec(path);
    if (collection) {
      const meshName = collection[1]!;
      if (req.method === 'GET') {
        const virtualServices = [...store.values()].filter((v) => v.meshName === meshName).map((v) => ({
          meshName, virtualServiceName: v.virtualServiceName, arn: arn(v), version: v.version,
          createdAt: v.createdAt, lastUpdatedAt: v.lastUpdatedAt, meshOwner: '123456789012', resourceOwner: '123456789012',
        }));
        return send(200, { virtualServices });
      }
      const input = JSON.parse(body || '{}') as { virtualServiceName: string; spec: unknown };
      if (store.has(key(meshName, input.virtualServiceName))) return send(409, { message: 'Virtual service already exists.' });
      const created = { meshName, virtualServiceName: input.virtualServiceName, spec: input.spec, version: 1, createdAt: now, lastUpdatedAt: now };
      store.set(key(meshName, input.virtualServiceName), created);
      return send(200, data(created));
    }
    const item = ITEM.exec(path)!;
    const existing = store.get(key(item[1]!, item[2]!));
    if (!existing) return notFound();
    if (req.method === 'GET') return send(200, data(existing));
    if (req.method === 'DELETE') {
      store.delete(key(item[1]!, item[2]!));
      return send(200, data(existing));
    }
    const input = JSON.parse(body || '{}') as { spec: unknown };
    Object.assign(existing, { spec: input.spec, version: existing.version + 1, lastUpdatedAt: now });
    return send(200, data(existing));
  };
}
