// Test-only stand-in for two rules Cloud Map enforces on CreateService and
// moto does not (moto creates the service in the caller's account whatever
// namespace and DnsConfig it is given):
// - a namespace another account shared is named by its ARN, and only once
//   the share reached the caller's account; its bare id, or the ARN of a
//   namespace not shared with the caller, is NamespaceNotFound (Cloud Map API
//   Reference, CreateService NamespaceId: "For namespaces shared with your
//   AWS account, specify the namespace ARN");
// - an HTTP namespace takes no DnsConfig (InvalidInput).
// It knows the namespaces from the ListNamespaces answers the proxy passed
// and the shares from the RAM stand-in; a namespace it never saw passes.
// Not product code: meshctl talks to AWS exactly as it would without it.

/* eslint-disable @typescript-eslint/no-explicit-any -- raw API payloads */
type Raw = Record<string, any>;

export interface NamespaceLookup {
  /** A namespace as ListNamespaces answered it, by ARN or id. */
  namespace(ref: string): Raw | undefined;
  /** Whether `account` sees the namespace: its own, or shared with it and accepted. */
  sees(account: string, arn: string): boolean;
}

/** The error Cloud Map answers a CreateService with, or undefined when it accepts it. */
export function refuseCreateService(account: string, input: Raw | undefined, lookup: NamespaceLookup): { code: string; message: string } | undefined {
  const ref = String(input?.NamespaceId ?? '');
  const namespace = lookup.namespace(ref);
  if (!namespace) return undefined;
  const owner = String(namespace.Arn).split(':')[4];
  if (owner !== account && (ref !== namespace.Arn || !lookup.sees(account, namespace.Arn))) {
    return { code: 'NamespaceNotFound', message: `Namespace ${ref} not found` };
  }
  if (namespace.Type === 'HTTP' && input?.DnsConfig) {
    return { code: 'InvalidInput', message: `DnsConfig is not supported for services in HTTP namespace ${namespace.Name}` };
  }
  return undefined;
}
