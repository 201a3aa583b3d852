// GitHub shows at most 10 annotations of each kind per step.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/checks/rule.js';
import type { PrecheckReport } from '../../src/core/precheck.js';
import { renderPrecheckGithub, renderPrecheckSummaryMarkdown } from '../../src/render/precheck-github.js';

const finding = (severity: Finding['severity'], i: number): Finding => ({ rule: 'eni-capacity', severity, cluster: 'c', service: `s${i}`, message: `c/s${i}: message ${i}`, hint: 'hint' });

function report(errors: number, warnings: number, info: number): PrecheckReport {
  const findings = [
    ...Array.from({ length: info }, (_, i) => finding('info', i)),
    ...Array.from({ length: warnings }, (_, i) => finding('warning', i)),
    ...Array.from({ length: errors }, (_, i) => finding('error', i)),
  ];
  return {
    target: 'service-connect', findings, skipped: [], estatePassed: [],
    checked: Array.from({ length: Math.max(errors, warnings, info) }, (_, i) => ({ cluster: 'c', service: `s${i}`, rules: [] })),
    summary: { services: 20, errors, warnings, info },
  };
}

describe('GitHub annotations', () => {
  it('writes errors first, at most 10 of a kind with the last counting the rest, and no notices', () => {
    const lines = renderPrecheckGithub(report(15, 3, 4)).split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(10);
    expect(errors[9]).toMatch(/^::error title=meshctl%3A 6 more errors::6 more error finding\(s\) are not annotated/);
    expect(lines.findIndex((l) => l.startsWith('::warning '))).toBeGreaterThan(lines.indexOf(errors[9]!));
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('::notice'))).toBe(false);
  });

  it('puts every finding, errors first, and a graph of the services in the job summary', () => {
    const markdown = renderPrecheckSummaryMarkdown(report(15, 3, 4));
    const rows = markdown.split('\n').filter((l) => /^\| (❌|⚠️|ℹ️) /.test(l));
    expect(rows).toHaveLength(22);
    expect(rows[0]).toMatch(/^\| ❌ /);
    expect(markdown).toContain('s_c_s0["s0"]:::error');
  });
});
