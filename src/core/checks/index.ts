// Every precheck rule, in the order findings are reported.
import { agentVersion } from './agent-version.js';
import { appmeshEndOfSupport } from './appmesh-end-of-support.js';
import { containerLimit } from './container-limit.js';
import { crossVpcReachability } from './cross-vpc-reachability.js';
import { cpuMemoryHeadroom } from './cpu-memory-headroom.js';
import { dbEgressPorts } from './db-egress-ports.js';
import { deploymentController } from './deployment-controller.js';
import { deploymentInProgress } from './deployment-in-progress.js';
import { ecsManagedCutover } from './ecs-managed-cutover.js';
import { eniCapacity } from './eni-capacity.js';
import { iacOwner } from './iac-owner.js';
import { networkModeRule } from './network-mode.js';
import { observedUsage } from './observed-usage.js';
import { platformVersion } from './platform-version.js';
import { proxyPortConflict } from './proxy-port-conflict.js';
import { proxyUidConflict } from './proxy-uid-conflict.js';
import type { Rule } from './rule.js';
import { serverOutsideSelection } from './server-outside-selection.js';
import { serviceConnectPlatform } from './service-connect-platform.js';
import { serviceDiscovery } from './service-discovery.js';
import { stateBucket } from './state-bucket.js';
import { taskMemory } from './task-memory.js';
import { taskRole } from './task-role.js';

export const RULES: readonly Rule[] = [
  appmeshEndOfSupport,
  networkModeRule,
  serviceConnectPlatform,
  deploymentController,
  deploymentInProgress,
  ecsManagedCutover,
  observedUsage,
  taskMemory,
  taskRole,
  cpuMemoryHeadroom,
  eniCapacity,
  containerLimit,
  proxyUidConflict,
  proxyPortConflict,
  platformVersion,
  agentVersion,
  dbEgressPorts,
  serviceDiscovery,
  serverOutsideSelection,
  crossVpcReachability,
  stateBucket,
  iacOwner,
];
