// An HTTP proxy in front of moto for integration tests. It records every AWS
// call by service and operation (so tests count calls at the HTTP level), and
// stands in for three moto gaps in App Mesh: moto writes timestamps as
// "22/11/2026, 22:16:29", which the JS SDK cannot parse (the proxy rewrites
// them to epoch seconds, as the real API sends them); moto has no virtual
// services (the proxy serves them from memory: virtual-services-standin.ts);
// and moto rejects a virtual node whose awsCloudMap has no `attributes`,
// which AWS makes optional (the proxy adds an empty list before moto sees it).
// moto also names the caller's access key id where App Mesh names accounts
// (meshOwner, resourceOwner) and refuses a meshOwner naming the caller's own
// account: the proxy answers with the account and drops that meshOwner.
// It also stands in for moto dropping serviceConnectConfiguration and
// ignoring Cloud Map's NAMESPACE_ID filter (service-connect-standin.ts), for
// RAM sharing of Cloud Map namespaces (ram-standin.ts), for Route 53 VPC
// association authorizations across accounts (route53-standin.ts), for
// predictive scaling policies, which moto refuses (scaling-standin.ts),
// refuses the Cloud Map CreateService calls AWS refuses and moto accepts
// (cloud-map-standin.ts), and stands in for ECS's own canary, linear and
// blue/green deployments, which moto does not run (ecs-deployments-standin.ts).
// Each call is recorded with the account it acts in. S3 calls (meshctl's
// state) pass to moto untouched: moto honours If-None-Match and If-Match on
// PutObject and If-Match on DeleteObject, so no stand-in is needed there.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { refuseCreateService } from './cloud-map-standin.js';
import { createEcsDeploymentsStandIn, emptyEcsDeploymentsState, type EcsDeploymentsState } from './ecs-deployments-standin.js';
import { createRamStandIn, emptyRamState, ramOperation, type RamStandInOptions, type RamState } from './ram-standin.js';
import { createRoute53StandIn, emptyRoute53State, route53Operation, type Route53State } from './route53-standin.js';
import { createScalingStandIn, emptyScalingState, type ScalingState } from './scaling-standin.js';
import { createServiceConnectStandIn, emptyServiceConnectState, filterServicesByNamespace, type ServiceConnectState } from './service-connect-standin.js';
import { createVirtualServicesStandIn, isVirtualServiceCall, type VirtualServicesState } from './virtual-services-standin.js';

export interface ObservedCall {
  service: string;
  operation: string;
  mutating: boolean;
  /** The request body of JSON-protocol calls (ECS, Cloud Map). */
  input?: Record<string, unknown>;
  /** The account the call acts in: moto's for its access key (an AssumeRole key acts in the role's account). */
  account?: string;
  /** The error code the proxy answered with instead of moto (failNext). */
  injected?: string;
  /** When the proxy received it (performance.now()). */
  at: number;
}

/** How the stand-in for ECS's deployment engine ends a service's rollout (moto never ends one). */
export type RolloutEnding = 'COMPLETED' | 'FAILED' | 'ROLLED_BACK';

export interface ProxyOptions {
  /** Added to every call, as a round trip to AWS would. */
  latencyMs?: number;
  /** Server-side token buckets per operation: a call finding the bucket empty gets a real ThrottlingException. */
  buckets?: Record<string, { burst: number; perSecond: number }>;
  /** How the RAM stand-in answers: invitations late, or none (one Organization). */
  ram?: RamStandInOptions;
  /** What the stand-ins start with (another proxy's standIns()): a restored seed (test/support/seeded.ts). */
  standIns?: StandInState;
}

/** What the stand-ins keep of what they saw: plain data, copied with structuredClone. */
export interface StandInState {
  virtualServices: VirtualServicesState;
  serviceConnect: ServiceConnectState;
  ram: RamState;
  route53: Route53State;
  scaling: ScalingState;
  deployments: EcsDeploymentsState;
}

export interface AwsProxy {
  url: string;
  calls: ObservedCall[];
  /** Calls answered with ThrottlingException by the buckets. */
  throttled: ObservedCall[];
  count(filter?: (call: ObservedCall) => boolean): number;
  /** DescribeServices reports the service's rollout ended this way (every service with '*'). */
  endRollouts(service: string, ending: RolloutEnding): void;
  /**
   * Each named service's rollout completes this many milliseconds after the
   * UpdateService that started it, as a real deployment takes its time.
   */
  rolloutDurations(ms: Record<string, number>): void;
  /** When each service's deployment last started (performance.now()): an UpdateService to a task definition, or its CreateService. */
  rolloutStarts: Map<string, number>;
  /**
   * Holds the next call of `operation` forever, before moto sees it or after
   * moto answered it; resolves once it is held (the test then kills the CLI).
   */
  holdNext(operation: string, when: 'before' | 'after'): Promise<void>;
  /** The RAM stand-in: the shares and invitations made through the proxy. */
  ram: Pick<ReturnType<typeof createRamStandIn>, 'shares' | 'invitations'>;
  /** The Route 53 stand-in: VPC associations across accounts, and authorizations still open. */
  route53: Pick<ReturnType<typeof createRoute53StandIn>, 'associations' | 'authorizations'>;
  /** The ECS deployments stand-in: its deployments, and its clock (advance(minutes)). */
  deployments: Pick<ReturnType<typeof createEcsDeploymentsStandIn>, 'runs' | 'advance'>;
  /**
   * Answers the next `times` calls of an operation with this AWS error, in
   * the service's protocol: HTTP 403 for AccessDenied, else 400 unless
   * `status` says (500 for InternalError); `when` limits it to some calls.
   */
  failNext(operation: string, code: string, times: number, options?: { status?: number; when?: (call: ObservedCall) => boolean }): void;
  /** A copy of what the stand-ins keep now, for another proxy to start from (ProxyOptions.standIns). */
  standIns(): StandInState;
  /** Starts over from `standIns` (a copy of them): no call recorded, no rollout ending or duration, failure or hold asked for. */
  restart(standIns: StandInState): void;
  stop(): Promise<void>;
}

const READ = /^(Describe|List|Get)/;

function identify(req: IncomingMessage, body: string): Omit<ObservedCall, 'at'> {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, operation = ''] = target.split('.');
    const service = prefix!.startsWith('AmazonEC2ContainerService') ? 'ecs'
      : prefix!.startsWith('Route53AutoNaming') ? 'servicediscovery' : prefix!.startsWith('AnyScaleFrontendService') ? 'application-autoscaling'
        // The SDK in the lockfile speaks JSON 1.0 to CloudWatch (the Query protocol below is older clients').
        : prefix!.startsWith('GraniteServiceVersion') ? 'cloudwatch' : prefix!;
    let input: Record<string, unknown> | undefined;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      input = undefined;
    }
    return { service, operation, mutating: !READ.test(operation), input };
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  // Query-protocol calls (STS, EC2, ELBv2, CloudWatch): the flattened parameters are the input.
  if (action) {
    const service = /(?:^|&)Version=2011-06-15/.test(body) ? 'sts' : /(?:^|&)Version=2010-05-08/.test(body) ? 'iam' : /(?:^|&)Version=2015-12-01/.test(body) ? 'elbv2' : /(?:^|&)Version=2010-08-01/.test(body) ? 'cloudwatch' : 'ec2';
    return { service, operation: action, mutating: !READ.test(action), input: Object.fromEntries(new URLSearchParams(body)) };
  }
  const path = (req.url ?? '').split('?')[0]!;
  const ram = ramOperation(req);
  if (ram) {
    let input: Record<string, unknown> | undefined;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      input = undefined;
    }
    return { service: 'ram', operation: ram, mutating: !READ.test(ram), input };
  }
  const s3 = s3Call(req, body);
  if (s3) return s3;
  const zone = route53Operation(req);
  if (zone) return { service: 'route53', operation: zone.operation, mutating: !READ.test(zone.operation) };
  if (path.startsWith('/v20190125/')) {
    return { service: 'appmesh', operation: `${req.method} ${path}`, mutating: req.method !== 'GET' };
  }
  return { service: 'unknown', operation: `${req.method} ${path}`, mutating: req.method !== 'GET' };
}

/**
 * S3 (REST, path-style through the proxy): the operation from the method,
 * the path and the query; the input names the bucket and key, the
 * conditional headers and, for PutObject, the document written.
 */
function s3Call(req: IncomingMessage, body: string): Omit<ObservedCall, 'at'> | undefined {
  const agent = `${req.headers['x-amz-user-agent'] ?? ''} ${req.headers['user-agent'] ?? ''}`;
  if (!/\bapi\/s3#/.test(agent)) return undefined;
  const url = new URL(req.url ?? '/', 'http://proxy');
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = decodeURIComponent(rest.join('/'));
  const query = url.searchParams;
  const operation = req.method === 'GET' && !key
    ? (query.has('versioning') ? 'GetBucketVersioning' : query.has('encryption') ? 'GetBucketEncryption' : 'ListObjectsV2')
    : ({ GET: 'GetObject', HEAD: 'HeadObject', PUT: key ? 'PutObject' : 'CreateBucket', DELETE: key ? 'DeleteObject' : 'DeleteBucket' } as Record<string, string>)[req.method ?? ''] ?? `${req.method} /${bucket}`;
  const input: Record<string, unknown> = { Bucket: bucket, ...(key && { Key: key }) };
  if (req.headers['if-match']) input.IfMatch = req.headers['if-match'];
  if (req.headers['if-none-match']) input.IfNoneMatch = req.headers['if-none-match'];
  if (operation === 'PutObject') input.Body = body;
  return { service: 's3', operation, mutating: !READ.test(operation), input };
}

const MOTO_APPMESH_TIME = /^(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})$/;

function fixAppMeshTimes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixAppMeshTimes);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const m = typeof v === 'string' ? MOTO_APPMESH_TIME.exec(v) : null;
      out[k] = m ? Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : fixAppMeshTimes(v);
    }
    return out;
  }
  return node;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * moto writes the caller's access key id (AKIA…) where App Mesh names
 * accounts (meshOwner, resourceOwner): the account the call acted in, as
 * App Mesh answers (moto keeps each account's meshes apart).
 */
function fixAppMeshOwners(node: unknown, account: string): unknown {
  if (Array.isArray(node)) return node.map((item) => fixAppMeshOwners(item, account));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k,
      (k === 'meshOwner' || k === 'resourceOwner') && typeof v === 'string' && !ACCOUNT_ID.test(v) ? account : fixAppMeshOwners(v, account)]));
  }
  return node;
}

/** A meshOwner naming the caller's own account means its own mesh to App Mesh; moto compares it with its access key id, so it goes. */
function withoutOwnMeshOwner(url: string, account: string): string {
  const [path, query] = url.split('?');
  if (query === undefined) return url;
  const params = new URLSearchParams(query);
  if (params.get('meshOwner') !== account) return url;
  params.delete('meshOwner');
  const rest = params.toString();
  return rest ? `${path}?${rest}` : path!;
}

// A stand-in for ECS's deployment engine, which moto lacks: moto's
// UpdateService starts no deployment (the PRIMARY keeps the old task
// definition) and its deployments stay IN_PROGRESS forever. The proxy shows
// a new PRIMARY deployment for the service's current task definition, the old
// one ACTIVE beside it, and ends rollouts the way a test asks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function modelDeployments(service: any): void {
  const primary = service.deployments?.find((d: { status: string }) => d.status === 'PRIMARY');
  if (!primary || primary.taskDefinition === service.taskDefinition) return;
  primary.status = 'ACTIVE';
  service.deployments.unshift({
    ...primary,
    id: `ecs-svc/standin-${service.taskDefinition.split('/').pop().replace(':', '-')}`,
    status: 'PRIMARY',
    taskDefinition: service.taskDefinition,
    runningCount: 0,
    pendingCount: primary.desiredCount,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment in progress.',
  });
}

/** A timed service's rollout ends COMPLETED once its time since its UpdateService is up, and not before. */
function timedEnding(service: string, durations: Map<string, number>, starts: Map<string, number>): RolloutEnding | undefined {
  const started = starts.get(service);
  return started !== undefined && performance.now() - started >= durations.get(service)! ? 'COMPLETED' : undefined;
}

function endRollouts(payload: Buffer, endings: Map<string, RolloutEnding>, durations: Map<string, number>, starts: Map<string, number>): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out = JSON.parse(payload.toString()) as { services?: any[] };
  for (const service of out.services ?? []) {
    modelDeployments(service);
    const ending = durations.has(service.serviceName) ? timedEnding(service.serviceName, durations, starts) : endings.get(service.serviceName) ?? endings.get('*');
    const primary = service.deployments?.find((d: { status: string }) => d.status === 'PRIMARY');
    if (!ending || !primary || primary.rolloutState === 'COMPLETED' && service.deployments.length === 1) continue;
    if (ending === 'COMPLETED') {
      Object.assign(primary, { rolloutState: 'COMPLETED', runningCount: primary.desiredCount, pendingCount: 0 });
      service.deployments = [primary];
    } else if (ending === 'FAILED') {
      Object.assign(primary, { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
      service.events = [{ id: 'e1', createdAt: Date.now() / 1000, message: `(service ${service.serviceName}) deployment failed: tasks failed to start.` }];
    } else {
      // The circuit breaker puts the previous deployment back as PRIMARY.
      const previous = service.deployments.find((d: { status: string }) => d.status !== 'PRIMARY');
      if (previous) {
        Object.assign(previous, { status: 'PRIMARY', rolloutState: 'COMPLETED' });
        Object.assign(primary, { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to the previous deployment.' });
        service.taskDefinition = previous.taskDefinition;
      }
      service.events = [{ id: 'e2', createdAt: Date.now() / 1000, message: `(service ${service.serviceName}) rolling back to deployment ${previous?.id}.` }];
    }
  }
  return Buffer.from(JSON.stringify(out));
}

function withCloudMapAttributes(body: Buffer): Buffer {
  try {
    const input = JSON.parse(body.toString()) as { spec?: { serviceDiscovery?: { awsCloudMap?: { attributes?: unknown[] } } } };
    const cloudMap = input.spec?.serviceDiscovery?.awsCloudMap;
    if (!cloudMap || cloudMap.attributes) return body;
    cloudMap.attributes = [];
    return Buffer.from(JSON.stringify(input));
  } catch {
    return body;
  }
}

/** What the stand-ins of a new proxy start with: nothing seen. */
export function emptyStandIns(): StandInState {
  return {
    virtualServices: new Map(), serviceConnect: emptyServiceConnectState(), ram: emptyRamState(), route53: emptyRoute53State(), scaling: emptyScalingState(), deployments: emptyEcsDeploymentsState(),
  };
}

/** Puts what `source` holds into `target`'s maps, sets and lists, which the stand-ins hold on to (numbers are read from `target`). */
function refill(target: object, source: object): void {
  for (const [key, value] of Object.entries(source)) {
    const into = (target as Record<string, unknown>)[key];
    if (into instanceof Map) {
      into.clear();
      for (const [k, v] of value as Map<unknown, unknown>) into.set(k, v);
    } else if (into instanceof Set) {
      into.clear();
      for (const v of value as Set<unknown>) into.add(v);
    } else if (Array.isArray(into)) {
      into.splice(0, into.length, ...(value as unknown[]));
    } else if (into !== null && typeof into === 'object') {
      refill(into, value as object);
    } else {
      (target as Record<string, unknown>)[key] = value;
    }
  }
}

function serverBuckets(rates: ProxyOptions['buckets'] = {}) {
  const state = new Map<string, { tokens: number; last: number }>();
  return (operation: string): boolean => {
    const rate = rates[operation];
    if (!rate) return true;
    const now = performance.now();
    const bucket = state.get(operation) ?? { tokens: rate.burst, last: now };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.last) / 1000) * rate.perSecond);
    bucket.last = now;
    state.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}

export async function startAwsProxy(targetUrl: string, options: ProxyOptions = {}): Promise<AwsProxy> {
  const target = new URL(targetUrl);
  const calls: ObservedCall[] = [];
  const throttled: ObservedCall[] = [];
  const admit = serverBuckets(options.buckets);
  const state = options.standIns ? structuredClone(options.standIns) : emptyStandIns();
  const virtualServices = createVirtualServicesStandIn(state.virtualServices);
  const serviceConnect = createServiceConnectStandIn(state.serviceConnect);
  const ram = createRamStandIn(options.ram, state.ram);
  const route53 = createRoute53StandIn(state.route53);
  const scaling = createScalingStandIn(state.scaling);
  const deployments = createEcsDeploymentsStandIn(targetUrl, state.deployments);
  const endings = new Map<string, RolloutEnding>();
  const durations = new Map<string, number>();
  const rolloutStarts = new Map<string, number>();
  const holds: { operation: string; when: 'before' | 'after'; held: () => void }[] = [];
  const takeHold = (operation: string, when: 'before' | 'after') => {
    const index = holds.findIndex((h) => h.operation === operation && h.when === when);
    if (index < 0) return undefined;
    return holds.splice(index, 1)[0];
  };
  const failures = new Map<string, { code: string; times: number; status?: number; when?: (call: ObservedCall) => boolean }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const call = { ...identify(req, body.toString()), account: ram.accountOf(req), at: performance.now() };
      calls.push(call);
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      if (!admit(call.operation)) {
        throttled.push(call);
        const text = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const failure = failures.get(call.operation);
      if (failure && failure.times > 0 && (!failure.when || failure.when(call))) {
        failure.times -= 1;
        (call as ObservedCall).injected = failure.code;
        const message = `injected ${failure.code} for ${call.operation}`;
        // Query-protocol services (STS, EC2, ELBv2, CloudWatch before JSON) answer errors in XML; S3 in its own XML.
        const query = req.headers['x-amz-target'] === undefined && ['sts', 'ec2', 'elbv2', 'cloudwatch'].includes(call.service);
        const text = call.service === 's3'
          ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${failure.code}</Code><Message>${message}</Message><RequestId>injected</RequestId></Error>`
          : query
            ? `<ErrorResponse><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`
            : JSON.stringify({ __type: failure.code, message });
        const type = call.service === 's3' ? 'application/xml' : query ? 'text/xml' : 'application/x-amz-json-1.1';
        res.writeHead(failure.status ?? (failure.code.startsWith('AccessDenied') ? 403 : 400), { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const holdBefore = takeHold(call.operation, 'before');
      if (holdBefore) {
        holdBefore.held();
        return;
      }
      if (call.service === 'ram') {
        ram.handle(req, call.operation, body.toString(), res);
        return;
      }
      const scalingAnswer = call.service === 'application-autoscaling' ? scaling.answer(call.operation, call.input, ram.accountOf(req)) : undefined;
      if (scalingAnswer) {
        const text = JSON.stringify(scalingAnswer);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const refused = call.service === 'servicediscovery' && call.operation === 'CreateService' ? refuseCreateService(call.account, call.input, ram) : undefined;
      if (refused) {
        const text = JSON.stringify({ __type: refused.code, message: refused.message });
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const deploymentAnswer = call.service === 'ecs' ? deployments.answer(call.operation, call.input) : undefined;
      if (deploymentAnswer) {
        const text = JSON.stringify(deploymentAnswer);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const zoneCall = call.service === 'route53' ? route53Operation(req) : undefined;
      if (zoneCall && route53.handle(ram.accountOf(req), zoneCall, body.toString(), res)) return;
      if (call.service === 'appmesh' && isVirtualServiceCall((req.url ?? '').split('?')[0]!)) {
        virtualServices(req, body.toString(), res);
        return;
      }
      const forwarded = call.service === 'appmesh' && req.method === 'PUT' ? withCloudMapAttributes(body) : body;
      const upstream = request({
        host: target.hostname, port: target.port, method: req.method, path: call.service === 'appmesh' ? withoutOwnMeshOwner(req.url ?? '/', call.account) : req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(forwarded.length) },
      }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          let payload: Buffer = Buffer.concat(parts);
          const holdAfter = takeHold(call.operation, 'after');
          if (holdAfter) {
            holdAfter.held();
            return;
          }
          const ok = (up.statusCode ?? 500) < 300;
          if (ok && call.service === 'ecs') serviceConnect.remember(call.operation, call.input);
          // An error answer (moto sometimes returns an HTML 500 page under load) passes through untouched: the SDK retries it.
          if (ok && call.operation === 'DescribeServices') payload = deployments.describeServices(serviceConnect.describe(endRollouts(payload, endings, durations, rolloutStarts)));
          if (ok && call.service === 'ecs' && call.operation === 'UpdateService') payload = deployments.afterUpdate(call.input ?? {}, payload);
          // A deployment starts with an UpdateService to a task definition, or with a new service (a green twin).
          if (ok && call.service === 'ecs' && call.operation === 'UpdateService' && call.input?.taskDefinition) rolloutStarts.set(String(call.input.service).split('/').pop()!, call.at);
          if (ok && call.service === 'ecs' && call.operation === 'CreateService') rolloutStarts.set(String(call.input?.serviceName), call.at);
          if (ok && call.service === 'servicediscovery' && call.operation === 'ListServices') payload = filterServicesByNamespace(payload, call.input);
          if (ok && call.service === 'application-autoscaling' && call.operation === 'DescribeScalingPolicies') payload = scaling.describe(call.input, payload);
          if (ok && call.service === 'servicediscovery' && call.operation === 'ListNamespaces') {
            route53.learnZones(payload);
            payload = ram.listNamespaces(req, payload);
          }
          if (ok && call.service === 'servicediscovery' && call.operation === 'CreatePrivateDnsNamespace') route53.learnNamespace(call.input);
          if (ok && zoneCall?.operation === 'GetHostedZone') payload = route53.hostedZone(zoneCall.zone, payload);
          if (ok && call.service === 'sts' && call.operation === 'AssumeRole') ram.learnAssumedRole(body.toString(), payload.toString());
          if (call.service === 'appmesh' && payload.length > 0) {
            try {
              payload = Buffer.from(JSON.stringify(fixAppMeshOwners(fixAppMeshTimes(JSON.parse(payload.toString())), call.account)));
            } catch {
              // not JSON: pass through untouched
            }
          }
          const headers = { ...up.headers, 'content-length': String(payload.length) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(payload);
        });
      });
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(forwarded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    throttled,
    ram,
    route53,
    deployments,
    count: (filter) => (filter ? calls.filter(filter).length : calls.length),
    endRollouts: (service, ending) => endings.set(service, ending),
    rolloutDurations: (ms) => { for (const [service, time] of Object.entries(ms)) durations.set(service, time); },
    rolloutStarts,
    failNext: (operation, code, times, options = {}) => failures.set(operation, { code, times, ...options }),
    holdNext: (operation, when) => new Promise<void>((held) => holds.push({ operation, when, held })),
    standIns: () => structuredClone(state),
    restart(standIns) {
      calls.length = 0;
      throttled.length = 0;
      endings.clear();
      durations.clear();
      rolloutStarts.clear();
      failures.clear();
      holds.length = 0;
      refill(state, structuredClone(standIns));
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
