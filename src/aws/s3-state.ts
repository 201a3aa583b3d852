// The state in an S3 bucket, under a prefix: journals, saved plans and locks
// as objects, written with S3's conditional writes (Amazon S3 User Guide,
// "How to prevent object overwrites with conditional writes"): If-None-Match
// '*' creates only, If-Match writes or deletes only the version read. Every
// call goes through the run's caller, so the mutation guard refuses writes in
// dry runs and read-only commands, and the SDK retries throttling, 5xx and
// network errors.
import { StateConflictError, StateError, type StateBackend, type StateBucketFacts, type WriteCondition } from '../core/state.js';
import { AwsCallError, type AwsCaller } from './caller.js';

export interface S3StateOptions {
  bucket: string;
  prefix: string;
  /** SSE-KMS with this key for every object written; else the bucket's default encryption. */
  kmsKeyId?: string;
  lockTtlMs: number;
}

// A conditional write lost (412), raced another conditional write (409), or found no object for If-Match (404).
const LOST = /^(PreconditionFailed|ConditionalRequestConflict|NoSuchKey|NotFound)$/;

export function s3State(aws: AwsCaller, options: S3StateOptions): StateBackend {
  const { bucket, prefix } = options;
  const where = `s3://${bucket}/${prefix}`;
  const key = (name: string) => `${prefix}/${name}`;
  const noBucket = (error: unknown) => {
    if (error instanceof AwsCallError && error.code === 'NoSuchBucket') {
      return new StateError(`the state bucket ${bucket} does not exist (${where}): create it, with versioning and default encryption (README, "State for teams and CI"), or fix state: in meshctl.yaml / --state`);
    }
    return error;
  };
  const read = async (name: string) => {
    try {
      const out = await aws.call<{ Body?: string; ETag?: string }>('s3', 'GetObject', { Bucket: bucket, Key: key(name) });
      return { text: out.Body ?? '', etag: out.ETag ?? '' };
    } catch (error) {
      if (error instanceof AwsCallError && /^(NoSuchKey|NotFound)$/.test(error.code)) return undefined;
      throw noBucket(error);
    }
  };
  return {
    kind: 's3',
    where,
    lockTtlMs: options.lockTtlMs,
    locate: (name) => `${where}/${name}`,
    async list() {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const out = await aws.call<{ Contents?: { Key?: string }[]; NextContinuationToken?: string; IsTruncated?: boolean }>('s3', 'ListObjectsV2', {
          Bucket: bucket, Prefix: `${prefix}/`, Delimiter: '/', MaxKeys: 1000, ...(token && { ContinuationToken: token }),
        }).catch((error: unknown) => { throw noBucket(error); });
        names.push(...(out.Contents ?? []).map((o) => String(o.Key).slice(prefix.length + 1)));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return names.sort();
    },
    read,
    async write(name, text, condition?: WriteCondition) {
      try {
        const out = await aws.call<{ ETag?: string }>('s3', 'PutObject', {
          Bucket: bucket, Key: key(name), Body: text, ContentType: 'application/json',
          ...(condition && 'ifNoneMatch' in condition && { IfNoneMatch: '*' }),
          ...(condition && 'ifMatch' in condition && { IfMatch: condition.ifMatch }),
          ...(options.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId }),
        });
        return out.ETag ?? '';
      } catch (error) {
        if (!(condition && error instanceof AwsCallError && LOST.test(error.code))) throw noBucket(error);
        // An attempt the SDK retried may have landed before its answer was lost: then the object is ours.
        const current = await read(name);
        if (current && current.text === text) return current.etag;
        throw new StateConflictError(`${where}/${name}`, condition);
      }
    },
    readBucketSettings: () => readStateBucket(aws, bucket, where),
    async delete(name, ifMatch) {
      try {
        await aws.call('s3', 'DeleteObject', { Bucket: bucket, Key: key(name), ...(ifMatch && { IfMatch: ifMatch }) });
      } catch (error) {
        if (error instanceof AwsCallError && /^(NoSuchKey|NotFound)$/.test(error.code)) return;
        if (ifMatch && error instanceof AwsCallError && LOST.test(error.code)) throw new StateConflictError(`${where}/${name}`, { delete: ifMatch });
        throw noBucket(error);
      }
    },
  };
}

async function readStateBucket(aws: AwsCaller, bucket: string, url: string): Promise<StateBucketFacts> {
  const facts: StateBucketFacts = { url, bucket, exists: true };
  const unreadable: string[] = [];
  const attempt = async <T>(operation: string, use: (out: T) => void, none?: RegExp) => {
    try {
      use(await aws.call<T>('s3', operation, { Bucket: bucket }));
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      if (error.code === 'NoSuchBucket') facts.exists = false;
      else if (!none?.test(error.code)) unreadable.push(`s3:${operation} (${error.code})`);
    }
  };
  await Promise.all([
    attempt<{ Status?: string }>('GetBucketVersioning', (out) => { facts.versioning = out.Status; }),
    attempt<{ ServerSideEncryptionConfiguration?: { Rules?: { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }[] } }>('GetBucketEncryption', (out) => {
      facts.encryption = out.ServerSideEncryptionConfiguration?.Rules?.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    }, /ServerSideEncryptionConfigurationNotFound/),
  ]);
  return unreadable.length > 0 ? { ...facts, unreadable } : facts;
}
