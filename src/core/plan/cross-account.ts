// What an App Mesh plan over several accounts adds: the mesh and the Cloud
// Map namespace shared (AWS RAM) with the accounts whose services join them,
// and the namespace's private hosted zone associated with every VPC of those
// services, so the virtual-service names resolve there. Across accounts the
// association takes three steps (Route 53 API Reference,
// CreateVPCAssociationAuthorization): the zone's owner authorizes the VPC, the
// VPC's owner associates it, the zone's owner removes the authorization.
import { accountOfArn } from '../arn.js';
import type { Estate } from '../estate.js';
import { planSharing, type ShareNeed } from '../sharing.js';
import { idempotencyToken, observedDigest, sealPlan } from './fingerprint.js';
import type { Plan, PlanStep } from './model.js';


/** A private hosted zone: its account and the VPCs associated with it. */
export interface HostedZone {
  owner: string;
  vpcs: string[];
}

function vpcsOf(plan: Plan, estate: Estate, account: string): string[] {
  const subnets = estate.network?.subnets ?? {};
  const labels = new Set(plan.services.filter((s) => s.status === 'change' && s.account === account).map((s) => `${s.cluster}/${s.service}`));
  const services = estate.clusters.flatMap((c) => c.services).filter((s) => labels.has(`${s.clusterName}/${s.name}`));
  return [...new Set(services.flatMap((s) => s.awsvpcConfiguration?.subnets ?? []).map((id) => subnets[id]?.vpcId).filter((v): v is string => !!v))].sort();
}

function zoneAssociation(zoneId: string, zone: HostedZone, vpc: string, vpcAccount: string, region: string, namespace: string): PlanStep[] {
  const input = { HostedZoneId: zoneId, VPC: { VPCRegion: region, VPCId: vpc } };
  const id = `route53-associate:${zoneId}:${vpc}`;
  const associate: PlanStep = {
    id, service: 'route53', operation: 'AssociateVPCWithHostedZone', action: 'update', dependsOn: [], account: vpcAccount,
    resource: `Route 53 private hosted zone ${zoneId} of namespace ${namespace}: resolve in ${vpc}`,
    input: { ...input, Comment: 'meshctl: App Mesh virtual-service names resolve here' },
  };
  if (vpcAccount === zone.owner) return [associate];
  const authorize: PlanStep = {
    id: `route53-authorize:${zoneId}:${vpc}`, service: 'route53', operation: 'CreateVPCAssociationAuthorization', action: 'create', dependsOn: [], account: zone.owner,
    resource: `Route 53: let ${vpc} (account ${vpcAccount}) associate with hosted zone ${zoneId}`, input,
  };
  const cleanUp: PlanStep = {
    id: `route53-deauthorize:${zoneId}:${vpc}`, service: 'route53', operation: 'DeleteVPCAssociationAuthorization', action: 'delete', dependsOn: [id], account: zone.owner,
    resource: `Route 53: remove the used authorization of ${vpc} on hosted zone ${zoneId}`, input,
  };
  return [authorize, { ...associate, dependsOn: [authorize.id] }, cleanUp];
}

export function planAppMeshAcrossAccounts(plan: Plan, estate: Estate, zones: Record<string, HostedZone>): Plan {
  if (!estate.accounts) return plan;
  const token = (id: string) => idempotencyToken(observedDigest(plan.observed), id);
  const consumers = [...new Set(plan.services.filter((s) => s.status === 'change').map((s) => s.account).filter((a): a is string => !!a))].sort();
  const needs: ShareNeed[] = [];
  const mesh = estate.appMesh.meshes.find((m) => m.name === plan.mesh);
  const meshOwner = mesh ? accountOfArn(mesh.arn) : plan.steps.find((s) => s.operation === 'CreateMesh')?.account;
  if (meshOwner && estate.accounts[meshOwner]) {
    const others = consumers.filter((c) => c !== meshOwner && !(mesh?.sharedWith ?? []).includes(c));
    if (others.length > 0) {
      const arn = mesh?.arn ?? `arn:aws:appmesh:${plan.region}:${meshOwner}:mesh/${plan.mesh}`;
      needs.push({ kind: 'mesh', arn, name: plan.mesh, owner: meshOwner, consumers: others, ...(mesh?.resourceShare && { share: mesh.resourceShare }) });
    }
  }
  const namespaceNames = Object.keys(plan.observed.cloudMap).filter((k) => k.startsWith('namespace/')).map((k) => k.slice('namespace/'.length));
  const namespaces = estate.cloudMap.namespaces.filter((n) => namespaceNames.includes(n.name) && estate.accounts![accountOfArn(n.arn)]);
  for (const ns of namespaces) {
    const others = consumers.filter((c) => c !== accountOfArn(ns.arn) && !(ns.sharedWith ?? []).includes(c));
    if (others.length > 0) needs.push({ kind: 'namespace', arn: ns.arn, name: ns.name, owner: accountOfArn(ns.arn), consumers: others, ...(ns.resourceShare && { share: ns.resourceShare }) });
  }
  const sharing = planSharing(needs, token);
  // A mesh created by this plan is shared once it exists.
  const createMesh = plan.steps.find((s) => s.operation === 'CreateMesh');
  for (const step of sharing.steps) if (createMesh && step.operation === 'CreateResourceShare' && step.id.includes(':appmesh:')) step.dependsOn = [createMesh.id];

  const zoneSteps: PlanStep[] = [];
  for (const ns of namespaces.filter((n) => n.hostedZoneId && zones[n.hostedZoneId])) {
    const zone = zones[ns.hostedZoneId!]!;
    for (const account of consumers) {
      for (const vpc of vpcsOf(plan, estate, account).filter((v) => !zone.vpcs.includes(v))) {
        zoneSteps.push(...zoneAssociation(ns.hostedZoneId!, zone, vpc, account, plan.region, ns.name));
      }
    }
  }
  if (sharing.steps.length === 0 && zoneSteps.length === 0) return plan;

  // A consumer's mesh resources wait for the mesh to be shared; its services also for the namespace and the zone.
  const steps = plan.steps.map((step) => {
    const account = step.account ?? plan.account;
    const extra = [
      ...[...sharing.usableAfter].filter(([key]) => key.endsWith(` ${account}`) && (step.service === 'appmesh' ? key.includes(':appmesh:') : step.operation === 'UpdateService')).map(([, id]) => id),
      ...(step.operation === 'UpdateService' ? zoneSteps.filter((z) => z.operation === 'AssociateVPCWithHostedZone' && z.account === account).map((z) => z.id) : []),
    ];
    return extra.length > 0 ? { ...step, dependsOn: [...step.dependsOn, ...extra] } : step;
  });
  const { fingerprint: _old, ...rest } = plan;
  const all = [...sharing.steps, ...zoneSteps, ...steps];
  return sealPlan({
    ...rest, steps: all,
    summary: { ...plan.summary, create: all.filter((s) => s.action === 'create').length, update: all.filter((s) => s.action === 'update').length, delete: all.filter((s) => s.action === 'delete').length },
  });
}
