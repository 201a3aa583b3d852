// The S3 bucket holding meshctl's state (journals: the way back to every
// service's previous revision). Versioning keeps a journal deleted or
// overwritten by mistake recoverable; default encryption covers what else
// writes there. Amazon S3 User Guide, "Retaining multiple versions of
// objects with S3 Versioning" and "Setting default server-side encryption
// behavior for Amazon S3 buckets".
import type { EstateRule, RuleFinding } from './rule.js';

export const stateBucket: EstateRule = {
  id: 'state-bucket',
  title: 'State bucket settings',
  scope: 'estate',
  targets: ['appmesh', 'service-connect'],
  check(_estate, { stateBucket: bucket }) {
    if (!bucket) return [];
    const { bucket: name, url } = bucket;
    if (!bucket.exists) {
      return [{
        severity: 'error',
        message: `the state bucket ${name} (${url}) does not exist: apply could not write its journal`,
        hint: `Create it: aws s3api create-bucket --bucket ${name} (outside us-east-1 add --create-bucket-configuration LocationConstraint=REGION), then turn on versioning and default encryption.`,
      }];
    }
    const unreadable = bucket.unreadable ?? [];
    const findings: RuleFinding[] = [];
    if (bucket.versioning !== 'Enabled' && !unreadable.some((u) => u.includes('GetBucketVersioning'))) {
      findings.push({
        severity: 'warning',
        message: `the state bucket ${name} has no versioning (${bucket.versioning === 'Suspended' ? 'suspended' : 'never enabled'}): a journal deleted or overwritten by mistake, and with it the way back to the previous revisions, cannot be recovered`,
        hint: `aws s3api put-bucket-versioning --bucket ${name} --versioning-configuration Status=Enabled`,
      });
    }
    if (!bucket.encryption && !unreadable.some((u) => u.includes('GetBucketEncryption'))) {
      findings.push({
        severity: 'warning',
        message: `the state bucket ${name} has no default encryption: journals hold task definitions and step outputs (secret values masked)`,
        hint: `aws s3api put-bucket-encryption --bucket ${name} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}' (meshctl also encrypts its own objects with state.kmsKeyId when set)`,
      });
    }
    if (unreadable.length > 0) {
      findings.push({
        severity: 'warning',
        message: `could not read the state bucket ${name}'s settings: ${unreadable.join(', ')}`,
        hint: 'Grant s3:GetBucketVersioning and s3:GetEncryptionConfiguration on the bucket (meshctl iam-policy includes them).',
      });
    }
    return findings;
  },
};
