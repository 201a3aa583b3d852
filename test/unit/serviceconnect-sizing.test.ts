// Service Connect's agent runs on what the task-level limits leave over the
// containers' limits, and task memory is a hard limit: a task without room
// for the agent grows by exactly what is missing (EC2 has no size steps to
// round to), and a task with room keeps its size.
import { describe, expect, it } from 'vitest';
import type { ContainerDefinition } from '../../src/core/estate.js';
import { sizeForServiceConnect } from '../../src/core/serviceconnect/sizing.js';
import { DEFAULT_SIDECAR_SIZING } from '../../src/core/sidecars.js';
import { container, taskDefinition } from '../support/estate-builder.js';

const ec2 = (cpu: string | undefined, memory: string | undefined, containers: Partial<ContainerDefinition>[]) => taskDefinition({
  requiresCompatibilities: ['EC2'], networkMode: 'awsvpc', cpu, memory, containerDefinitions: containers.map((c, i) => container({ name: `c${i}`, ...c })),
});
const size = (td: ReturnType<typeof ec2>, launch: 'EC2' | 'FARGATE' = 'EC2', agentPresent = false) =>
  sizeForServiceConnect(td, { launch, sizing: DEFAULT_SIDECAR_SIZING, keepXray: false, agentPresent });

describe('task size on Service Connect', () => {
  it('grows an EC2 task that has task-level memory but no room for the agent by exactly the missing MiB', () => {
    // 512 MiB task, containers hold 480: the agent's 64 MiB need 544.
    expect(size(ec2(undefined, '512', [{ memory: 480 }]))).toMatchObject({ memory: 544, cpu: undefined, after: { memory: 544 }, fitsInRoom: false });
    // Reservations count where there is no hard limit; two containers add up.
    expect(size(ec2(undefined, '1000', [{ memoryReservation: 700 }, { memory: 250 }])).memory).toBe(1014);
    // Room left over, however little, is used first: 500 + 64 fit in 600.
    expect(size(ec2(undefined, '600', [{ memory: 500 }])).memory).toBe(600);
  });

  it('grows EC2 task CPU the same way, where the task sets it', () => {
    expect(size(ec2('512', '2048', [{ cpu: 400, memory: 512 }]))).toMatchObject({ cpu: 656, memory: 2048 });
    expect(size(ec2('1024', '2048', [{ cpu: 400, memory: 512 }]))).toMatchObject({ cpu: 1024, memory: 2048, fitsInRoom: true });
  });

  it('keeps a task with room as it is, and adds nothing for an agent already there', () => {
    expect(size(ec2(undefined, '1024', [{ memory: 512 }]))).toMatchObject({ memory: 1024, fitsInRoom: true });
    expect(size(ec2(undefined, '512', [{ memory: 480 }]), 'EC2', true).memory).toBe(512);
  });

  it('rounds up to a valid Fargate size on Fargate only', () => {
    const fargate = taskDefinition({ cpu: '512', memory: '1024', containerDefinitions: [container({ cpu: 256, memory: 1000 })] });
    expect(size(fargate, 'FARGATE')).toMatchObject({ cpu: 512, memory: 2048 });
  });
});
