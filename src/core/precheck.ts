// Runs every applicable rule over the estate and summarises the findings.
import { RULES } from './checks/index.js';
import { SEVERITY_RANK, type CheckOptions, type Finding, type Rule, type Severity } from './checks/rule.js';
import type { Estate } from './estate.js';

export interface CheckedService {
  cluster: string;
  service: string;
  rules: string[];
}

export interface PrecheckReport {
  target: CheckOptions['target'];
  findings: Finding[];
  checked: CheckedService[];
  /** Rules that do not apply to this target, with the reason. */
  skipped: { rule: string; reason: string }[];
  summary: { services: number; errors: number; warnings: number; info: number };
}

export function runPrecheck(estate: Estate, options: CheckOptions, rules: readonly Rule[] = RULES): PrecheckReport {
  const applicable = rules.filter((r) => r.targets.includes(options.target));
  const skipped = rules
    .filter((r) => !r.targets.includes(options.target))
    .map((r) => ({ rule: r.id, reason: r.notApplicable?.[options.target] ?? `applies to ${r.targets.join(', ')} only` }));
  const findings: Finding[] = [];
  for (const rule of applicable) {
    if (rule.scope !== 'estate') continue;
    findings.push(...rule.check(estate, options).map((f) => ({ rule: rule.id, cluster: '', service: '', ...f })));
  }
  const checked: CheckedService[] = [];
  const serviceRules = applicable.filter((r) => r.scope === 'service');
  for (const cluster of estate.clusters) {
    for (const service of cluster.services) {
      const taskDefinition = estate.taskDefinitions[service.taskDefinitionArn]!;
      for (const rule of serviceRules) {
        findings.push(...rule.check({ ...options, estate, cluster, service, taskDefinition })
          .map((f) => ({ rule: rule.id, cluster: cluster.name, service: service.name, ...f })));
      }
      checked.push({ cluster: cluster.name, service: service.name, rules: serviceRules.map((r) => r.id) });
    }
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    target: options.target,
    findings,
    checked,
    skipped,
    summary: { services: checked.length, errors: count('error'), warnings: count('warning'), info: count('info') },
  };
}

export function failsAt(report: PrecheckReport, threshold: Severity): boolean {
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}
