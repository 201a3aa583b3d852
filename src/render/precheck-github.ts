// Precheck in GitHub Actions: workflow-command annotations (GitHub shows at
// most 10 of each kind per step, so errors come first and one annotation says
// how many more there are; passing and informational checks are not
// annotations), and a Markdown job summary for $GITHUB_STEP_SUMMARY.
import type { Finding, Severity } from '../core/checks/rule.js';
import type { PrecheckReport } from '../core/precheck.js';

// Workflow-command escaping, as the GitHub Actions toolkit does it.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub's limit of annotations of one kind per step. */
export const GITHUB_ANNOTATIONS_PER_KIND = 10;

const annotated: { severity: Severity; command: string }[] = [{ severity: 'error', command: 'error' }, { severity: 'warning', command: 'warning' }];
const where = (f: Finding) => (f.service ? `${f.cluster}/${f.service}` : 'estate');

export function renderPrecheckGithub(report: PrecheckReport): string {
  const lines: string[] = [];
  for (const { severity, command } of annotated) {
    const findings = report.findings.filter((f) => f.severity === severity);
    // One slot is kept for the "more" annotation when they do not all fit.
    const shown = findings.length > GITHUB_ANNOTATIONS_PER_KIND ? findings.slice(0, GITHUB_ANNOTATIONS_PER_KIND - 1) : findings;
    for (const f of shown) {
      lines.push(`::${command} title=${escapeProperty(`meshctl ${f.rule} (${where(f)})`)}::${escapeData(`${f.message}. Hint: ${f.hint}`)}`);
    }
    if (shown.length < findings.length) {
      lines.push(`::${command} title=${escapeProperty(`meshctl: ${findings.length - shown.length} more ${severity}s`)}::${escapeData(`${findings.length - shown.length} more ${severity} finding(s) are not annotated (GitHub shows ${GITHUB_ANNOTATIONS_PER_KIND} per step): see the job summary or run meshctl precheck locally`)}`);
    }
  }
  const { services, errors, warnings, info } = report.summary;
  lines.push(`meshctl precheck (${report.target}): ${services} service(s), ${errors} error(s), ${warnings} warning(s), ${info} info`);
  return lines.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const MARK: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

/** The job summary: counts, a table of every finding (errors first), and a graph of the services by their worst finding. */
export function renderPrecheckSummaryMarkdown(report: PrecheckReport): string {
  const { services, errors, warnings, info } = report.summary;
  const order: Severity[] = ['error', 'warning', 'info'];
  const findings = [...report.findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  const lines = [
    `## meshctl precheck (${report.target})`, '',
    `${services} service(s): ${errors} error(s), ${warnings} warning(s), ${info} info.`, '',
    '| | rule | service | finding | how to fix |', '| --- | --- | --- | --- | --- |',
    ...findings.map((f) => `| ${MARK[f.severity]} | ${f.rule} | ${cell(where(f))} | ${cell(f.message)} | ${cell(f.hint)} |`),
    '',
  ];
  const worst = new Map<string, Severity | undefined>(report.checked.map((c) => [`${c.cluster}/${c.service}`, undefined]));
  for (const f of report.findings.filter((x) => x.service)) {
    const current = worst.get(where(f));
    if (!current || order.indexOf(f.severity) < order.indexOf(current)) worst.set(where(f), f.severity);
  }
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');
  const clusters = [...new Set(report.checked.map((c) => c.cluster))];
  lines.push('```mermaid', 'flowchart LR');
  for (const cluster of clusters) {
    lines.push(`  subgraph ${id(`c_${cluster}`)}["cluster ${cluster}"]`);
    for (const c of report.checked.filter((x) => x.cluster === cluster)) {
      const label = `${c.cluster}/${c.service}`;
      lines.push(`    ${id(`s_${label}`)}["${c.service}"]:::${worst.get(label) ?? 'ok'}`);
    }
    lines.push('  end');
  }
  lines.push('  classDef error fill:#fdd,stroke:#c00', '  classDef warning fill:#ffd,stroke:#a80', '  classDef info fill:#eef,stroke:#66a', '  classDef ok fill:#dfd,stroke:#080', '```', '');
  return lines.join('\n');
}
