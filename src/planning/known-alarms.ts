// shift and finalize watch CloudWatch alarms by name: a name CloudWatch does
// not know would guard nothing, so both refuse it before anything is read or
// changed, dry runs too.
import type { AwsCaller } from '../aws/caller.js';
import { unknownAlarms } from '../aws/read-cutover-health.js';
import { UsageError } from '../cli/errors.js';

export async function requireKnownAlarms(aws: AwsCaller, alarms: string[], region: string): Promise<void> {
  const unknown = alarms.length > 0 ? await unknownAlarms(aws, alarms) : [];
  if (unknown.length > 0) throw new UsageError(`CloudWatch has no alarm ${unknown.join(', ')} in ${region}: check --alarm`);
}
