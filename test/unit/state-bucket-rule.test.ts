// Precheck's state-bucket rule: a missing bucket is an error; no versioning,
// no default encryption, or settings it could not read are warnings with the
// command that fixes them. Without an S3 state it says nothing.
import { describe, expect, it } from 'vitest';
import { stateBucket } from '../../src/core/checks/state-bucket.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import type { StateBucketFacts } from '../../src/core/state.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

const est = estate({ services: [] });
const check = (facts?: StateBucketFacts) => stateBucket.check(est, { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING, ...(facts && { stateBucket: facts }) });
const bucket = (over: Partial<StateBucketFacts> = {}): StateBucketFacts => ({ url: 's3://acme-state/shop', bucket: 'acme-state', exists: true, versioning: 'Enabled', encryption: 'aws:kms', ...over });

describe('state-bucket', () => {
  it('says nothing of a well-kept bucket, or when the state is not in S3', () => {
    expect(check(bucket())).toEqual([]);
    expect(check()).toEqual([]);
  });

  it('warns on no versioning and no default encryption, each with its fix', () => {
    const findings = check(bucket({ versioning: undefined, encryption: undefined }));
    expect(findings.map((f) => f.severity)).toEqual(['warning', 'warning']);
    expect(findings[0]!.message).toContain('the state bucket acme-state has no versioning (never enabled)');
    expect(findings[0]!.hint).toBe('aws s3api put-bucket-versioning --bucket acme-state --versioning-configuration Status=Enabled');
    expect(findings[1]!.message).toContain('has no default encryption');
    expect(findings[1]!.hint).toContain('aws s3api put-bucket-encryption --bucket acme-state');
    expect(check(bucket({ versioning: 'Suspended' }))[0]!.message).toContain('(suspended)');
  });

  it('an unreadable setting is a warning naming the permission, not a claim about the bucket', () => {
    const findings = check(bucket({ versioning: undefined, unreadable: ['s3:GetBucketVersioning (AccessDenied)'] }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('s3:GetBucketVersioning (AccessDenied)'), hint: expect.stringContaining('s3:GetBucketVersioning') });
  });

  it('a missing bucket is an error, reported by precheck as an estate finding', () => {
    const td = taskDefinition();
    const report = runPrecheck(estate({ services: [[service(td), td]] }), { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING, stateBucket: bucket({ exists: false }) });
    expect(report.findings.filter((f) => f.rule === 'state-bucket')).toEqual([expect.objectContaining({ severity: 'error', cluster: '', message: expect.stringContaining('the state bucket acme-state (s3://acme-state/shop) does not exist') })]);
  });
});
