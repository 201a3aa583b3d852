// meshctl status: where an apply or rollback stands, from its journal and a
// fresh look at the services (for --no-wait applies and CI).
import { latestJournal, readJournal } from '../apply/journal.js';
import { toService } from '../aws/read-estate.js';
import { chunks } from '../aws/batch.js';
import { accountOfArn, callerFor } from '../aws/accounts.js';
import { openAws, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { table } from '../render/table.js';

export interface StatusOptions extends GlobalOptions {
  journal?: string;
}

interface ServiceStatus {
  service: string;
  state: string;
  steps: string;
  revision: string;
  running: string;
  rollout: string;
  message?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export async function runStatus(options: StatusOptions): Promise<number> {
  const path = options.journal ?? await latestJournal();
  if (!path) throw new UsageError('no journal under .meshctl/: status reports on an apply or rollback run from this directory, or pass --journal FILE');
  const journal = await readJournal(path);
  const session = await openAws(options, { allowMutations: false });
  const entries = Object.entries(journal.services);
  // The service whose deployment apply watches: the green twin for blue-green moves.
  const watched = entries.map(([label, s]) => ({ label, cluster: s.cluster, name: s.greenService ?? s.service, account: s.account ?? accountOfArn(s.serviceArn) }));
  const live = new Map<string, Raw>();
  // Each cluster is read in its account (the journal records it).
  const byCluster = new Map<string, { account: string; names: string[] }>();
  for (const w of watched) byCluster.set(w.cluster, { account: w.account, names: [...(byCluster.get(w.cluster)?.names ?? []), w.name] });
  await Promise.all([...byCluster.entries()].flatMap(([cluster, { account, names }]) => chunks(names, 10).map(async (batch) => {
    const aws = callerFor(session.accounts, session.accounts.length > 1 ? account : undefined);
    const out = await aws.call<Raw>('ecs', 'DescribeServices', { cluster, services: batch });
    for (const raw of (out.services ?? []) as Raw[]) if (raw.status !== 'INACTIVE') live.set(`${cluster}/${raw.serviceName}`, raw);
  })));

  const rows: ServiceStatus[] = entries.map(([label, s], i) => {
    const stepStates = Object.entries(journal.steps).filter(([id]) => id.endsWith(`:${label}`) || id.includes(`:${label}:`)).map(([, st]) => st.status);
    const count = (status: string) => stepStates.filter((x) => x === status).length;
    const raw = live.get(`${watched[i]!.cluster}/${watched[i]!.name}`);
    const service = raw ? toService(raw, s.cluster) : undefined;
    const primary = service?.deployments.find((d) => d.status === 'PRIMARY');
    return {
      service: label + (s.greenService ? ` (green ${s.greenService})` : ''),
      state: s.state,
      steps: `${count('done')}/${stepStates.length} done${count('failed') > 0 ? `, ${count('failed')} failed` : ''}${count('running') > 0 ? `, ${count('running')} interrupted` : ''}`,
      revision: `${s.previousTaskDefinition.split('/').pop()} → ${(service?.taskDefinitionArn ?? s.newTaskDefinition ?? '-').split('/').pop()}`,
      running: service ? `${service.runningCount}/${service.desiredCount}` : 'gone',
      rollout: primary?.rolloutState ?? '-',
      ...(s.message && { message: s.message }),
    };
  });
  const failed = rows.some((r) => r.state === 'failed' || r.rollout === 'FAILED');
  if (options.output === 'json') {
    writeOut(JSON.stringify({
      journal: path, kind: journal.finalizes !== undefined ? 'finalize' : journal.undoes === undefined ? 'apply' : 'rollback', ...(journal.undoes && { undoes: journal.undoes }), ...(journal.pendingRollback && { pendingRollback: journal.pendingRollback }), ...(journal.shift && { shift: journal.shift }),
      planFingerprint: journal.planFingerprint, startedAt: journal.startedAt, updatedAt: journal.updatedAt, services: rows, created: journal.created.length,
    }, null, 2));
  } else {
    writeOut([
      `${journal.finalizes !== undefined ? `finalize of ${journal.finalizes}` : journal.undoes === undefined ? 'apply' : `rollback${journal.undoes ? ` of ${journal.undoes}` : ''}`} · journal ${path} · plan ${journal.planFingerprint.slice(0, 19)}… · started ${journal.startedAt} · updated ${journal.updatedAt}`,
      ...(journal.pendingRollback ? [`an interrupted rollback (${journal.pendingRollback}): finish it with meshctl rollback --journal ${path}`] : []),
      ...(journal.shift ? [`traffic: green at ${journal.shift.weight}% since ${journal.shift.since} (shift ${journal.shift.state}${journal.shift.reason ? `: ${journal.shift.reason}` : ''})`] : []), '',
      table(['service', 'state', 'steps', 'revision', 'running', 'rollout'], rows.map((r) => [r.service, r.state, r.steps, r.revision, r.running, r.rollout])),
      ...rows.filter((r) => r.message).map((r) => `  ${r.service}: ${r.message}`),
    ].join('\n'));
  }
  return failed ? EXIT_FINDINGS : EXIT_OK;
}
