// Services that call each other across VPCs need a path: an active VPC
// peering connection or a shared transit gateway, routes to each other's
// CIDR in their subnets' route tables, and a security group that admits the
// server's port from the client. meshctl creates none of these (network
// teams own them): it proves they are there, and names what is missing.
import { inferBackends } from '../appmesh/backends.js';
import { accountOfArn } from '../arn.js';
import { cidrContains } from '../cidr.js';
import type { Estate, Network, Service } from '../estate.js';
import type { EstateRule, RuleFinding } from './rule.js';

const vpcOf = (service: Service, network: Network) => network.subnets[service.awsvpcConfiguration?.subnets[0] ?? '']?.vpcId;

/** The names each service answers to: its Cloud Map registries and its Service Connect names. */
function namesByService(estate: Estate): Map<string, Service> {
  const names = new Map<string, Service>();
  for (const service of estate.clusters.flatMap((c) => c.services)) {
    for (const registry of service.serviceRegistries) {
      const entry = estate.cloudMap.services.find((s) => s.arn === registry.registryArn);
      const namespace = entry && estate.cloudMap.namespaces.find((n) => n.id === entry.namespaceId);
      if (entry && namespace) names.set(`${entry.name}.${namespace.name}`.toLowerCase(), service);
    }
    const connect = service.serviceConnect;
    const namespace = connect?.namespace && estate.cloudMap.namespaces.find((n) => n.arn === connect.namespace || n.name === connect.namespace);
    for (const entry of (connect?.services ?? []) as { discoveryName?: string; portName?: string; clientAliases?: { dnsName?: string }[] }[]) {
      for (const alias of entry.clientAliases ?? []) if (alias.dnsName) names.set(alias.dnsName.toLowerCase(), service);
      const discovery = entry.discoveryName ?? entry.portName;
      if (discovery && namespace) names.set(`${discovery}.${namespace.name}`.toLowerCase(), service);
    }
  }
  // The name a service gets when it joins a namespace (its own name there), unless another service has it already.
  for (const service of estate.clusters.flatMap((c) => c.services)) {
    for (const namespace of estate.cloudMap.namespaces) {
      const name = `${service.name}.${namespace.name}`.toLowerCase();
      if (!names.has(name)) names.set(name, service);
    }
  }
  return names;
}

function serverPorts(estate: Estate, server: Service): number[] {
  const td = estate.taskDefinitions[server.taskDefinitionArn];
  const overrides = ((server.serviceConnect?.services ?? []) as { ingressPortOverride?: number }[]).map((s) => s.ingressPortOverride).filter((p): p is number => !!p);
  if (overrides.length > 0) return overrides;
  return [...new Set((td?.containerDefinitions ?? []).flatMap((c) => (c.portMappings ?? []).map((m) => m.containerPort).filter((p): p is number => !!p)))];
}

function routeTableOf(network: Network, subnet: string, vpcId: string) {
  return network.routeTables.find((t) => t.subnets.includes(subnet)) ?? network.routeTables.find((t) => t.vpcId === vpcId && t.main);
}

/** Over several accounts, each command runs in the account that owns what it changes. */
function inAccount(estate: Estate, service: Service): string {
  if (!estate.accounts) return '';
  const id = accountOfArn(service.arn);
  return `in account ${estate.accounts[id] ?? id} (${id}): `;
}

function checkPair(estate: Estate, network: Network, client: Service, server: Service, host: string): RuleFinding[] {
  const [from, to] = [vpcOf(client, network)!, vpcOf(server, network)!];
  const [clientAccount, serverAccount] = [accountOfArn(client.arn), accountOfArn(server.arn)];
  const label = (s: Service) => `${s.clusterName}/${s.name}`;
  const what = `${label(client)} calls ${host} (${label(server)}) from ${from} into ${to}`;
  const peering = network.peerings.find((p) => p.vpcs.includes(from) && p.vpcs.includes(to));
  const gateway = network.transitGateways.find((a) => a.vpcId === from && network.transitGateways.some((b) => b.id === a.id && b.vpcId === to));
  const link = peering?.id ?? gateway?.id;
  if (!link) {
    return [{
      severity: 'error', message: `${what}, and no active VPC peering connection or transit gateway joins the two VPCs`,
      hint: `Ask the network team for a path: ${inAccount(estate, client)}aws ec2 create-vpc-peering-connection --vpc-id ${from} --peer-vpc-id ${to}${clientAccount !== serverAccount ? ` --peer-owner-id ${serverAccount}` : ''} (then ${inAccount(estate, server) || `in ${to}'s account: `}aws ec2 accept-vpc-peering-connection), or attach both VPCs to one transit gateway.`,
    }];
  }
  const findings: RuleFinding[] = [];
  const routesMissing = (service: Service, own: string, other: string) => (service.awsvpcConfiguration?.subnets ?? []).flatMap((subnet) => {
    const table = routeTableOf(network, subnet, own);
    const cidrs = network.vpcCidrs[other] ?? [];
    const missing = cidrs.filter((cidr) => !table?.routes.some((r) => r.target === link && cidrContains(r.destination, cidr)));
    return missing.map((cidr) => ({ table: table?.id ?? `(no route table for ${subnet})`, cidr }));
  });
  for (const [service, own, other] of [[client, from, to], [server, to, from]] as const) {
    for (const { table, cidr } of dedupe(routesMissing(service, own, other))) {
      findings.push({
        severity: 'error', message: `${what}, but route table ${table} of ${label(service)}'s subnets has no route to ${cidr} through ${link}`,
        hint: `${inAccount(estate, service)}aws ec2 create-route --route-table-id ${table} --destination-cidr-block ${cidr} --${link.startsWith('pcx-') ? 'vpc-peering-connection-id' : 'transit-gateway-id'} ${link}`,
      });
    }
  }
  const clientCidrs = (client.awsvpcConfiguration?.subnets ?? []).map((s) => network.subnets[s]?.cidr).filter((c): c is string => !!c);
  const clientGroups = client.awsvpcConfiguration?.securityGroups ?? [];
  const serverGroups = server.awsvpcConfiguration?.securityGroups ?? [];
  for (const port of serverPorts(estate, server)) {
    const admitted = serverGroups.some((id) => (network.securityGroups[id]?.ingress ?? []).some((rule) => {
      const portOk = rule.protocol === '-1' || ((rule.protocol === 'tcp' || rule.protocol === '6') && (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535));
      const sourceOk = rule.groups.some((g) => clientGroups.includes(g)) || (clientCidrs.length > 0 && clientCidrs.every((c) => rule.cidrs.some((r) => cidrContains(r, c))));
      return portOk && sourceOk;
    }));
    if (!admitted) {
      findings.push({
        severity: 'error', message: `${what}, but no security group of ${label(server)} (${serverGroups.join(', ') || 'none'}) admits TCP ${port} from it`,
        hint: `${inAccount(estate, server)}aws ec2 authorize-security-group-ingress --group-id ${serverGroups[0] ?? '<server group>'} --protocol tcp --port ${port} --cidr ${clientCidrs[0] ?? '<client subnet CIDR>'} (a security group in another VPC can be referenced only across a peering connection)`,
      });
    }
  }
  return findings;
}

const dedupe = <T>(items: T[]) => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];

export const crossVpcReachability: EstateRule = {
  id: 'cross-vpc-reachability',
  title: 'services calling each other across VPCs have a peering or transit gateway, routes and security group rules',
  scope: 'estate',
  targets: ['service-connect', 'appmesh'],
  check(estate) {
    const network = estate.network;
    if (!network || Object.keys(network.vpcCidrs).length < 2) return [];
    const names = namesByService(estate);
    const known = new Set(names.keys());
    const findings: RuleFinding[] = [];
    for (const client of estate.clusters.flatMap((c) => c.services)) {
      const td = estate.taskDefinitions[client.taskDefinitionArn];
      const from = vpcOf(client, network);
      if (!td || !from) continue;
      for (const backend of inferBackends(td, known, '')) {
        const server = names.get(backend.virtualService)!;
        const to = vpcOf(server, network);
        if (server === client || !to || to === from) continue;
        findings.push(...checkPair(estate, network, client, server, backend.virtualService));
      }
    }
    return findings;
  },
};
