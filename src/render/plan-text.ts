import chalk from 'chalk';
import { createTwoFilesPatch } from 'diff';
import { APPMESH_END_OF_SUPPORT } from '../core/checks/appmesh-end-of-support.js';
import type { Finding } from '../core/checks/rule.js';
import type { Plan, PlanStep } from '../core/plan/model.js';
import { renderPlanSummary } from './plan-summary.js';
import { showRefs } from '../core/plan/refs.js';
import { redactDeep } from '../core/redact.js';
import { stableStringify } from '../util/stable-json.js';
import type { Estate } from '../core/estate.js';
import { describeOwner, nextDeploy } from '../core/owner.js';
import { registrationInput } from '../core/task-definition-input.js';

const indent = (text: string, by: string) => text.split('\n').map((l) => (l ? by + l : l)).join('\n');
const json = (value: unknown) => stableStringify(value, 2);

function colorDiffLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return chalk.bold(line);
  if (line.startsWith('+')) return chalk.green(line);
  if (line.startsWith('-')) return chalk.red(line);
  if (line.startsWith('@@')) return chalk.cyan(line);
  return line;
}

/** A unified diff of two JSON values, keys in stable order, secrets masked. */
export function jsonDiff(before: unknown, after: unknown, beforeName: string, afterName: string): string {
  const patch = createTwoFilesPatch(beforeName, afterName, `${json(redactDeep(before ?? {}))}\n`, `${json(redactDeep(after))}\n`, '', '', { context: 3 });
  return patch.split('\n').filter((l) => !l.startsWith('====') && !l.startsWith('\\')).map((l) => colorDiffLine(l.replace(/\t$/, ''))).join('\n').trimEnd();
}

function renderFinding(f: Finding): string[] {
  const mark = f.severity === 'error' ? chalk.red('×') : chalk.yellow('‼');
  return [`${mark} ${chalk.bold(f.rule)}  ${f.message}`, chalk.dim(`    hint: ${f.hint}`)];
}

const describeInput = (value: unknown) => json(showRefs(value));

export function renderStep(step: PlanStep, taskDefinitionBefore: unknown): string[] {
  const mark = step.action === 'create' ? chalk.green('+') : step.action === 'delete' ? chalk.red('-') : chalk.yellow('~');
  const head = `${mark} ${step.resource} ${chalk.dim(`[${step.service} ${step.operation}]`)}`;
  if (step.operation === 'RegisterTaskDefinition') {
    return [head, indent(jsonDiff(taskDefinitionBefore, showRefs(step.input), 'current', 'planned'), '    ')];
  }
  if (step.action === 'update' && step.before !== undefined && step.operation !== 'UpdateService') {
    // App Mesh specs, a listener rule's (default) actions, or the input itself (cluster defaults).
    const after = step.input.spec ?? step.input.Actions ?? step.input.DefaultActions ?? step.input;
    return [head, indent(jsonDiff(step.before, showRefs(after), 'current', 'planned'), '    ')];
  }
  if (step.operation === 'UpdateService' && step.input.serviceConnectConfiguration) {
    const before = (step.before as { serviceConnectConfiguration?: unknown } | undefined)?.serviceConnectConfiguration;
    const { serviceConnectConfiguration, ...rest } = step.input;
    return [head, indent(chalk.dim(describeInput(rest)), '    '), indent('serviceConnectConfiguration:', '    '),
      indent(jsonDiff(before, showRefs(serviceConnectConfiguration), 'current', 'planned'), '    ')];
  }
  const { spec, ...identity } = step.input;
  const shown = spec ?? identity;
  return [head, indent(chalk.dim(describeInput(shown)), '    ')];
}

/** The shared steps and the services of one account (or of the whole plan). */
function renderSection(out: string[], services: Plan['services'], steps: PlanStep[], taskDefinitionsBefore: Record<string, unknown>, heldSteps: PlanStep[] = []): void {
  const shared = steps.filter((s) => !s.ecsService);
  const heldShared = heldSteps.filter((s) => !s.ecsService);
  if (heldShared.length > 0) {
    out.push(chalk.bold('shared, held (only held services need it)'));
    for (const step of heldShared) out.push(...renderStep(step, undefined).map((l) => indent(l, '  ')));
    out.push('');
  }
  if (shared.length > 0) {
    out.push(chalk.bold('shared'));
    for (const step of shared) out.push(...renderStep(step, undefined).map((l) => indent(l, '  ')));
    out.push('');
  }
  for (const svc of services) {
    const label = `${svc.cluster}/${svc.service}`;
    const own = (svc.status === 'held' ? heldSteps : steps).filter((s) => s.ecsService === label);
    const mark = svc.status === 'change' ? chalk.yellow('~') : svc.status === 'held' ? chalk.magenta('‖') : chalk.dim('=');
    out.push(chalk.bold(`${mark} ${label}`) + chalk.dim(` (${svc.taskDefinition})`) + (svc.status === 'held' ? chalk.magenta(' held: apply leaves it to its owner') : ''));
    if (svc.owner) out.push(chalk.cyan(`  owner: ${describeOwner(svc.owner)}; its next deploy (${nextDeploy(svc.owner)}) reverts this move unless it carries the change`));
    if (own.length === 0) out.push(chalk.dim('  no changes'));
    for (const step of own) {
      const before = step.sourceTaskDefinition ? taskDefinitionsBefore[step.sourceTaskDefinition] : undefined;
      out.push(...renderStep(step, before).map((l) => indent(l, '  ')));
    }
    if (svc.backends.length > 0) {
      out.push(`  backends: ${svc.backends.map((b) => (b.inferred ? `${b.virtualService} ${chalk.dim(`(inferred from ${b.from})`)}` : b.virtualService)).join(', ')}`);
    }
    if (svc.serviceConnect) {
      const sc = svc.serviceConnect;
      out.push(`  Service Connect: namespace ${sc.namespace}, ${sc.strategy}${sc.greenService ? ` (green service ${sc.greenService})` : ''}; aliases ${sc.aliases.join(', ') || 'none (client only)'}`);
      if (sc.why) out.push(`  strategy: ${sc.strategy}, because ${sc.why}`);
    }
    if (svc.rollout) {
      const outside = svc.rollout.outside ?? [];
      out.push(`  rollout: step ${svc.rollout.position}${svc.rollout.after.length > 0 ? `, after ${svc.rollout.after.join(', ')} completed (servers before clients)` : ''}${outside.length > 0 ? chalk.yellow(`; servers outside this plan should move first: ${outside.map((o) => o.server).join(', ')} (see server-outside-selection)`) : ''}`);
    }
    if (svc.parity && svc.parity.length > 0) {
      out.push(chalk.yellow('  parity: App Mesh behaviour Service Connect does not keep'));
      for (const item of svc.parity) out.push(chalk.yellow(`    - ${item}`));
    }
    for (const note of svc.notes ?? []) out.push(chalk.yellow(`  ! ${note}`));
    for (const f of svc.findings) out.push(...renderFinding(f).map((l) => indent(l, '  ')));
    out.push('');
  }
}

/** The services apply leaves to their owners, and why; empty when nothing is held. */
export function heldLines(plan: Plan): string[] {
  const held = plan.held?.services ?? [];
  if (held.length === 0) return [];
  return [
    chalk.yellow.bold(`held for their owners (apply leaves them; meshctl plan --export DIR hands over the change; --allow-iac-owned moves them anyway):`),
    ...held.map((h) => chalk.yellow(`  ${h.cluster}/${h.service}: ${h.reason}`)),
  ];
}

/** One line for every App Mesh plan: what the end of support means for what it creates. */
const APPMESH_NOTICE = `! App Mesh reached end of support on ${APPMESH_END_OF_SUPPORT}: AWS no longer fixes or supports it and may refuse new resources; plan --target service-connect (the default) for new meshes`;

export interface PlanTextOptions {
  /** Only the summary table (with the order), the blocked services and the totals: no diffs. */
  summaryOnly?: boolean;
  /** The terminal's width: the summary table fits it. */
  columns?: number;
}

export function renderPlanText(plan: Plan, source: string, taskDefinitionsBefore: Record<string, unknown>, options: PlanTextOptions = {}): string {
  const where = plan.target === 'appmesh' ? `mesh ${plan.mesh}` : `namespace ${[...new Set(plan.services.map((s) => s.serviceConnect?.namespace))].join(', ') || 'none'}`;
  // The fingerprint lets a reviewer check that what apply runs is what was approved.
  const out = [chalk.bold(`meshctl plan · target ${plan.target} · ${where} · ${source}`), chalk.dim(`fingerprint ${plan.fingerprint}`)];
  if (plan.target === 'appmesh') out.push(chalk.yellow(APPMESH_NOTICE));
  for (const warning of plan.warnings ?? []) out.push(chalk.yellow(`! ${warning}`));
  out.push('');
  // The facts first, one row per service; the full diffs follow.
  if (plan.services.length > 0) out.push(renderPlanSummary(plan, taskDefinitionsBefore, options.columns), '');
  const accounts = Object.entries(plan.accounts ?? {});
  // --summary leaves out the per-service diffs and steps.
  if (!options.summaryOnly) {
    if (accounts.length > 1) {
      // A plan over several accounts reads account by account: what runs where, with whose credentials.
      for (const [id, name] of accounts) {
        const steps = plan.steps.filter((st) => st.account === id);
        const services = plan.services.filter((sv) => sv.account === id);
        if (steps.length === 0 && services.length === 0) continue;
        out.push(chalk.bold.underline(`account ${name} (${id})`), '');
        renderSection(out, services, steps, taskDefinitionsBefore, (plan.held?.steps ?? []).filter((st) => st.account === id));
      }
    } else renderSection(out, plan.services, plan.steps, taskDefinitionsBefore, plan.held?.steps);
  }
  const held = heldLines(plan);
  if (held.length > 0) out.push(...held, '');
  if (plan.blocked.length > 0) {
    out.push(chalk.red.bold('blocked (left out of the plan)'));
    for (const b of plan.blocked) {
      out.push(`  ${chalk.bold(`${b.cluster}/${b.service}`)}`);
      for (const f of b.findings) out.push(...renderFinding(f).map((l) => indent(l, '    ')));
    }
    out.push('');
  }
  const { create, update, unchanged, blocked } = plan.summary;
  // Plans saved before deletes were counted apart have no delete count.
  const deletes = plan.summary.delete ?? 0;
  const withErrors = plan.services.filter((s) => s.status !== 'held' && s.findings.some((f) => f.severity === 'error')).length;
  const heldCount = plan.summary.held ?? 0;
  out.push(`Plan: ${chalk.green(`${create} to create`)}, ${chalk.yellow(`${update} to update`)}, ${deletes > 0 ? chalk.red(`${deletes} to delete`) : '0 to delete'}, ${unchanged} unchanged; ${blocked > 0 ? chalk.red(`${blocked} blocked`) : '0 blocked'}${heldCount > 0 ? `; ${chalk.magenta(`${heldCount} held for infrastructure code`)} (${plan.held!.steps.length} operation(s) apply leaves to the owners)` : ''}.`);
  if (withErrors > 0) out.push(chalk.yellow(`${withErrors} planned service(s) carry precheck errors: apply refuses them unless --force.`));
  return out.join('\n');
}

/** The plan as text, its task-definition diffs against the revisions read from the estate. */
export function renderPlanOf(plan: Plan, estate: Estate, source: string, options: PlanTextOptions = {}): string {
  const before = Object.fromEntries(Object.values(estate.taskDefinitions).map((td) => [td.taskDefinitionArn, registrationInput(td)]));
  return renderPlanText(plan, source, before, options);
}
