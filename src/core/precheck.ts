// Runs every applicable rule over the estate and summarises the findings.
import { RULES } from './checks/index.js';
import { SEVERITY_RANK, type CheckOptions, type Finding, type Rule, type Severity } from './checks/rule.js';
import type { Cluster, Estate, Service } from './estate.js';

export interface CheckedService {
  cluster: string;
  service: string;
  rules: string[];
}

export interface PrecheckReport {
  target: CheckOptions['target'];
  findings: Finding[];
  checked: CheckedService[];
  /** Rules about the whole estate that ran and found nothing. */
  estatePassed: string[];
  /** Rules that do not apply to this target, with the reason. */
  skipped: { rule: string; reason: string }[];
  summary: { services: number; errors: number; warnings: number; info: number };
}

/** The findings of every applicable service rule for one service. */
export function checkService(estate: Estate, cluster: Cluster, service: Service, options: CheckOptions, rules: readonly Rule[] = RULES): Finding[] {
  const taskDefinition = estate.taskDefinitions[service.taskDefinitionArn]!;
  return rules
    .filter((r) => r.scope === 'service' && r.targets.includes(options.target))
    .flatMap((rule) => (rule.scope === 'service' ? rule.check({ ...options, estate, cluster, service, taskDefinition }) : [])
      // Each message names its cluster and service, so a finding read alone (JSON, JUnit, a CI log) says where it is.
      .map((f) => ({ rule: rule.id, cluster: cluster.name, service: service.name, ...f, message: `${cluster.name}/${service.name}: ${f.message}` })));
}

export function runPrecheck(estate: Estate, options: CheckOptions, rules: readonly Rule[] = RULES): PrecheckReport {
  const applicable = rules.filter((r) => r.targets.includes(options.target));
  const skipped = rules
    .filter((r) => !r.targets.includes(options.target))
    .map((r) => ({ rule: r.id, reason: r.notApplicable?.[options.target] ?? `applies to ${r.targets.join(', ')} only` }));
  const findings: Finding[] = [];
  const estatePassed: string[] = [];
  for (const rule of applicable) {
    if (rule.scope !== 'estate') continue;
    const found = rule.check(estate, options).map((f) => ({ rule: rule.id, cluster: '', service: '', ...f }));
    findings.push(...found);
    if (found.length === 0) estatePassed.push(rule.id);
  }
  const checked: CheckedService[] = [];
  const serviceRules = applicable.filter((r) => r.scope === 'service').map((r) => r.id);
  for (const cluster of estate.clusters) {
    for (const service of cluster.services) {
      findings.push(...checkService(estate, cluster, service, options, rules));
      checked.push({ cluster: cluster.name, service: service.name, rules: serviceRules });
    }
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    target: options.target,
    findings,
    checked,
    estatePassed,
    skipped,
    summary: { services: checked.length, errors: count('error'), warnings: count('warning'), info: count('info') },
  };
}

export function failsAt(report: PrecheckReport, threshold: Severity): boolean {
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}
