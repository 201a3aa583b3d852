// The account the credentials act in (STS GetCallerIdentity): apply refuses a
// plan made for another account before it reads or changes anything else.
import type { AwsCaller } from './caller.js';

export async function callerAccount(aws: AwsCaller): Promise<string> {
  const out = await aws.call<{ Account?: string }>('sts', 'GetCallerIdentity', {});
  return out.Account ?? '';
}
