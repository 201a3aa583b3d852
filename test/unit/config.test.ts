// meshctl.yaml is validated field by field, with AWS's limits.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const parse = (data: unknown) => () => parseConfig(data, 'meshctl.yaml');

describe('config', () => {
  it('validates every IP and CIDR in egressIgnoredIPs, globally and per service', () => {
    expect(parse({ egressIgnoredIPs: ['10.0.0.2', '10.0.0.0/16', '0.0.0.0/0'] })).not.toThrow();
    expect(parse({ egressIgnoredIPs: ['999.1.1.1'] })).toThrow(/meshctl\.yaml: egressIgnoredIPs\.0: expected an IPv4 address or CIDR block/);
    expect(parse({ egressIgnoredIPs: ['10.0.0.0/33'] })).toThrow(/egressIgnoredIPs\.0/);
    expect(parse({ services: { web: { egressIgnoredIPs: ['10.0.0.1/8/9'] } } })).toThrow(/services\.web\.egressIgnoredIPs\.0/);
    expect(parse({ services: { web: { egressIgnoredIPs: ['fe80::1'] } } })).toThrow(/expected an IPv4 address/);
  });

  it('says when a name is over AWS\'s length limits', () => {
    expect(parse({ mesh: { name: 'm'.repeat(256) } })).toThrow(/mesh\.name: at most 255 characters/);
    expect(parse({ cloudMap: { namespace: `${'a'.repeat(250)}.local` } })).toThrow(/cloudMap\.namespace: at most 253 characters/);
  });

  it('takes the Envoy release tag, Service Connect TLS and the default target', () => {
    const config = parseConfig({ sidecars: { envoy: { tag: 'v1.30.1.0-prod' } }, serviceConnect: { tls: { awsPcaAuthorityArn: 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x', roleArn: 'arn:aws:iam::123456789012:role/tls' } } }, 'f');
    expect(config.sidecars.envoy).toMatchObject({ cpu: 512, memory: 64, tag: 'v1.30.1.0-prod' });
    expect(config.target).toBeUndefined();
    expect(parse({ sidecars: { envoy: { tag: 'latest' } } })).toThrow(/sidecars\.envoy\.tag: expected an App Mesh Envoy release tag/);
  });
});
