// Test-only stand-in for AWS RAM sharing of Cloud Map namespaces, which moto
// lacks (its RAM has no ListResources or invitations, and cannot share a
// namespace). It keeps shares and invitations in memory, per account (the
// account of a request is the one moto gives its access key: the default
// key's, or the role's for AssumeRole credentials the proxy saw issued), and
// once a consumer accepted, shows the namespace in that account's Cloud Map
// ListNamespaces with its ResourceOwner, as AWS does. RAM is asynchronous:
// with `invitationDelayMs` an invitation shows only that long after the share
// named its account, and with `sameOrganization` no invitation ever comes (the
// accounts share an AWS Organization): the principal association turns from
// ASSOCIATING to ASSOCIATED after the delay instead (GetResourceShareAssociations).
// Not product code: meshctl talks to AWS exactly as it would without it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

/** moto's account for the access key "testing" (and any key it did not issue for a role). */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';

const RAM_PATHS: Record<string, string> = {
  '/createresourceshare': 'CreateResourceShare',
  '/associateresourceshare': 'AssociateResourceShare',
  '/listresources': 'ListResources',
  '/getresourceshareinvitations': 'GetResourceShareInvitations',
  '/acceptresourceshareinvitation': 'AcceptResourceShareInvitation',
  '/getresourceshares': 'GetResourceShares',
  '/getresourceshareassociations': 'GetResourceShareAssociations',
};

export function ramOperation(req: IncomingMessage): string | undefined {
  return req.method === 'POST' ? RAM_PATHS[(req.url ?? '').split('?')[0]!.toLowerCase()] : undefined;
}

export interface Share { arn: string; name: string; owner: string; resources: string[]; principals: string[]; permissionArns: string[] }
export interface Invitation { arn: string; share: string; sender: string; receiver: string; status: 'PENDING' | 'ACCEPTED'; visibleAt: number }

export interface RamStandInOptions {
  /** How long after a share names an account its invitation (or, in one Organization, its association) shows. */
  invitationDelayMs?: number;
  /** The accounts share an AWS Organization with RAM sharing enabled: no invitation, the association is made. */
  sameOrganization?: boolean;
}

/** What the stand-in keeps: plain data, which a proxy may start from (AwsProxy.standIns). */
export interface RamState {
  /** The account each access key acts in (AssumeRole answers). */
  accountsByKey: Map<string, string>;
  shares: Map<string, Share>;
  invitations: Invitation[];
  /** When each share named each principal: `${share} ${principal}`. */
  named: Map<string, number>;
  namespaces: Map<string, Raw>;
}

export const emptyRamState = (): RamState => ({ accountsByKey: new Map(), shares: new Map(), invitations: [], named: new Map(), namespaces: new Map() });

export function createRamStandIn(options: RamStandInOptions = {}, state: RamState = emptyRamState()) {
  const delay = options.invitationDelayMs ?? 0;
  const { accountsByKey, shares, invitations, named, namespaces } = state;

  const accountOf = (req: IncomingMessage): string => {
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    return accountsByKey.get(key) ?? MOTO_DEFAULT_ACCOUNT;
  };
  const invite = (share: Share, principals: string[]) => {
    for (const receiver of principals.filter((p) => p !== share.owner)) {
      if (!named.has(`${share.arn} ${receiver}`)) named.set(`${share.arn} ${receiver}`, Date.now());
      if (!options.sameOrganization && !invitations.some((i) => i.share === share.arn && i.receiver === receiver)) {
        invitations.push({ arn: `arn:aws:ram:us-east-1:${share.owner}:resource-share-invitation/${randomUUID()}`, share: share.arn, sender: share.owner, receiver, status: 'PENDING', visibleAt: Date.now() + delay });
      }
    }
  };
  /** A principal association's status: ASSOCIATED once accepted, or in one Organization once RAM got to it. */
  const associationStatus = (share: Share, principal: string): string => {
    if (options.sameOrganization) return Date.now() >= (named.get(`${share.arn} ${principal}`) ?? 0) + delay ? 'ASSOCIATED' : 'ASSOCIATING';
    return invitations.some((i) => i.share === share.arn && i.receiver === principal && i.status === 'ACCEPTED') ? 'ASSOCIATED' : 'ASSOCIATING';
  };
  const sharedWith = (account: string) => [...shares.values()]
    .filter((s) => s.principals.includes(account) && associationStatus(s, account) === 'ASSOCIATED')
    .flatMap((s) => s.resources);

  const answer = (res: ServerResponse, status: number, body: Raw) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  return {
    accountOf,
    /** An STS AssumeRole answer: its access key acts in the role's account. */
    learnAssumedRole(requestBody: string, responseBody: string): void {
      const role = new URLSearchParams(requestBody).get('RoleArn');
      const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseBody)?.[1];
      if (role && key) accountsByKey.set(key, role.split(':')[4]!);
    },
    /** A Cloud Map ListNamespaces answer: the owner's namespaces are remembered, and shared ones added for a consumer. */
    listNamespaces(req: IncomingMessage, payload: Buffer): Buffer {
      const account = accountOf(req);
      const out = JSON.parse(payload.toString()) as { Namespaces?: Raw[] };
      for (const ns of out.Namespaces ?? []) namespaces.set(ns.Arn, ns);
      for (const arn of sharedWith(account)) {
        const ns = namespaces.get(arn);
        if (ns && !(out.Namespaces ?? []).some((n) => n.Arn === arn)) (out.Namespaces ??= []).push({ ...ns, ResourceOwner: arn.split(':')[4] });
      }
      return Buffer.from(JSON.stringify(out));
    },
    handle(req: IncomingMessage, operation: string, body: string, res: ServerResponse): void {
      const account = accountOf(req);
      const input = (body ? JSON.parse(body) : {}) as Raw;
      if (operation === 'CreateResourceShare') {
        const share: Share = {
          arn: `arn:aws:ram:us-east-1:${account}:resource-share/${randomUUID()}`, name: input.name, owner: account,
          resources: input.resourceArns ?? [], principals: input.principals ?? [], permissionArns: input.permissionArns ?? [],
        };
        shares.set(share.arn, share);
        invite(share, share.principals);
        return answer(res, 200, { resourceShare: { resourceShareArn: share.arn, name: share.name, owningAccountId: account, status: 'ACTIVE', allowExternalPrincipals: true }, clientToken: input.clientToken });
      }
      if (operation === 'AssociateResourceShare') {
        const share = shares.get(input.resourceShareArn);
        if (!share || share.owner !== account) return answer(res, 400, { __type: 'UnknownResourceException', message: `resource share ${input.resourceShareArn} not found` });
        share.resources.push(...(input.resourceArns ?? []));
        share.principals.push(...(input.principals ?? []));
        invite(share, input.principals ?? []);
        return answer(res, 200, { resourceShareAssociations: (input.principals ?? []).map((p: string) => ({ resourceShareArn: share.arn, associatedEntity: p, associationType: 'PRINCIPAL', status: 'ASSOCIATED' })), clientToken: input.clientToken });
      }
      if (operation === 'ListResources') {
        const resources = [...shares.values()].filter((s) => s.owner === account)
          .flatMap((s) => s.resources.map((arn) => ({ arn, resourceShareArn: s.arn, type: 'servicediscovery:Namespace', status: 'AVAILABLE' })))
          .filter((r) => !input.resourceArns || input.resourceArns.includes(r.arn));
        return answer(res, 200, { resources });
      }
      if (operation === 'GetResourceShares') {
        return answer(res, 200, { resourceShares: [...shares.values()].filter((s) => s.owner === account).map((s) => ({ resourceShareArn: s.arn, name: s.name, owningAccountId: s.owner, status: 'ACTIVE' })) });
      }
      if (operation === 'GetResourceShareAssociations') {
        // Only the owner lists a share's associations.
        const associations = [...shares.values()]
          .filter((s) => s.owner === account && (!input.resourceShareArns || input.resourceShareArns.includes(s.arn)))
          .flatMap((s) => s.principals.filter((p) => !input.principal || p === input.principal)
            .map((p) => ({ resourceShareArn: s.arn, associatedEntity: p, associationType: 'PRINCIPAL', status: associationStatus(s, p), external: !options.sameOrganization })));
        return answer(res, 200, { resourceShareAssociations: input.associationType === 'PRINCIPAL' ? associations : [] });
      }
      if (operation === 'GetResourceShareInvitations') {
        const found = invitations.filter((i) => i.receiver === account && i.visibleAt <= Date.now() && (!input.resourceShareArns || input.resourceShareArns.includes(i.share)));
        return answer(res, 200, { resourceShareInvitations: found.map((i) => ({ resourceShareInvitationArn: i.arn, resourceShareArn: i.share, senderAccountId: i.sender, receiverAccountId: i.receiver, status: i.status })) });
      }
      const invitation = invitations.find((i) => i.arn === input.resourceShareInvitationArn && i.receiver === account);
      if (!invitation) return answer(res, 400, { __type: 'ResourceShareInvitationArnNotFoundException', message: `invitation ${input.resourceShareInvitationArn} not found` });
      invitation.status = 'ACCEPTED';
      return answer(res, 200, { resourceShareInvitation: { resourceShareInvitationArn: invitation.arn, resourceShareArn: invitation.share, status: 'ACCEPTED' }, clientToken: input.clientToken });
    },
    /** For the Cloud Map stand-in: the namespaces ListNamespaces answered, and who sees them. */
    namespace: (ref: string): Raw | undefined => namespaces.get(ref) ?? [...namespaces.values()].find((n) => n.Id === ref),
    sees: (account: string, arn: string): boolean => arn.split(':')[4] === account || sharedWith(account).includes(arn),
    /** What a test checks: the shares and invitations made. */
    shares: () => [...shares.values()],
    invitations: () => [...invitations],
  };
}
