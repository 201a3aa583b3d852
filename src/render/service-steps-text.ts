// A rollback or finalize plan as text: per service its revision and
// everything sent for it, then what stays behind. Steps print as in a
// migration plan.
import chalk from 'chalk';
import type { Plan } from '../core/plan/model.js';
import { renderStep } from './plan-text.js';
import { table } from './table.js';

const indent = (lines: string[], by: string) => lines.flatMap((l) => l.split('\n')).map((l) => (l ? by + l : l));

export function renderServiceStepsText(plan: Plan, source: string): string {
  const journal = plan.rollback?.journal ?? plan.finalize?.journal;
  const command = plan.finalize ? 'finalize' : 'rollback';
  const out = [chalk.bold(`meshctl ${command} · ${journal ? `journal ${journal}` : 'services named'} · ${source}`), chalk.dim(`fingerprint ${plan.fingerprint}`)];
  for (const note of plan.warnings ?? []) out.push(chalk.yellow(`! ${note}`));
  out.push('');
  const rows = plan.services.map((svc) => {
    const label = `${svc.cluster}/${svc.service}`;
    const steps = plan.steps.filter((s) => s.ecsService === label);
    const update = steps.find((s) => s.operation === 'UpdateService');
    const from = (update?.before as { taskDefinition?: string } | undefined)?.taskDefinition?.split('/').pop();
    return [label, from ? `${from} → ${svc.taskDefinition.split('/').pop()}` : `${svc.taskDefinition.split('/').pop()} (unchanged)`, steps.map((s) => s.operation).join(', ')];
  });
  if (rows.length > 0) out.push(table(['service', 'revision', 'operations'], rows), '');
  for (const svc of plan.services) {
    const label = `${svc.cluster}/${svc.service}`;
    out.push(chalk.bold(`${chalk.yellow('~')} ${label}`));
    for (const step of plan.steps.filter((s) => s.ecsService === label)) out.push(...indent(renderStep(step, undefined), '  '));
    for (const note of svc.notes ?? []) out.push(chalk.dim(`  ${note}`));
    out.push('');
  }
  const shared = plan.steps.filter((s) => !s.ecsService);
  if (shared.length > 0) {
    out.push(chalk.bold(plan.finalize ? 'App Mesh resources only the blue services used' : 'resources apply created'));
    for (const step of shared) out.push(...indent(renderStep(step, undefined), '  '));
    out.push('');
  }
  const kept = leftInPlaceLines(plan);
  if (kept.length > 0) out.push(...kept, '');
  const { update } = plan.summary;
  const deletes = plan.summary.delete;
  out.push(`${plan.finalize ? 'Finalize' : 'Rollback'}: ${chalk.yellow(`${update} to update`)}, ${deletes > 0 ? chalk.red(`${deletes} to delete`) : '0 to delete'}.`);
  return out.join('\n');
}

/** What a rollback keeps, said so nobody believes the account is as before meshctl. */
export function leftInPlaceLines(plan: Plan): string[] {
  const kept = plan.rollback?.leftInPlace ?? [];
  if (kept.length === 0) return [];
  return [chalk.yellow('left in place (apply created them; --remove-mesh-resources deletes them once no service of the journal uses them):'), ...kept.map((k) => chalk.yellow(`  - ${k}`))];
}
