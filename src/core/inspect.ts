// The inspect view of an estate: one row per service, plain data for text and JSON.
import { accountOfArn } from './arn.js';
import type { Estate } from './estate.js';
import { NO_OWNER_RULES, serviceOwner, type OwnerRules, type ServiceOwner } from './owner.js';
import { launchKind, meshStatus, networkMode, taskReservation } from './service-facts.js';

export interface InspectService {
  service: string;
  launchType: string;
  networkMode: string;
  taskDefinition: string;
  desired: number;
  running: number;
  cpu: number;
  memory: number;
  containers: string[];
  mesh: string;
  deploymentController: string;
  serviceRegistries: string[];
  /** The infrastructure code that owns it, when its tags (or its task definition's) name one. */
  owner?: ServiceOwner;
}

export interface InspectCluster {
  cluster: string;
  /** A run over several accounts: the account that owns the cluster, as name (id). */
  account?: string;
  containerInstances: number;
  services: InspectService[];
}

export interface InspectReport {
  region: string;
  awsvpcTrunking: boolean;
  clusters: InspectCluster[];
  appMeshMeshes: { name: string; virtualNodes: number }[];
}

export function inspectEstate(estate: Estate, owners: OwnerRules = NO_OWNER_RULES): InspectReport {
  return {
    region: estate.region,
    awsvpcTrunking: estate.awsvpcTrunking,
    clusters: estate.clusters.map((cluster) => ({
      cluster: cluster.name,
      ...(estate.accounts && { account: `${estate.accounts[accountOfArn(cluster.arn)] ?? '?'} (${accountOfArn(cluster.arn)})` }),
      containerInstances: cluster.containerInstances.length,
      services: cluster.services.map((service) => {
        const td = estate.taskDefinitions[service.taskDefinitionArn]!;
        const size = taskReservation(td);
        const capacity = service.capacityProviderStrategy.map((p) => p.capacityProvider).join('+');
        const owner = serviceOwner(service, td, owners);
        return {
          service: service.name,
          launchType: service.launchType ?? (capacity ? `${launchKind(service, cluster)} (${capacity})` : launchKind(service, cluster)),
          networkMode: networkMode(td),
          taskDefinition: `${td.family}:${td.revision}`,
          desired: service.desiredCount,
          running: service.runningCount,
          cpu: size.cpu,
          memory: size.memory,
          containers: td.containerDefinitions.map((c) => c.name),
          mesh: meshStatus(service, td),
          deploymentController: service.deploymentController,
          serviceRegistries: service.serviceRegistries.map((r) => r.registryArn),
          ...(owner && { owner }),
        };
      }),
    })),
    appMeshMeshes: estate.appMesh.meshes.map((m) => ({ name: m.name, virtualNodes: m.virtualNodes.length })),
  };
}
