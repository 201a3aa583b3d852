// meshctl's own state in S3 (journals, saved plans, locks): what each call
// the state sends needs, on the bucket and the objects under the prefix the
// call names. Service Authorization Reference, "Actions, resources, and
// condition keys for Amazon S3": ListObjectsV2 is authorized as
// s3:ListBucket on the bucket (its Prefix as the s3:prefix condition key),
// GetBucketEncryption as s3:GetEncryptionConfiguration; object actions on
// arn:PARTITION:s3:::BUCKET/KEY. Amazon S3 User Guide, "Using server-side
// encryption with AWS KMS keys (SSE-KMS)": an upload with a KMS key needs
// kms:GenerateDataKey on it, a download kms:Decrypt (S3 never calls
// kms:Encrypt for it). Kept apart from the estate's table: these are granted
// on the state's bucket alone, never on "*", and only with an S3 state.
import { text, type Scope } from '../arns.js';
import type { Dependent, Requirement } from '../requirement.js';

const S3_PAGE = 'Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3"';
const KMS_PAGE = 'Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)"';

const bucket = (s: Scope) => `arn:${s.partition}:s3:::${text(s.input.Bucket) ?? '*'}`;
const object = (s: Scope) => `${bucket(s)}/${text(s.input.Key) ?? '*'}`;
const withKey = (action: string): Dependent => ({
  action, resources: (s) => [text(s.input.SSEKMSKeyId) ?? '*'], when: (s) => text(s.input.SSEKMSKeyId) !== undefined, sid: 'MeshctlStateKey', page: KMS_PAGE,
});

export const STATE_REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  's3 GetObject': { action: 's3:GetObject', access: 'read', page: S3_PAGE, sid: 'MeshctlStateObjects', resources: (s) => [object(s)], dependent: [withKey('kms:Decrypt')] },
  's3 PutObject': { action: 's3:PutObject', access: 'write', page: S3_PAGE, sid: 'MeshctlStateObjects', resources: (s) => [object(s)], dependent: [withKey('kms:GenerateDataKey')] },
  's3 DeleteObject': { action: 's3:DeleteObject', access: 'write', page: S3_PAGE, sid: 'MeshctlStateObjects', resources: (s) => [object(s)] },
  's3 ListObjectsV2': {
    action: 's3:ListBucket', access: 'read', page: S3_PAGE, sid: 'MeshctlStateList', resources: (s) => [bucket(s)],
    condition: { key: 's3:prefix', values: (s) => [text(s.input.Prefix) ?? ''] },
  },
  's3 GetBucketVersioning': { action: 's3:GetBucketVersioning', access: 'read', page: S3_PAGE, sid: 'MeshctlStateBucketSettings', resources: (s) => [bucket(s)] },
  's3 GetBucketEncryption': { action: 's3:GetEncryptionConfiguration', access: 'read', page: S3_PAGE, sid: 'MeshctlStateBucketSettings', resources: (s) => [bucket(s)] },
};
