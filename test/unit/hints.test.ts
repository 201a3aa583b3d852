// Hints send people to what exists: the task-role hint names the permission
// Envoy needs and says whose it is, and points at `meshctl iam-policy` only
// if that policy prints it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import { iamPolicy } from '../../src/core/iam-policy.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { estate, service, taskDefinition } from '../support/estate-builder.js';

describe('the task-role hint', () => {
  it('names Envoy\'s permission and says plainly it is the task role\'s own, unless meshctl iam-policy prints it', () => {
    const td = taskDefinition({ family: 'web', taskRoleArn: undefined });
    const est = estate({ services: [[service(td), td]] });
    const finding = runPrecheck(est, { target: 'appmesh', sizing: DEFAULT_SIDECAR_SIZING }).findings.find((f) => f.rule === 'task-role')!;
    expect(finding.hint).toContain('appmesh:StreamAggregatedResources');
    const withRole = taskDefinition({ family: 'web' });
    const planned = planAppMesh({ estate: estate({ services: [[service(withRole), withRole]] }), config: parseConfig({ target: 'appmesh', cloudMap: { namespace: 'ns', vpc: 'vpc-1' } }, 't'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: 'now' });
    const printed = JSON.stringify(iamPolicy(planned)).includes('appmesh:StreamAggregatedResources');
    if (printed) expect(finding.hint).toContain('meshctl iam-policy');
    else {
      expect(finding.hint).toContain('the task role\'s own permission');
      expect(finding.hint).not.toMatch(/iam-policy prints it/);
    }
  });
});
