// service-connect-platform: Windows tasks and ECS Anywhere (EXTERNAL)
// services cannot join Service Connect (Amazon ECS Developer Guide, "Service
// Connect considerations"): a blocking error, in precheck and in the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { RULES } from '../../src/core/checks/index.js';
import { serviceConnectPlatform } from '../../src/core/checks/service-connect-platform.js';
import type { Service, TaskDefinition } from '../../src/core/estate.js';
import { runPrecheck } from '../../src/core/precheck.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, estate, service, taskDefinition } from '../support/estate-builder.js';

const windows = () => taskDefinition({ family: 'legacy-web', runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' }, containerDefinitions: [container({ memory: 512 })] });
const shop = (td: TaskDefinition, svc: Partial<Service> = {}) => estate({ services: [[service(td, { serviceRegistries: [], ...svc }), td]] });
const findings = (td: TaskDefinition, svc: Partial<Service> = {}, target: 'service-connect' | 'appmesh' = 'service-connect') =>
  runPrecheck(shop(td, svc), { target, sizing: DEFAULT_SIDECAR_SIZING }).findings.filter((f) => f.rule === 'service-connect-platform');

describe('service-connect-platform', () => {
  it('blocks a Windows task, in AWS\'s words', () => {
    expect(findings(windows())).toEqual([expect.objectContaining({
      severity: 'error', blocking: true, cluster: 'c', service: 'legacy-web',
      message: 'c/legacy-web: task definition legacy-web:1 runs Windows containers (WINDOWS_SERVER_2022_CORE); Windows containers aren\'t supported with Service Connect',
      hint: expect.stringContaining('exclude.services in meshctl.yaml'),
    })]);
  });

  it('blocks a service on EXTERNAL container instances (ECS Anywhere)', () => {
    expect(findings(taskDefinition({ family: 'edge', requiresCompatibilities: ['EXTERNAL'] }), { launchType: 'EXTERNAL' })).toEqual([expect.objectContaining({
      severity: 'error', blocking: true,
      message: expect.stringContaining('external container instances for Amazon ECS Anywhere aren\'t supported with Service Connect'),
    })]);
  });

  it('passes Linux tasks on Fargate and EC2, and does not run for App Mesh', () => {
    expect(findings(taskDefinition({ runtimePlatform: { operatingSystemFamily: 'LINUX' } }))).toEqual([]);
    expect(findings(taskDefinition({ requiresCompatibilities: ['EC2'] }), { launchType: 'EC2' })).toEqual([]);
    expect(findings(windows(), {}, 'appmesh')).toEqual([]);
  });

  it('keeps the service out of a Service Connect plan', () => {
    const p = planServiceConnect({ estate: shop(windows()), config: parseConfig({ cloudMap: { namespace: 'shop.local' } }, 'test'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: 'now', strategy: 'blue-green', removeMeshResources: false });
    expect(p.steps.filter((s) => s.ecsService === 'c/legacy-web')).toEqual([]);
    expect(p.blocked).toEqual([expect.objectContaining({ service: 'legacy-web', findings: [expect.objectContaining({ rule: 'service-connect-platform' })] })]);
  });

  it('is registered and listed in the README\'s rule table', () => {
    expect(RULES).toContain(serviceConnectPlatform);
    expect(readFileSync('README.md', 'utf8')).toMatch(/^\| `service-connect-platform` \| .*Windows.*EXTERNAL/m);
  });
});
