import chalk from 'chalk';
import type { Finding } from '../core/checks/rule.js';
import type { PrecheckReport } from '../core/precheck.js';

const MARK: Record<Finding['severity'], string> = {
  error: chalk.red('×'),
  warning: chalk.yellow('‼'),
  info: chalk.green('✔'),
};

function renderFinding(f: Finding): string[] {
  const lines = [`  ${MARK[f.severity]} ${chalk.bold(f.rule)}  ${f.message}`];
  if (f.severity !== 'info') lines.push(chalk.dim(`      hint: ${f.hint}`));
  return lines;
}

export function renderPrecheckText(report: PrecheckReport, source: string, failed: boolean, failOn: string): string {
  const out = [chalk.bold(`meshctl precheck · target ${report.target} · ${source}`), ''];
  const general = report.findings.filter((f) => !f.service);
  // A rule about the whole estate that ran and found nothing says so, as the per-service ones do.
  const passed = report.estatePassed.length > 0 ? [`  ${MARK.info} ${chalk.dim(report.estatePassed.join(', '))}`] : [];
  if (general.length > 0 || passed.length > 0) out.push(chalk.bold('estate'), ...general.flatMap(renderFinding), ...passed, '');
  for (const checked of report.checked) {
    const findings = report.findings.filter((f) => f.cluster === checked.cluster && f.service === checked.service);
    const problems = new Set(findings.filter((f) => f.severity !== 'info').map((f) => f.rule));
    out.push(chalk.bold(`${checked.cluster}/${checked.service}`));
    out.push(...findings.flatMap(renderFinding));
    const passed = checked.rules.filter((r) => !problems.has(r) && !findings.some((f) => f.rule === r));
    if (passed.length > 0) out.push(`  ${MARK.info} ${chalk.dim(passed.join(', '))}`);
    out.push('');
  }
  if (report.skipped.length > 0) {
    out.push(chalk.dim(`not checked for ${report.target}:`));
    for (const s of report.skipped) out.push(chalk.dim(`  - ${s.rule}: ${s.reason}`));
    out.push('');
  }
  const { services, errors, warnings, info } = report.summary;
  const verdict = failed ? chalk.red(`fails at --fail-on ${failOn}`) : chalk.green(`passes at --fail-on ${failOn}`);
  out.push(`${services} service(s) checked: ${chalk.red(`${errors} error(s)`)}, ${chalk.yellow(`${warnings} warning(s)`)}, ${info} info — ${verdict}`);
  return out.join('\n');
}
