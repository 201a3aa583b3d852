// ARNs name their partition and account (arn:partition:service:region:account:resource):
// a run over several accounts knows whose each resource is from its ARN alone,
// and every ARN meshctl writes itself is in the region's partition.

/** The account an ARN belongs to. */
export const accountOfArn = (arn: string): string => arn.split(':')[4] ?? '';

/** The ARN partition of a region: China and GovCloud have their own (AWS General Reference, "Amazon Resource Names"). */
export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}
