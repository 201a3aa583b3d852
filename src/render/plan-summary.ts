// The facts a reviewer of a large plan needs first: one row per service with
// what happens to it, its task size before → after (and the observed peak it
// must hold), the Fargate cost change
// a month, whether apply will refuse it without --force, and when it moves.
import chalk from 'chalk';
import { FARGATE_PRICES_AS_OF, fargateMonthlyCost, HOURS_PER_MONTH, unpriced } from '../core/fargate-prices.js';
import type { Plan, PlannedService } from '../core/plan/model.js';
import type { Resources } from '../core/service-facts.js';
import { fittedTable } from './table.js';

interface SizedInput {
  cpu?: string;
  memory?: string;
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
}

const size = (td: SizedInput | undefined): Resources | undefined =>
  td?.cpu && td.memory ? { cpu: Number(td.cpu), memory: Number(td.memory) } : undefined;
/** Task-level CPU/MiB; a dash where the task sets none (EC2 tasks sized by their containers). */
const fmt = (td: SizedInput | undefined) => `${td?.cpu ?? '-'}/${td?.memory ?? '-'}`;
const dollars = (n: number) => `${n < 0 ? '-' : '+'}$${Math.abs(n).toFixed(2)}`;
/** The busiest task's CPU units/MiB in CloudWatch, which the sizes hold; nothing when usage was not read. */
const peak = (svc: PlannedService) => {
  const usage = svc.usage;
  if (!usage) return '';
  const requests = usage.requestsPerSecond === undefined ? '' : `, ${usage.requestsPerSecond} req/s`;
  if (usage.missing && !requests) return ' (no usage data)';
  return ` (peak ${usage.cpuUnits ?? '-'}/${usage.memoryMiB ?? '-'}${requests})`;
};

function action(plan: Plan, svc: PlannedService): string {
  if (svc.status === 'unchanged') return 'none';
  if (svc.status === 'held') return 'held for its owner';
  if (svc.serviceConnect?.greenService) return `green ${svc.serviceConnect.greenService}`;
  if (svc.serviceConnect?.strategy.startsWith('ecs-')) return `${svc.serviceConnect.strategy} (keeps name)`;
  return plan.target === 'service-connect' ? 'update in place' : 'join the mesh';
}

/** When it moves: after the servers the plan moves first, and the servers outside the plan that should move before it. */
function orderNote(rollout: NonNullable<PlannedService['rollout']>): string {
  const notes = [
    ...(rollout.after.length > 0 ? [`after ${rollout.after.join(', ')}`] : []),
    ...(rollout.outside?.length ? [`after ${rollout.outside.map((o) => o.server).join(', ')}, outside this plan`] : []),
  ];
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** Left out first when the terminal is narrow: what --output json and a wider terminal still show. */
const DROPPABLE = ['Fargate $/month', 'task CPU/MiB', 'action'];

/** `taskDefinitionsBefore`: the source revisions' registration inputs, by ARN; `columns`: the terminal's width, if any. */
export function renderPlanSummary(plan: Plan, taskDefinitionsBefore: Record<string, unknown>, columns?: number): string {
  let total = 0;
  let priced = false;
  const notInEstimate = new Map<string, { why: string; labels: string[] }>();
  const rows = plan.services.map((svc) => {
    const label = `${svc.cluster}/${svc.service}`;
    const register = [...plan.steps, ...plan.held?.steps ?? []].find((s) => s.ecsService === label && s.operation === 'RegisterTaskDefinition');
    // A move that registers nothing (Service Connect config only) keeps the revision the service runs.
    const source = register?.sourceTaskDefinition ?? Object.keys(taskDefinitionsBefore).find((arn) => arn.endsWith(`/${svc.taskDefinition}`));
    const beforeTd = source ? taskDefinitionsBefore[source] as SizedInput | undefined : undefined;
    const before = size(beforeTd);
    const after = register ? size(register.input as SizedInput) : before;
    let cost = '';
    const notPriced = svc.launch === 'FARGATE' ? unpriced(svc.capacityProviders, beforeTd?.runtimePlatform?.operatingSystemFamily) : undefined;
    if (notPriced) {
      cost = `not estimated (${notPriced.what})`;
      const group = notInEstimate.get(notPriced.what) ?? { why: notPriced.why, labels: [] };
      notInEstimate.set(notPriced.what, { ...group, labels: [...group.labels, label] });
    } else if (svc.launch === 'FARGATE' && before && after && svc.desiredCount !== undefined) {
      const arch = beforeTd?.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'ARM64' : 'X86_64';
      const was = fargateMonthlyCost(plan.region, arch, before, svc.desiredCount);
      const will = fargateMonthlyCost(plan.region, arch, after, svc.desiredCount);
      // A green twin runs beside the blue service until the cut-over: the whole green cost is added.
      const change = was === undefined || will === undefined ? undefined : svc.serviceConnect?.greenService && svc.status === 'change' ? will : will - was;
      if (change !== undefined) {
        priced = true;
        total += change;
        cost = dollars(change);
      } else cost = 'no prices';
    } else if (svc.launch && svc.launch !== 'FARGATE') cost = svc.launch;
    const refused = svc.status === 'held' ? [] : svc.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    return [
      label, action(plan, svc), `${fmt(beforeTd)} → ${fmt(register ? register.input as SizedInput : beforeTd)}${peak(svc)}`, cost,
      refused.length > 0 ? chalk.red(refused.join(', ')) : '',
      svc.rollout ? `${svc.rollout.position}${orderNote(svc.rollout)}` : '',
    ];
  });
  const fitted = fittedTable(['service', 'action', 'task CPU/MiB', 'Fargate $/month', 'refused without --force', 'order'], rows, columns, DROPPABLE);
  const lines = [fitted.text];
  if (fitted.dropped.length > 0) lines.push(chalk.dim(`(${fitted.dropped.join(', ')} left out to fit ${columns} columns: widen the terminal, or see --output json)`));
  const window = plan.services.find((svc) => svc.usage)?.usage?.window;
  if (window && !fitted.dropped.includes('task CPU/MiB')) lines.push(chalk.dim(`peak: the busiest task's CPU units/MiB (and requests per second behind an ALB) in CloudWatch over the last ${window}; Service Connect's task memory is sized to hold it. No usage data: sized from the task definition alone.`));
  if (priced) lines.push(chalk.dim(`Fargate estimate: desired count × ${HOURS_PER_MONTH} h at ${plan.region} Linux on-demand prices of ${FARGATE_PRICES_AS_OF}; total ${dollars(total)} a month (green twins count in full until the blue services are removed).`));
  if (notInEstimate.size > 0) {
    lines.push(chalk.dim(`Not in the estimate: ${[...notInEstimate].map(([what, { why, labels }]) => `${what} (${labels.join(', ')}): ${why}`).join('; ')}.`));
  }
  return lines.join('\n');
}
