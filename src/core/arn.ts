// ARNs name their account (arn:partition:service:region:account:resource):
// a run over several accounts knows whose each resource is from its ARN alone.

/** The account an ARN belongs to. */
export const accountOfArn = (arn: string): string => arn.split(':')[4] ?? '';
