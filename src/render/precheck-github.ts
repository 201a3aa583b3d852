import type { Finding } from '../core/checks/rule.js';
import type { PrecheckReport } from '../core/precheck.js';

// Workflow-command escaping, as the GitHub Actions toolkit does it.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const COMMAND: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', info: 'notice' };

export function renderPrecheckGithub(report: PrecheckReport): string {
  const lines = report.findings.map((f) => {
    const where = f.service ? `${f.cluster}/${f.service}` : 'estate';
    const title = escapeProperty(`meshctl ${f.rule} (${where})`);
    return `::${COMMAND[f.severity]} title=${title}::${escapeData(`${f.message}. Hint: ${f.hint}`)}`;
  });
  const { services, errors, warnings, info } = report.summary;
  lines.push(`meshctl precheck (${report.target}): ${services} service(s), ${errors} error(s), ${warnings} warning(s), ${info} info`);
  return lines.join('\n');
}
