import { appendFile } from 'node:fs/promises';
import { readAccountsEstate } from '../aws/read-accounts.js';
import { readServersOutsideSelection } from '../planning/outside-servers.js';
import { config, openAws, openRunState, writeOut, type GlobalOptions } from '../cli/context.js';
import { writePaged } from '../cli/pager.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import type { Severity } from '../core/checks/rule.js';
import { failsAt, runPrecheck } from '../core/precheck.js';
import { DEFAULT_TARGET, type Target } from '../core/sidecars.js';
import { ownerRules, serviceOverrides } from '../config/config.js';
import { readCutoverContext } from '../planning/cutover-context.js';
import { cutoverSettings, type CutoverFlags } from '../planning/cutover-settings.js';
import { usageHeadroom } from '../core/usage.js';
import { withUsageFlags, type UsageFlags } from '../cli/usage-flags.js';
import { renderPrecheckGithub, renderPrecheckSummaryMarkdown } from '../render/precheck-github.js';
import { renderPrecheckJunit } from '../render/precheck-junit.js';
import { renderPrecheckText } from '../render/precheck-text.js';

export interface PrecheckOptions extends GlobalOptions, UsageFlags, Pick<CutoverFlags, 'strategy' | 'infrastructureRole'> {
  cluster?: string[];
  service?: string[];
  target?: Target;
  format?: 'text' | 'json' | 'junit' | 'github';
  failOn: Severity;
}

export async function runPrecheckCommand(options: PrecheckOptions): Promise<number> {
  const settings = withUsageFlags(await config(options), options);
  const session = await openAws(options, { allowMutations: false });
  // An S3 state's bucket is checked beside the estate (fixtures reach no S3: a local state is assumed there).
  const state = options.fixtures ? undefined : await openRunState(options, session);
  const [estate, bucket] = await Promise.all([
    readAccountsEstate(session.accounts, session.region, {
      clusters: options.cluster, services: options.service, ...(settings.usage.read && { usage: { window: settings.usage.window } }),
    }),
    state?.home.readBucketSettings?.(),
  ]);
  await readServersOutsideSelection(session.accounts, estate, options);
  const target = options.target ?? settings.target ?? DEFAULT_TARGET;
  // Services leaving App Mesh: the cut-over each gets decides what it needs (a listener rule, a role, twice the tasks).
  const cutover = target === 'service-connect' ? await readCutoverContext(session.accounts, estate, cutoverSettings(settings, options)) : undefined;
  const report = runPrecheck(estate, {
    ...(cutover && { cutover }),
    target, sizing: settings.sidecars, keepXray: settings.serviceConnect.keepXray, headroom: usageHeadroom(settings),
    configuredEgressPorts: (cluster, service) => serviceOverrides(settings, cluster, service)?.egressIgnoredPorts ?? [],
    ...(bucket && { stateBucket: bucket }),
    owners: ownerRules(settings),
  });
  const failed = failsAt(report, options.failOn);
  const format = options.format ?? options.output;
  switch (format) {
    case 'json':
      writeOut(JSON.stringify({
        target: report.target,
        findings: report.findings.map(({ rule, severity, cluster, service, message, hint }) => ({ rule, severity, cluster, service, message, hint })),
        skipped: report.skipped,
        summary: { ...report.summary, failOn: options.failOn, failed },
      }, null, 2));
      break;
    case 'junit':
      writeOut(renderPrecheckJunit(report, options.failOn));
      break;
    case 'github':
      writeOut(renderPrecheckGithub(report));
      // In GitHub Actions the full report goes to the job summary, past the annotation limit.
      if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, renderPrecheckSummaryMarkdown(report));
      break;
    default:
      await writePaged(renderPrecheckText(report, session.source, failed, options.failOn), options);
  }
  return failed ? EXIT_FINDINGS : EXIT_OK;
}
