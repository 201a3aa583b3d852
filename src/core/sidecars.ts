// Sidecar sizing for each target, per AWS's published guidance. Configurable
// through meshctl.yaml; these are the defaults.
import type { TaskDefinition } from './estate.js';
import { envoyContainer, taskReservation, type Resources } from './service-facts.js';

export type Target = 'appmesh' | 'service-connect';
export const TARGETS: readonly Target[] = ['appmesh', 'service-connect'];
/** App Mesh support ended on 2026-09-30: AWS's path forward is Service Connect. */
export const DEFAULT_TARGET: Target = 'service-connect';

export interface SidecarSizing {
  /** App Mesh: "we recommend 512 CPU units and at least 64 MiB" for Envoy. */
  envoy: Resources;
  /** The X-Ray daemon's documented task-definition example: cpu 32, memoryReservation 256. */
  xray: Resources;
  /** ECS Service Connect agent: 256 CPU units and 64 MiB added to the task. */
  serviceConnectAgent: Resources;
}

export const DEFAULT_SIDECAR_SIZING: SidecarSizing = {
  envoy: { cpu: 512, memory: 64 },
  xray: { cpu: 32, memory: 256 },
  serviceConnectAgent: { cpu: 256, memory: 64 },
};

export const ENVOY_CONTAINER = 'envoy';
export const XRAY_CONTAINER = 'xray-daemon';

export interface SidecarAddition extends Resources {
  /** Containers the rewrite adds to the task definition. */
  containers: number;
}

/** What moving to App Mesh adds to one task (nothing for what is already there). Service Connect sizing is in serviceconnect/sizing.ts. */
export function sidecarAddition(taskDefinition: TaskDefinition, sizing: SidecarSizing): SidecarAddition {
  const addition = { cpu: 0, memory: 0, containers: 0 };
  if (!envoyContainer(taskDefinition)) {
    addition.cpu += sizing.envoy.cpu;
    addition.memory += sizing.envoy.memory;
    addition.containers += 1;
  }
  if (!taskDefinition.containerDefinitions.some((c) => c.name === XRAY_CONTAINER)) {
    addition.cpu += sizing.xray.cpu;
    addition.memory += sizing.xray.memory;
    addition.containers += 1;
  }
  return addition;
}

/** What a task reserves now, and once App Mesh's sidecars are added (before any Fargate rounding). */
export function withAppMeshSidecars(taskDefinition: TaskDefinition, sizing: SidecarSizing): { current: Resources; grown: Resources } {
  const addition = sidecarAddition(taskDefinition, sizing);
  const current = taskReservation(taskDefinition);
  return { current, grown: { cpu: current.cpu + addition.cpu, memory: current.memory + addition.memory } };
}
