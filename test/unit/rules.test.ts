import { describe, expect, it } from 'vitest';
import { agentVersion } from '../../src/core/checks/agent-version.js';
import { appmeshEndOfSupport } from '../../src/core/checks/appmesh-end-of-support.js';
import { containerLimit } from '../../src/core/checks/container-limit.js';
import { cpuMemoryHeadroom } from '../../src/core/checks/cpu-memory-headroom.js';
import { dbEgressPorts } from '../../src/core/checks/db-egress-ports.js';
import { deploymentController } from '../../src/core/checks/deployment-controller.js';
import { deploymentInProgress } from '../../src/core/checks/deployment-in-progress.js';
import { eniCapacity } from '../../src/core/checks/eni-capacity.js';
import { RULES } from '../../src/core/checks/index.js';
import { networkModeRule } from '../../src/core/checks/network-mode.js';
import { platformVersion } from '../../src/core/checks/platform-version.js';
import { proxyPortConflict } from '../../src/core/checks/proxy-port-conflict.js';
import { proxyUidConflict } from '../../src/core/checks/proxy-uid-conflict.js';
import type { RuleFinding, ServiceRule } from '../../src/core/checks/rule.js';
import { serviceDiscovery } from '../../src/core/checks/service-discovery.js';
import { taskMemory } from '../../src/core/checks/task-memory.js';
import { taskRole } from '../../src/core/checks/task-role.js';
import { parseConfig } from '../../src/config/config.js';
import { planServiceConnect } from '../../src/core/serviceconnect/plan.js';
import { planAppMesh } from '../../src/core/appmesh/plan.js';
import type { Estate, Service, TaskDefinition } from '../../src/core/estate.js';
import { DEFAULT_SIDECAR_SIZING, type Target } from '../../src/core/sidecars.js';
import { container, estate, instance, service, taskDefinition } from '../support/estate-builder.js';

function run(rule: ServiceRule, est: Estate, target: Target = 'appmesh'): RuleFinding[] {
  const cluster = est.clusters[0]!;
  const svc = cluster.services[0]!;
  return rule.check({ estate: est, cluster, service: svc, taskDefinition: est.taskDefinitions[svc.taskDefinitionArn]!, target, sizing: DEFAULT_SIDECAR_SIZING });
}

function one(td: TaskDefinition, svc: Partial<Service> = {}, rest: Omit<Parameters<typeof estate>[0], 'services'> = {}): Estate {
  return estate({ services: [[service(td, svc), td]], ...rest });
}

const ec2Td = (overrides: Partial<TaskDefinition> = {}) => taskDefinition({ requiresCompatibilities: ['EC2'], cpu: '1024', memory: '1024', ...overrides });

describe('rule registry', () => {
  it('gives every rule a unique stable id', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([
      'cpu-memory-headroom', 'eni-capacity', 'db-egress-ports', 'network-mode', 'container-limit', 'proxy-uid-conflict',
      'proxy-port-conflict', 'deployment-controller', 'platform-version', 'agent-version', 'service-discovery', 'appmesh-end-of-support',
    ]));
  });
});

describe('cpu-memory-headroom', () => {
  it('reports the smallest valid Fargate size for the grown task', () => {
    const [f] = run(cpuMemoryHeadroom, one(taskDefinition({ cpu: '256', memory: '512' })));
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain('256 CPU / 512 MiB to 800 CPU / 832 MiB');
    expect(f!.message).toContain('1024 CPU / 2048 MiB');
  });

  it('is an error when the grown Fargate task exceeds the largest size', () => {
    const [f] = run(cpuMemoryHeadroom, one(taskDefinition({ cpu: '16384', memory: '65536' })));
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('beyond Fargate\'s largest size');
  });

  it('uses the Service Connect agent sizing for that target when the containers claim the whole task', () => {
    const [f] = run(cpuMemoryHeadroom, one(taskDefinition({ cpu: '256', memory: '512', containerDefinitions: [container({ cpu: 256, memory: 512 })] })), 'service-connect');
    expect(f!.message).toContain('to 512 CPU / 1024 MiB');
    expect(f!.message).toContain('the plan sizes it at 512 CPU / 1024 MiB');
    expect(f!.hint).toContain('500 requests per second');
  });

  it('does not grow a task whose limits leave room for the agent (AWS: it uses unallocated CPU and memory)', () => {
    const [f] = run(cpuMemoryHeadroom, one(taskDefinition({ cpu: '1024', memory: '2048', containerDefinitions: [container({ cpu: 512, memory: 1024 })] })), 'service-connect');
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain('keeps the task at 1024 CPU / 2048 MiB');
  });

  it('sizes a service leaving App Mesh as the plan does: Envoy and X-Ray make the room, nothing grows', () => {
    const td = taskDefinition({ cpu: '1024', memory: '2048', containerDefinitions: [
      container({ cpu: 256, memory: 512 }),
      container({ name: 'envoy', cpu: 512, memory: 64, environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualNode/n' }] }),
      container({ name: 'xray-daemon', cpu: 32, memoryReservation: 256 }),
    ] });
    const [f] = run(cpuMemoryHeadroom, one(td), 'service-connect');
    expect(f!.message).toContain('keeps the task at 1024 CPU / 2048 MiB');
    const e = one(td);
    const p = planServiceConnect({ estate: e, config: parseConfig({ cloudMap: { namespace: 'ns' } }, 't'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: 'now', strategy: 'in-place', removeMeshResources: false });
    const register = p.steps.find((s) => s.operation === 'RegisterTaskDefinition')!;
    expect([register.input.cpu, register.input.memory]).toEqual(['1024', '2048']);
  });

  it('warns that a namespace above 100 services needs 128 MiB more per task', () => {
    const tds = Array.from({ length: 101 }, (_, i) => taskDefinition({ family: `s${i}`, containerDefinitions: [container({ cpu: 128, memory: 256 })] }));
    const est = estate({ services: tds.map((td) => [service(td), td]) });
    const findings = run(cpuMemoryHeadroom, est, 'service-connect');
    expect(findings.some((f) => f.severity === 'warning' && f.hint.includes('add 128 MiB per task'))).toBe(true);
  });

  it('adds nothing to a task that already has Envoy and X-Ray', () => {
    const td = taskDefinition({
      containerDefinitions: [container(), container({ name: 'envoy', environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn' }] }), container({ name: 'xray-daemon' })],
    });
    expect(run(cpuMemoryHeadroom, one(td))).toEqual([]);
  });

  it('passes on EC2 when the instances hold the surge and the grown tasks', () => {
    const est = one(ec2Td(), { launchType: 'EC2' }, { cluster: { containerInstances: [instance({ remaining: { cpu: 4096, memory: 4096 } })] } });
    expect(run(cpuMemoryHeadroom, est)).toEqual([]);
  });

  it('is an error on EC2 when no instance has room for one grown task during the surge', () => {
    const est = one(ec2Td(), { launchType: 'EC2' }, { cluster: { containerInstances: [instance({ remaining: { cpu: 1500, memory: 4096 } })] } });
    const findings = run(cpuMemoryHeadroom, est);
    expect(findings.some((f) => f.severity === 'error' && f.message.includes('room for 0'))).toBe(true);
  });

  it('is an error on EC2 when the grown tasks do not fit once the rollout is done', () => {
    // 2 tasks of 1024 → 1568 CPU: 3136 needed, 2048 released + 500 free.
    const est = one(ec2Td(), { launchType: 'EC2', maximumPercent: 100, minimumHealthyPercent: 50 }, {
      cluster: { containerInstances: [instance({ remaining: { cpu: 500, memory: 4096 } })] },
    });
    const findings = run(cpuMemoryHeadroom, est);
    expect(findings.map((f) => f.severity)).toContain('error');
    expect(findings[0]!.message).toContain('need 3136 CPU');
  });
});

describe('eni-capacity', () => {
  const ec2Cluster = (instances: number, tasksPerInstance: number, trunked = false) => {
    const containerInstances = Array.from({ length: instances }, () => instance({ trunked, instanceType: trunked ? 'm5.large' : 't3.medium' }));
    const tasks = containerInstances.flatMap((ci, i) => Array.from({ length: tasksPerInstance }, (_, j) => ({
      arn: `task-${i}-${j}`, taskDefinitionArn: 'td', containerInstanceArn: ci.arn, usesEni: true, group: 'family:batch',
    })));
    return { containerInstances, tasks };
  };

  it('is an error when the surge needs more task ENIs than t3.medium instances offer', () => {
    const [f] = run(eniCapacity, one(ec2Td(), { launchType: 'EC2' }, { cluster: ec2Cluster(2, 2) }));
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('needs 8 task ENIs (2 for the desired count of 1 awsvpc service(s) + 4 other task(s) + 2 surge');
    expect(f!.message).toContain('3 ENIs − 1 primary = 2 each');
    expect(f!.hint).toContain('awsvpcTrunking');
  });

  it('counts trunk ENIs on trunked instances', () => {
    const [f] = run(eniCapacity, one(ec2Td(), { launchType: 'EC2' }, { cluster: ec2Cluster(2, 2, true), trunking: true }));
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain('peaks at 8 of 20');
  });

  it('counts a service at its desired count, placed or not', () => {
    const td = ec2Td();
    const [f] = run(eniCapacity, one(td, { launchType: 'EC2', desiredCount: 4, runningCount: 0 }, { cluster: ec2Cluster(2, 0) }));
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('needs 8 task ENIs (4 for the desired count of 1 awsvpc service(s) + 4 surge');
  });

  it('takes trunk limits by instance type from AWS\'s table: mac2.metal is 12, not 120', () => {
    const cluster = ec2Cluster(1, 0, true);
    cluster.containerInstances[0]!.instanceType = 'mac2.metal';
    const est = one(ec2Td(), { launchType: 'EC2' }, { cluster, trunking: true });
    est.instanceTypes['mac2.metal'] = { name: 'mac2.metal', maxNetworkInterfaces: 8, vcpus: 12, memoryMiB: 32768 };
    const [f] = run(eniCapacity, est);
    expect(f!.message).toContain('of 12 task ENIs');
  });

  it('warns rather than guesses for a trunked type missing from the table', () => {
    const cluster = ec2Cluster(1, 0, true);
    cluster.containerInstances[0]!.instanceType = 'z9.huge';
    const est = one(ec2Td(), { launchType: 'EC2' }, { cluster, trunking: true });
    est.instanceTypes['z9.huge'] = { name: 'z9.huge', maxNetworkInterfaces: 8, vcpus: 12, memoryMiB: 32768 };
    const [f] = run(eniCapacity, est);
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('not in AWS\'s ENI trunking table');
  });

  it('does not apply to Fargate', () => {
    expect(run(eniCapacity, one(taskDefinition()))).toEqual([]);
  });
});

describe('db-egress-ports', () => {
  it('reports the ports found as EgressIgnoredPorts', () => {
    const td = taskDefinition({ containerDefinitions: [container({ environment: [
      { name: 'DATABASE_URL', value: 'postgres://u:p@db.cluster-x.us-east-1.rds.amazonaws.com:5432/app' },
      { name: 'REDIS_URL', value: 'redis://cache.x.0001.use1.cache.amazonaws.com' },
    ] })] });
    const [f] = run(dbEgressPorts, one(td));
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain('EgressIgnoredPorts will be 5432,6379');
  });

  it('warns when a database host has no port that can be worked out', () => {
    const td = taskDefinition({ containerDefinitions: [container({ environment: [{ name: 'LEDGER_DB_HOST', value: 'ledger.cluster-x.us-east-1.rds.amazonaws.com' }] })] });
    const findings = run(dbEgressPorts, one(td));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.message).toContain('LEDGER_DB_HOST');
  });

  it('is an error beyond the 15 ports EgressIgnoredPorts holds', () => {
    const environment = Array.from({ length: 16 }, (_, i) => ({ name: `DB${i}_PORT`, value: String(5000 + i) }));
    const [f] = run(dbEgressPorts, one(taskDefinition({ containerDefinitions: [container({ environment })] })));
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('16 database/cache ports');
  });

  it('finds nothing in a task without databases', () => {
    expect(run(dbEgressPorts, one(taskDefinition()))).toEqual([]);
  });

  it('does not apply to Service Connect, and says why', () => {
    expect(dbEgressPorts.targets).not.toContain('service-connect');
    expect(dbEgressPorts.notApplicable?.['service-connect']).toMatch(/own client aliases/);
  });
});

describe('network-mode', () => {
  it('is an error for bridge networking on App Mesh', () => {
    const [f] = run(networkModeRule, one(ec2Td({ networkMode: 'bridge' }), { launchType: 'EC2' }));
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('bridge networking');
  });

  it('accepts bridge on Service Connect and awsvpc everywhere', () => {
    expect(run(networkModeRule, one(ec2Td({ networkMode: 'bridge' }), { launchType: 'EC2' }), 'service-connect')).toEqual([]);
    expect(run(networkModeRule, one(taskDefinition()))).toEqual([]);
  });

  it('is an error for host networking', () => {
    expect(run(networkModeRule, one(ec2Td({ networkMode: 'host' }), { launchType: 'EC2' }), 'service-connect')[0]!.severity).toBe('error');
  });
});

describe('container-limit', () => {
  it('is an error when the sidecars push a task past 10 containers', () => {
    const td = taskDefinition({ containerDefinitions: Array.from({ length: 9 }, (_, i) => container({ name: `c${i}` })) });
    const [f] = run(containerLimit, one(td));
    expect(f!.message).toContain('9 containers plus the sidecars make 11');
  });

  it('passes at 8 containers plus two sidecars', () => {
    const td = taskDefinition({ containerDefinitions: Array.from({ length: 8 }, (_, i) => container({ name: `c${i}` })) });
    expect(run(containerLimit, one(td))).toEqual([]);
  });
});

describe('proxy-uid-conflict and proxy-port-conflict', () => {
  it('flags an app container running as UID 1337', () => {
    const [f] = run(proxyUidConflict, one(taskDefinition({ containerDefinitions: [container({ user: '1337:1337' })] })));
    expect(f!.message).toContain('runs as user 1337:1337');
  });

  it('passes other users', () => {
    expect(run(proxyUidConflict, one(taskDefinition({ containerDefinitions: [container({ user: '1000' })] })))).toEqual([]);
  });

  it('flags an app container on Envoy\'s ports', () => {
    const td = taskDefinition({ containerDefinitions: [container({ portMappings: [{ containerPort: 15000 }] }), container({ name: 'admin', portMappings: [{ containerPort: 9901 }] })] });
    expect(run(proxyPortConflict, one(td)).map((f) => f.message)).toEqual([
      expect.stringContaining('port 15000'), expect.stringContaining('port 9901'),
    ]);
  });

  it('passes ordinary ports', () => {
    expect(run(proxyPortConflict, one(taskDefinition()))).toEqual([]);
  });
});

describe('deployment-controller', () => {
  it('is an error for CODE_DEPLOY and EXTERNAL', () => {
    expect(run(deploymentController, one(taskDefinition(), { deploymentController: 'CODE_DEPLOY' }))[0]!.hint).toContain('CodeDeploy');
    expect(run(deploymentController, one(taskDefinition(), { deploymentController: 'EXTERNAL' }))[0]!.severity).toBe('error');
  });

  it('passes ECS', () => {
    expect(run(deploymentController, one(taskDefinition()))).toEqual([]);
  });
});

describe('platform-version', () => {
  it('needs 1.4.0 for Service Connect and 1.3.0 for App Mesh', () => {
    const est = one(taskDefinition(), { platformVersion: '1.3.0' });
    expect(run(platformVersion, est, 'appmesh')).toEqual([]);
    expect(run(platformVersion, est, 'service-connect')[0]!.message).toContain('1.3.0 is older than 1.4.0');
  });

  it('passes LATEST', () => {
    expect(run(platformVersion, one(taskDefinition(), { platformVersion: 'LATEST' }), 'service-connect')).toEqual([]);
  });
});

describe('agent-version', () => {
  const ec2 = (agent: string) => one(ec2Td(), { launchType: 'EC2' }, { cluster: { containerInstances: [instance({ agentVersion: agent })] } });

  it('is an error for agents older than the target needs', () => {
    expect(run(agentVersion, ec2('1.25.0'))[0]!.message).toContain('older than 1.26.0');
    expect(run(agentVersion, ec2('1.60.0'), 'service-connect')[0]!.message).toContain('older than 1.67.2');
  });

  it('passes current agents', () => {
    expect(run(agentVersion, ec2('1.67.2'), 'service-connect')).toEqual([]);
  });
});

describe('service-discovery', () => {
  it('warns when the service has no Cloud Map registry', () => {
    expect(run(serviceDiscovery, one(taskDefinition(), { serviceRegistries: [] }))[0]!.severity).toBe('warning');
  });

  it('passes with a known registry', () => {
    expect(run(serviceDiscovery, one(taskDefinition()))).toEqual([]);
  });
});

describe('appmesh-end-of-support', () => {
  it('warns, never errors, when targeting App Mesh', () => {
    const [f] = appmeshEndOfSupport.check(one(taskDefinition()), { target: 'appmesh', sizing: DEFAULT_SIDECAR_SIZING });
    expect(f!.severity).toBe('warning');
    expect(f!.hint).toContain('--target service-connect');
  });

  it('lists services still on App Mesh when targeting Service Connect', () => {
    const meshed = taskDefinition({ containerDefinitions: [container(), container({ name: 'envoy', environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn' }] })] });
    const [f] = appmeshEndOfSupport.check(one(meshed, { name: 'orders' }), { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING });
    expect(f!.message).toContain('c/orders');
    expect(appmeshEndOfSupport.check(one(taskDefinition()), { target: 'service-connect', sizing: DEFAULT_SIDECAR_SIZING })).toEqual([]);
  });
});

describe('db-egress-ports counts configured ports as the plan does', () => {
  it('is a blocking error when found plus configured ports pass 15, and the App Mesh plan blocks the same service', () => {
    const td = taskDefinition({ containerDefinitions: [container({ environment: [{ name: 'DATABASE_URL', value: 'postgres://db.cluster-x.us-east-1.rds.amazonaws.com:5432/app' }] })] });
    const est = one(td);
    const configured = Array.from({ length: 15 }, (_, i) => 6000 + i);
    const cluster = est.clusters[0]!;
    const [f] = dbEgressPorts.check({ estate: est, cluster, service: cluster.services[0]!, taskDefinition: td, target: 'appmesh', sizing: DEFAULT_SIDECAR_SIZING, configuredEgressPorts: () => configured });
    expect(f).toMatchObject({ severity: 'error', blocking: true });
    expect(f!.message).toContain('16 egress-ignored ports (1 database/cache ports found, 15 configured');
    const p = planAppMesh({ estate: est, config: parseConfig({ cloudMap: { namespace: 'ns' }, services: { [cluster.services[0]!.name]: { egressIgnoredPorts: configured } } }, 't'), specs: { virtualNodes: {}, virtualServices: {}, virtualRouters: {}, routes: {} }, createdAt: 'now' });
    expect(p.blocked[0]!.findings.map((x) => x.rule)).toContain('db-egress-ports');
  });
});

describe('task-memory', () => {
  it('sets task memory for an EC2 task without it from its containers plus the agent', () => {
    const td = ec2Td({ memory: undefined, containerDefinitions: [container({ memory: 512 }), container({ name: 'side', memory: 128 })] });
    const [f] = run(taskMemory, one(td, { launchType: 'EC2' }), 'service-connect');
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain('sets it to 704 MiB');
  });

  it('warns that the new limit is hard when a container only reserves memory (it may burst past it today)', () => {
    const td = ec2Td({ memory: undefined, containerDefinitions: [container({ memory: 512 }), container({ name: 'side', memoryReservation: 128 })] });
    const [f] = run(taskMemory, one(td, { launchType: 'EC2' }), 'service-connect');
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('the plan sets 704 MiB');
    expect(f!.message).toContain('side set only a reservation');
  });

  it('blocks an EC2 task whose memory cannot be worked out', () => {
    const td = ec2Td({ memory: undefined, containerDefinitions: [container({ memory: 512 }), container({ name: 'side' })] });
    const [f] = run(taskMemory, one(td, { launchType: 'EC2' }), 'service-connect');
    expect(f).toMatchObject({ severity: 'error', blocking: true });
    expect(f!.message).toContain('container(s) side set no memory');
  });
});

describe('task-role', () => {
  it('is an error for an App Mesh Fargate task without a task role, and silent with one', () => {
    const [f] = run(taskRole, one(taskDefinition({ taskRoleArn: undefined })));
    expect(f).toMatchObject({ severity: 'error', blocking: true });
    expect(f!.message).toContain('no task role');
    expect(run(taskRole, one(taskDefinition()))).toEqual([]);
  });
});

describe('platform-version for large App Mesh tasks', () => {
  it('needs 1.4.0 when Envoy and X-Ray grow a Fargate task to 8 vCPU', () => {
    const td = taskDefinition({ cpu: '4096', memory: '16384', containerDefinitions: [container({ cpu: 4096, memory: 16384 })] });
    const [f] = run(platformVersion, one(td, { platformVersion: '1.3.0' }));
    expect(f!.message).toContain('grows to 8 vCPU');
    expect(run(platformVersion, one(td, { platformVersion: '1.4.0' }))).toEqual([]);
  });
});

describe('deployment-in-progress', () => {
  const deployment = (status: string, rolloutState: string, taskDefinition = 'arn:aws:ecs:us-east-1:1:task-definition/x:2') => ({ id: `d-${status}`, status, taskDefinition, desiredCount: 2, runningCount: 1, rolloutState });
  it('warns while a rollout runs or an older deployment drains, and is silent on a steady service', () => {
    const td = taskDefinition();
    const [f] = run(deploymentInProgress, one(td, { deployments: [deployment('PRIMARY', 'IN_PROGRESS'), deployment('ACTIVE', 'COMPLETED')] }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.message).toContain('x:2, IN_PROGRESS, 1 older deployment(s) still draining');
    expect(run(deploymentInProgress, one(td, { deployments: [deployment('PRIMARY', 'COMPLETED')] }))).toEqual([]);
  });
});
