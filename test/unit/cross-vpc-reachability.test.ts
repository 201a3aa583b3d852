// The cross-VPC reachability rule on plain data: a client in one VPC calling a
// server in another needs a peering (or transit gateway), routes both ways and
// a security group admitting the server's port.
import { describe, expect, it } from 'vitest';
import { cidrContains } from '../../src/core/cidr.js';
import { crossVpcReachability } from '../../src/core/checks/cross-vpc-reachability.js';
import type { Estate, Network } from '../../src/core/estate.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const NS = { id: 'ns-1', arn: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1', name: 'shop.local', type: 'DNS_PRIVATE' };
const REGISTRY = 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-pricing';

function twoVpcs(network: Partial<Network> = {}): Estate {
  const pricingTd = taskDefinition({ family: 'pricing', containerDefinitions: [container({ name: 'pricing', portMappings: [{ containerPort: 8080, protocol: 'tcp' }] })] });
  const ordersTd = taskDefinition({ family: 'orders', containerDefinitions: [container({ name: 'orders', environment: [{ name: 'PRICING_URL', value: 'http://pricing.shop.local:8080' }] })] });
  const est = estate({ services: [
    [service(pricingTd, { serviceRegistries: [{ registryArn: REGISTRY }], awsvpcConfiguration: { subnets: ['subnet-b'], securityGroups: ['sg-pricing'] } }), pricingTd],
    [service(ordersTd, { serviceRegistries: [], awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-orders'] } }), ordersTd],
  ] });
  est.cloudMap = { namespaces: [NS], services: [{ id: 'srv-pricing', arn: REGISTRY, name: 'pricing', namespaceId: 'ns-1' }] };
  est.network = {
    subnets: { 'subnet-a': { vpcId: 'vpc-a', cidr: '10.1.1.0/24' }, 'subnet-b': { vpcId: 'vpc-b', cidr: '10.2.1.0/24' } },
    vpcCidrs: { 'vpc-a': ['10.1.0.0/16'], 'vpc-b': ['10.2.0.0/16'] },
    routeTables: [], peerings: [], transitGateways: [], securityGroups: {},
    ...network,
  };
  return est;
}
const check = (est: Estate) => crossVpcReachability.check(est, { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING });

describe('cross-vpc-reachability', () => {
  it('names the missing peering, with the command that adds it', () => {
    expect(check(twoVpcs())).toEqual([expect.objectContaining({
      severity: 'error', message: 'c/orders calls pricing.shop.local (c/pricing) from vpc-a into vpc-b, and no active VPC peering connection or transit gateway joins the two VPCs',
      hint: expect.stringContaining('aws ec2 create-vpc-peering-connection --vpc-id vpc-a --peer-vpc-id vpc-b'),
    })]);
  });

  it('with a peering, names each route table without a route to the other VPC, both ways, and the security group that does not admit the port', () => {
    const findings = check(twoVpcs({
      peerings: [{ id: 'pcx-1', vpcs: ['vpc-a', 'vpc-b'] }],
      routeTables: [
        { id: 'rtb-a', vpcId: 'vpc-a', main: true, subnets: [], routes: [{ destination: '10.1.0.0/16', target: 'local' }] },
        { id: 'rtb-b', vpcId: 'vpc-b', main: false, subnets: ['subnet-b'], routes: [{ destination: '10.1.0.0/16', target: 'pcx-1' }] },
      ],
      securityGroups: { 'sg-pricing': { ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.1.0.0/16'], groups: [] }] } },
    }));
    expect(findings.map((f) => f.hint)).toEqual([
      'aws ec2 create-route --route-table-id rtb-a --destination-cidr-block 10.2.0.0/16 --vpc-peering-connection-id pcx-1',
      expect.stringContaining('aws ec2 authorize-security-group-ingress --group-id sg-pricing --protocol tcp --port 8080 --cidr 10.1.1.0/24'),
    ]);
  });

  it('passes when the transit gateway, the routes and the security group are all there', () => {
    expect(check(twoVpcs({
      transitGateways: [{ id: 'tgw-1', vpcId: 'vpc-a' }, { id: 'tgw-1', vpcId: 'vpc-b' }],
      routeTables: [
        { id: 'rtb-a', vpcId: 'vpc-a', main: true, subnets: [], routes: [{ destination: '10.0.0.0/8', target: 'tgw-1' }] },
        { id: 'rtb-b', vpcId: 'vpc-b', main: true, subnets: [], routes: [{ destination: '10.1.0.0/16', target: 'tgw-1' }] },
      ],
      securityGroups: { 'sg-pricing': { ingress: [{ protocol: 'tcp', fromPort: 8000, toPort: 9000, cidrs: ['10.1.0.0/16'], groups: [] }] } },
    }))).toEqual([]);
  });

  it('does not count a rule admitting some other security group', () => {
    const est = twoVpcs({
      peerings: [{ id: 'pcx-1', vpcs: ['vpc-a', 'vpc-b'] }],
      routeTables: [
        { id: 'rtb-a', vpcId: 'vpc-a', main: true, subnets: [], routes: [{ destination: '10.2.0.0/16', target: 'pcx-1' }] },
        { id: 'rtb-b', vpcId: 'vpc-b', main: true, subnets: [], routes: [{ destination: '10.1.0.0/16', target: 'pcx-1' }] },
      ],
      securityGroups: { 'sg-pricing': { ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs: [], groups: ['sg-someone-else'] }] } },
    });
    expect(check(est).map((f) => f.message)).toEqual([expect.stringContaining('no security group of c/pricing (sg-pricing) admits TCP 8080')]);
  });

  it('says nothing for services in one VPC', () => {
    const est = twoVpcs();
    est.network!.subnets['subnet-b']!.vpcId = 'vpc-a';
    delete est.network!.vpcCidrs['vpc-b'];
    expect(check(est)).toEqual([]);
  });

  it('compares CIDR blocks by the addresses they hold', () => {
    expect(cidrContains('10.0.0.0/8', '10.2.0.0/16')).toBe(true);
    expect(cidrContains('10.2.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '192.168.1.7')).toBe(true);
    expect(cidrContains('10.1.0.0/16', 'not-a-cidr')).toBe(false);
  });
});
