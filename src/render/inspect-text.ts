import chalk from 'chalk';
import type { InspectReport } from '../core/inspect.js';
import { ownerColumn } from '../core/owner.js';
import { table } from './table.js';

const MESH_COLOR: Record<string, (s: string) => string> = {
  none: chalk.dim,
  appmesh: chalk.yellow,
  'service-connect': chalk.green,
};

export function renderInspectText(report: InspectReport, source: string): string {
  const parts = [chalk.bold(`meshctl inspect · ${source}`), ''];
  if (report.clusters.length === 0) parts.push('No clusters found.');
  for (const cluster of report.clusters) {
    parts.push(chalk.bold(`cluster ${cluster.cluster}`) + chalk.dim(`${cluster.account ? ` · account ${cluster.account}` : ''} · ${cluster.services.length} service(s), ${cluster.containerInstances} container instance(s)`));
    if (cluster.services.length === 0) {
      parts.push('  no services', '');
      continue;
    }
    const rows = cluster.services.map((s) => [
      s.service,
      s.launchType,
      s.networkMode,
      s.taskDefinition,
      `${s.desired}/${s.running}`,
      `${s.cpu}/${s.memory}`,
      s.containers.join(','),
      (MESH_COLOR[s.mesh] ?? String)(s.mesh),
      s.owner ? chalk.cyan(ownerColumn(s.owner)) : chalk.dim('-'),
    ]);
    parts.push(table(['SERVICE', 'LAUNCH', 'NETWORK', 'TASK DEFINITION', 'DESIRED/RUNNING', 'CPU/MEMORY', 'CONTAINERS', 'MESH', 'OWNER'], rows)
      .split('\n').map((l) => `  ${l}`).join('\n'), '');
  }
  const meshes = report.appMeshMeshes.map((m) => `${m.name} (${m.virtualNodes} virtual nodes)`).join(', ');
  parts.push(chalk.dim(`awsvpcTrunking: ${report.awsvpcTrunking ? 'enabled' : 'disabled'} · App Mesh meshes: ${meshes || 'none'}`));
  return parts.join('\n');
}
