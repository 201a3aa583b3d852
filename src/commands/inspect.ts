import { readAccountsEstate } from '../aws/read-accounts.js';
import { config, openAws, writeOut, type GlobalOptions } from '../cli/context.js';
import { writePaged } from '../cli/pager.js';
import { ownerRules } from '../config/config.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { inspectEstate } from '../core/inspect.js';
import { renderInspectText } from '../render/inspect-text.js';

export interface InspectOptions extends GlobalOptions {
  cluster?: string[];
  service?: string[];
}

export async function runInspect(options: InspectOptions): Promise<number> {
  const settings = await config(options);
  const session = await openAws(options, { allowMutations: false });
  const estate = await readAccountsEstate(session.accounts, session.region, { clusters: options.cluster, services: options.service });
  const report = inspectEstate(estate, ownerRules(settings));
  if (options.output === 'json') writeOut(JSON.stringify(report, null, 2));
  else await writePaged(renderInspectText(report, session.source), options);
  return EXIT_OK;
}
