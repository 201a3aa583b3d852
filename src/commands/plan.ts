import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { config, openAws, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { writePaged } from '../cli/pager.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { withUsageFlags, type UsageFlags } from '../cli/usage-flags.js';
import { computePlan, type MigrationSelection } from '../planning/migration.js';
import { renderPlanMermaid } from '../render/plan-mermaid.js';
import { renderPlanOf } from '../render/plan-text.js';
import { stableStringify } from '../util/stable-json.js';
import { exportPlan } from '../core/export/index.js';
import { EXPORT_FORMATS, type ExportFormat } from '../core/owner.js';
import { writeExport } from './export.js';

export interface PlanOptions extends GlobalOptions, MigrationSelection, UsageFlags {
  out?: string;
  detailedExitcode?: boolean;
  graph?: 'mermaid';
  summary?: boolean;
  export?: string;
  format?: ExportFormat[];
}

/** --detailed-exitcode: 0 no changes, 2 changes (1 stays "error", as Terraform does). */
const EXIT_CHANGES = 2;

async function savePlan(file: string, json: string): Promise<void> {
  try {
    await writeFile(file, json);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`cannot save the plan to ${file}: the directory ${dirname(file)} does not exist; create it or choose another --out`);
    if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') throw new UsageError(`cannot save the plan to ${file} (${code}): choose another --out`);
    throw error;
  }
}

export async function runPlan(options: PlanOptions): Promise<number> {
  if (options.format && !options.export) throw new UsageError('--format chooses the formats of --export DIR; add --export DIR');
  const settings = withUsageFlags(await config(options), options);
  const session = await openAws(options, { allowMutations: false });
  const { plan, estate } = await computePlan(session, settings, options);
  const planJson = `${stableStringify(plan, 2)}\n`;

  if (options.out) await savePlan(options.out, planJson);
  if (options.export) {
    const files = exportPlan(plan, options.format ?? EXPORT_FORMATS);
    await writeExport(options.export, files);
    writeErr(`exported ${files.length} file(s) to ${options.export} (${(options.format ?? EXPORT_FORMATS).join(', ')}); read ${options.export}/README.md for each service's owner, files and order`);
  }
  if (options.graph === 'mermaid') {
    writeOut(renderPlanMermaid(plan));
  } else if (options.output === 'json') {
    writeOut(planJson);
  } else {
    await writePaged(renderPlanOf(plan, estate, session.source, { summaryOnly: options.summary, columns: process.stdout.isTTY ? process.stdout.columns : undefined }), options);
  }
  if (options.out && options.output !== 'json' && !options.graph) writeErr(`plan saved to ${options.out}; run meshctl apply ${options.out} to execute it`);
  // Held services are changes too: the plan holds them for their owners, it does not find them done.
  const changes = plan.steps.length > 0 || (plan.held?.steps.length ?? 0) > 0;
  return options.detailedExitcode && changes ? EXIT_CHANGES : EXIT_OK;
}
