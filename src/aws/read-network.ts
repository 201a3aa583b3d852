// Reads the network between the awsvpc services: their subnets (one call),
// and only when they span several VPCs, the VPCs' CIDRs, route tables,
// active peering connections, transit gateway attachments and the services'
// security groups: what the cross-VPC reachability check needs.
import type { Network, Service } from '../core/estate.js';
import { chunks, paginate } from './batch.js';
import type { AwsCaller } from './caller.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const IDS_PER_CALL = 200;

const pages = (aws: AwsCaller, operation: string, input: Raw, field: string) => paginate(async (NextToken) => {
  const page = await aws.call<Raw>('ec2', operation, { ...input, ...(NextToken && { NextToken }) });
  return { items: page[field] as Raw[] | undefined, next: page.NextToken };
});

/** `always`: read what connects VPCs even for one VPC (a run over several accounts joins each account's network). */
export async function readNetwork(aws: AwsCaller, services: Service[], always = false): Promise<Network | undefined> {
  const subnetIds = [...new Set(services.flatMap((s) => s.awsvpcConfiguration?.subnets ?? []))].sort();
  if (subnetIds.length === 0) return undefined;
  const subnets = (await Promise.all(chunks(subnetIds, IDS_PER_CALL).map((batch) => pages(aws, 'DescribeSubnets', { SubnetIds: batch }, 'Subnets')))).flat();
  const network: Network = { subnets: {}, vpcCidrs: {}, routeTables: [], peerings: [], transitGateways: [], securityGroups: {} };
  for (const s of subnets) network.subnets[s.SubnetId] = { vpcId: s.VpcId, cidr: s.CidrBlock };
  const vpcIds = [...new Set(subnets.map((s) => s.VpcId as string))].sort();
  if (vpcIds.length < 2 && !always) return network;

  const groupIds = [...new Set(services.flatMap((s) => s.awsvpcConfiguration?.securityGroups ?? []))].sort();
  const vpcFilter = [{ Name: 'vpc-id', Values: vpcIds }];
  const [vpcs, routeTables, peerings, attachments, groups] = await Promise.all([
    pages(aws, 'DescribeVpcs', { VpcIds: vpcIds }, 'Vpcs'),
    pages(aws, 'DescribeRouteTables', { Filters: vpcFilter }, 'RouteTables'),
    pages(aws, 'DescribeVpcPeeringConnections', { Filters: [{ Name: 'status-code', Values: ['active'] }] }, 'VpcPeeringConnections'),
    pages(aws, 'DescribeTransitGatewayVpcAttachments', { Filters: [...vpcFilter, { Name: 'state', Values: ['available'] }] }, 'TransitGatewayVpcAttachments'),
    groupIds.length > 0 ? Promise.all(chunks(groupIds, IDS_PER_CALL).map((batch) => pages(aws, 'DescribeSecurityGroups', { GroupIds: batch }, 'SecurityGroups'))).then((g) => g.flat()) : Promise.resolve([]),
  ]);
  for (const v of vpcs) network.vpcCidrs[v.VpcId] = [...new Set([v.CidrBlock, ...((v.CidrBlockAssociationSet ?? []) as Raw[]).map((a) => a.CidrBlock)].filter(Boolean))];
  network.routeTables = routeTables.map((t) => ({
    id: t.RouteTableId, vpcId: t.VpcId,
    main: ((t.Associations ?? []) as Raw[]).some((a) => a.Main),
    subnets: ((t.Associations ?? []) as Raw[]).map((a) => a.SubnetId).filter(Boolean),
    routes: ((t.Routes ?? []) as Raw[]).filter((r) => r.DestinationCidrBlock && r.State !== 'blackhole')
      .map((r) => ({ destination: r.DestinationCidrBlock, target: r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.GatewayId ?? '' })),
  }));
  network.peerings = peerings.map((p) => ({ id: p.VpcPeeringConnectionId, vpcs: [p.RequesterVpcInfo?.VpcId, p.AccepterVpcInfo?.VpcId] as [string, string] }));
  network.transitGateways = attachments.map((a) => ({ id: a.TransitGatewayId, vpcId: a.VpcId }));
  for (const g of groups) {
    network.securityGroups[g.GroupId] = {
      ingress: ((g.IpPermissions ?? []) as Raw[]).map((p) => ({
        protocol: String(p.IpProtocol), fromPort: p.FromPort, toPort: p.ToPort,
        cidrs: ((p.IpRanges ?? []) as Raw[]).map((r) => r.CidrIp),
        groups: ((p.UserIdGroupPairs ?? []) as Raw[]).map((r) => r.GroupId),
      })),
    };
  }
  return network;
}
