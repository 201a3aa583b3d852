import type { Finding, Severity } from '../core/checks/rule.js';
import { SEVERITY_RANK } from '../core/checks/rule.js';
import type { PrecheckReport } from '../core/precheck.js';

const escapeXml = (s: string) => s
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** One testcase per (service, rule); findings at or above --fail-on are failures. */
export function renderPrecheckJunit(report: PrecheckReport, failOn: Severity): string {
  const suites: { name: string; cases: { rule: string; findings: Finding[] }[] }[] = [];
  const estateRules = [...new Set(report.findings.filter((f) => !f.service).map((f) => f.rule))];
  if (estateRules.length > 0) {
    suites.push({ name: 'estate', cases: estateRules.map((rule) => ({ rule, findings: report.findings.filter((f) => !f.service && f.rule === rule) })) });
  }
  for (const c of report.checked) {
    suites.push({
      name: `${c.cluster}/${c.service}`,
      cases: c.rules.map((rule) => ({
        rule,
        findings: report.findings.filter((f) => f.cluster === c.cluster && f.service === c.service && f.rule === rule),
      })),
    });
  }
  const fails = (f: Finding) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn];
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const totalFailures = suites.reduce((n, s) => n + s.cases.filter((c) => c.findings.some(fails)).length, 0);
  lines.push(`<testsuites name="meshctl precheck (${report.target})" tests="${total}" failures="${totalFailures}">`);
  for (const suite of suites) {
    const failures = suite.cases.filter((c) => c.findings.some(fails)).length;
    lines.push(`  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${failures}">`);
    for (const tc of suite.cases) {
      const open = `    <testcase classname="${escapeXml(`meshctl.${suite.name}`)}" name="${escapeXml(tc.rule)}"`;
      if (tc.findings.length === 0) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      for (const f of tc.findings.filter(fails)) {
        lines.push(`      <failure type="${f.severity}" message="${escapeXml(f.message)}">${escapeXml(`${f.message}\nhint: ${f.hint}`)}</failure>`);
      }
      const notes = tc.findings.filter((f) => !fails(f));
      if (notes.length > 0) {
        lines.push(`      <system-out>${escapeXml(notes.map((f) => `${f.severity}: ${f.message}\nhint: ${f.hint}`).join('\n'))}</system-out>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}
