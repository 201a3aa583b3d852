// Test-only stand-in for Route 53 VPC association authorizations, which moto
// lacks, and for associating another account's VPC with a private hosted
// zone (moto keeps each account's zones apart, so the VPC's account cannot
// find the zone). The zone's owner authorizes a VPC; the VPC's account then
// associates it, which the stand-in refuses without an authorization, as
// Route 53 does; the zone's GetHostedZone then lists the VPC.
// It also makes up for moto listing no VPC on the hosted zone Cloud Map
// creates for a private DNS namespace (AWS associates the namespace's VPC):
// the namespace's VPC, seen in CreatePrivateDnsNamespace through the proxy,
// is listed on its zone.
// Not product code: meshctl talks to AWS exactly as it would without it.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ZONE_PATH = /^\/2013-04-01\/hostedzone\/([^/]+)(?:\/(authorizevpcassociation|deauthorizevpcassociation|associatevpc))?$/;

export function route53Operation(req: IncomingMessage): { operation: string; zone: string } | undefined {
  const m = ZONE_PATH.exec((req.url ?? '').split('?')[0]!);
  if (!m) return undefined;
  if (!m[2]) return req.method === 'GET' ? { operation: 'GetHostedZone', zone: m[1]! } : undefined;
  const operation = { authorizevpcassociation: 'CreateVPCAssociationAuthorization', deauthorizevpcassociation: 'DeleteVPCAssociationAuthorization', associatevpc: 'AssociateVPCWithHostedZone' }[m[2]]!;
  return { operation, zone: m[1]! };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];

/** What the stand-in keeps: plain data, which a proxy may start from (AwsProxy.standIns). */
export interface Route53State {
  /** Each zone's owning account, as its authorizations showed it. */
  owners: Map<string, string>;
  /** `${zone} ${vpc}` authorized. */
  authorizations: Set<string>;
  associations: Map<string, { VPCId: string; VPCRegion: string }[]>;
  namespaceVpcs: Map<string, string>;
}

export const emptyRoute53State = (): Route53State => ({ owners: new Map(), authorizations: new Set(), associations: new Map(), namespaceVpcs: new Map() });

export function createRoute53StandIn(state: Route53State = emptyRoute53State()) {
  const { owners, authorizations, associations, namespaceVpcs } = state;

  const xml = (res: ServerResponse, status: number, body: string) => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const error = (res: ServerResponse, code: string, message: string) =>
    xml(res, 400, `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>standin</RequestId></ErrorResponse>`);

  return {
    /**
     * Answers what moto cannot; returns false to let the call through to moto
     * (the owner's own calls on its zone, and the owner's GetHostedZone, which
     * `hostedZone` then amends).
     */
    handle(account: string, call: { operation: string; zone: string }, body: string, res: ServerResponse): boolean {
      const vpc = { VPCId: tag(body, 'VPCId') ?? '', VPCRegion: tag(body, 'VPCRegion') ?? '' };
      const key = `${call.zone} ${vpc.VPCId}`;
      if (call.operation === 'CreateVPCAssociationAuthorization' || call.operation === 'DeleteVPCAssociationAuthorization') {
        owners.set(call.zone, account);
        if (call.operation === 'CreateVPCAssociationAuthorization') authorizations.add(key);
        else authorizations.delete(key);
        const root = call.operation === 'CreateVPCAssociationAuthorization' ? 'CreateVPCAssociationAuthorizationResponse' : 'DeleteVPCAssociationAuthorizationResponse';
        xml(res, 200, `<${root} xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneId>${call.zone}</HostedZoneId><VPC><VPCRegion>${vpc.VPCRegion}</VPCRegion><VPCId>${vpc.VPCId}</VPCId></VPC></${root}>`);
        return true;
      }
      if (call.operation === 'AssociateVPCWithHostedZone' && owners.has(call.zone) && owners.get(call.zone) !== account) {
        if (!authorizations.has(key)) {
          error(res, 'NotAuthorizedException', `The VPC ${vpc.VPCId} has not been authorized to associate with your hosted zone.`);
          return true;
        }
        associations.set(call.zone, [...(associations.get(call.zone) ?? []), vpc]);
        xml(res, 200, `<AssociateVPCWithHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/standin</Id><Status>INSYNC</Status><SubmittedAt>2026-12-01T00:00:00Z</SubmittedAt></ChangeInfo></AssociateVPCWithHostedZoneResponse>`);
        return true;
      }
      return false;
    },
    /** A Cloud Map CreatePrivateDnsNamespace input: the VPC its zone belongs to. */
    learnNamespace(input: Record<string, unknown> | undefined): void {
      if (input?.Name && input.Vpc) namespaceVpcs.set(String(input.Name), String(input.Vpc));
    },
    /** A Cloud Map ListNamespaces answer: each private namespace's zone gets the namespace's VPC. */
    learnZones(payload: Buffer): void {
      for (const ns of (JSON.parse(payload.toString()).Namespaces ?? []) as { Name: string; Properties?: { DnsProperties?: { HostedZoneId?: string } } }[]) {
        const zone = ns.Properties?.DnsProperties?.HostedZoneId?.replace(/^\/hostedzone\//, '');
        const vpc = namespaceVpcs.get(ns.Name);
        if (zone && vpc && !(associations.get(zone) ?? []).some((v) => v.VPCId === vpc)) associations.set(zone, [...(associations.get(zone) ?? []), { VPCId: vpc, VPCRegion: 'us-east-1' }]);
      }
    },
    /** The owner's GetHostedZone answer, with the VPCs other accounts associated. */
    hostedZone(zone: string, payload: Buffer): Buffer {
      const extra = associations.get(zone) ?? [];
      if (extra.length === 0) return payload;
      const vpcs = extra.map((v) => `<VPC><VPCRegion>${v.VPCRegion}</VPCRegion><VPCId>${v.VPCId}</VPCId></VPC>`).join('');
      const text = payload.toString().replace(/<VPCs\s*\/>/, '<VPCs></VPCs>');
      return Buffer.from(text.includes('<VPCs>') ? text.replace('<VPCs>', `<VPCs>${vpcs}`) : text.replace('</GetHostedZoneResponse>', `<VPCs>${vpcs}</VPCs></GetHostedZoneResponse>`));
    },
    associations: () => [...associations].filter(([, vpcs]) => vpcs.length > 0).flatMap(([zone, vpcs]) => vpcs.map((v) => ({ zone, vpc: v.VPCId }))),
    authorizations: () => [...authorizations],
  };
}
