// What an App Mesh plan over several accounts or VPCs adds: the mesh and the
// Cloud Map namespace shared (AWS RAM) with the accounts whose services join
// them, and the namespace's private hosted zone associated with every VPC of
// those services, so the virtual-service names resolve there (in one account
// too, when its services span VPCs). Across accounts the association takes
// three steps (Route 53 API Reference, CreateVPCAssociationAuthorization): the
// zone's owner authorizes the VPC, the VPC's owner associates it, the zone's
// owner removes the authorization.
import { accountOfArn, partitionOf } from '../arn.js';
import type { Estate } from '../estate.js';
import { planSharing, type ShareNeed } from '../sharing.js';
import { idempotencyToken, observedDigest, sealPlan } from './fingerprint.js';
import type { Plan, PlanStep } from './model.js';


/** A private hosted zone: its account and the VPCs associated with it. */
export interface HostedZone {
  owner: string;
  vpcs: string[];
}

/** The VPCs of the services the plan changes (in `account` only, when given). */
export function plannedVpcs(plan: Plan, estate: Estate, account?: string): string[] {
  const subnets = estate.network?.subnets ?? {};
  const labels = new Set(plan.services.filter((s) => s.status === 'change' && (account === undefined || s.account === account)).map((s) => `${s.cluster}/${s.service}`));
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
  const token = (id: string) => idempotencyToken(observedDigest(plan.observed), id);
  const consumers = [...new Set(plan.services.filter((s) => s.status === 'change').map((s) => s.account ?? plan.account))].sort();
  // Only accounts of the run can share; one account shares nothing.
  const inRun = (account: string) => (estate.accounts ? account in estate.accounts : account === plan.account);
  const needs: ShareNeed[] = [];
  const mesh = estate.appMesh.meshes.find((m) => m.name === plan.mesh);
  const meshOwner = mesh ? accountOfArn(mesh.arn) : plan.steps.find((s) => s.operation === 'CreateMesh')?.account;
  if (meshOwner && inRun(meshOwner)) {
    const others = consumers.filter((c) => c !== meshOwner && !(mesh?.sharedWith ?? []).includes(c));
    if (others.length > 0) {
      // moto's mesh ARNs lack the mesh/ part: the ARN is built, in the region's partition, unless the mesh is read.
      const arn = mesh?.arn ?? `arn:${partitionOf(plan.region)}:appmesh:${plan.region}:${meshOwner}:mesh/${plan.mesh}`;
      needs.push({ kind: 'mesh', arn, name: plan.mesh, owner: meshOwner, consumers: others, ...(mesh?.resourceShare && { share: mesh.resourceShare }) });
    }
  }
  const namespaceNames = Object.keys(plan.observed.cloudMap).filter((k) => k.startsWith('namespace/')).map((k) => k.slice('namespace/'.length));
  const namespaces = estate.cloudMap.namespaces.filter((n) => namespaceNames.includes(n.name) && inRun(accountOfArn(n.arn)));
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
      for (const vpc of plannedVpcs(plan, estate, account).filter((v) => !zone.vpcs.includes(v))) {
        zoneSteps.push(...zoneAssociation(ns.hostedZoneId!, zone, vpc, account, plan.region, ns.name));
      }
    }
  }
  if (sharing.steps.length === 0 && zoneSteps.length === 0) return plan;

  // A consumer's mesh resources wait for the mesh to be shared, its Cloud Map services for the namespace; its ECS services for both and the zone.
  const waitsFor = (step: PlanStep, key: string) => (step.service === 'appmesh' ? key.includes(':appmesh:')
    : step.service === 'servicediscovery' ? key.includes(':servicediscovery:') : step.operation === 'UpdateService');
  const steps = plan.steps.map((step) => {
    const account = step.account ?? plan.account;
    const extra = [
      ...[...sharing.usableAfter].filter(([key]) => key.endsWith(` ${account}`) && waitsFor(step, key)).map(([, id]) => id),
      ...(step.operation === 'UpdateService' ? zoneSteps.filter((z) => z.operation === 'AssociateVPCWithHostedZone' && z.account === account).map((z) => z.id) : []),
    ];
    return extra.length > 0 ? { ...step, dependsOn: [...step.dependsOn, ...extra] } : step;
  });
  const { fingerprint: _old, ...rest } = plan;
  // Steps come after what they depend on: a mesh the plan creates before its share.
  const meshFirst = steps.filter((s) => s.operation === 'CreateMesh');
  const all = [...meshFirst, ...sharing.steps, ...zoneSteps, ...steps.filter((s) => !meshFirst.includes(s))];
  return sealPlan({
    ...rest, steps: all,
    summary: { ...plan.summary, create: all.filter((s) => s.action === 'create').length, update: all.filter((s) => s.action === 'update').length, delete: all.filter((s) => s.action === 'delete').length },
  });
}
