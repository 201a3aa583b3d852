// meshctl state push: moves a local state (./.meshctl: journals, saved
// rollback and finalize plans) into the configured one (an S3 prefix), so a
// team or CI can go on from where one machine left off. Each document is
// created only if absent; one already there with other content is a conflict,
// and then nothing is pushed. References between journals are rewritten to
// where the documents now are (saved plans are fingerprinted and stay as
// they are: meshctl finds the journal a plan names by its name in the state).
import { isJournalName, type Journal } from '../apply/journal.js';
import { localState } from '../apply/local-state.js';
import { config, openAws, openRunState, stateSettings, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { describeHolder, parseStateUrl, splitLocation, StateConflictError, type LockRecord, type StateBackend } from '../core/state.js';
import { ExpectedError } from '../util/expected-error.js';

export interface StatePushOptions extends GlobalOptions {
  from: string;
}

const isSavedPlan = (name: string) => /^(rollback|finalize)-[0-9a-f]+\.json$/.test(name);
const sameDir = (a: string, b: string) => a.replace(/^\.\//, '').replace(/\/+$/, '') === b.replace(/^\.\//, '').replace(/\/+$/, '');

/** A journal as it reads in the target state: its references to documents pushed with it point there. */
function retarget(text: string, from: string, pushed: Set<string>, target: StateBackend): string {
  const journal = JSON.parse(text) as Journal;
  let changed = false;
  for (const field of ['undoes', 'finalizes', 'pendingRollback'] as const) {
    const value = journal[field];
    if (!value || value.startsWith('s3://')) continue;
    const { state, name } = splitLocation(value);
    if (state.kind === 'local' && sameDir(state.dir, from) && pushed.has(name)) {
      journal[field] = target.locate(name);
      changed = true;
    }
  }
  return changed ? `${JSON.stringify(journal, null, 2)}\n` : text;
}

export async function runStatePush(options: StatePushOptions): Promise<number> {
  const settings = stateSettings(options, await config(options));
  const target = parseStateUrl(settings.url);
  if (target.kind === 'local' && sameDir(target.dir, options.from)) {
    throw new UsageError(`the state is ${settings.url} itself: name where to push with --state s3://BUCKET/PREFIX, or state: in meshctl.yaml`);
  }
  const source = localState(options.from);
  const names = await source.list();
  const documents = names.filter((n) => isJournalName(n) || isSavedPlan(n));
  if (documents.length === 0) throw new UsageError(`nothing to push: no journal or saved plan under ${options.from}/`);
  // A run still writing here would go on writing here, behind the pushed copy's back.
  const locks = names.filter((n) => n.endsWith('.lock'));
  if (locks.length > 0) {
    const holders = await Promise.all(locks.map(async (n) => {
      const text = (await source.read(n))?.text ?? '';
      try {
        const lock = JSON.parse(text) as LockRecord;
        return `${lock.journal} by ${describeHolder(lock)} (lock ${lock.id})`;
      } catch {
        return `${source.locate(n)} (unreadable)`;
      }
    }));
    throw new UsageError(`a run holds ${holders.join('; ')}: push once it ended (if it is gone: meshctl unlock LOCK-ID --state ${options.from})`);
  }

  const session = target.kind === 's3' ? await openAws(options, { allowMutations: true }) : undefined;
  const state = await openRunState(options, session);
  const pushed = new Set(documents);
  const plan = await Promise.all(documents.map(async (name) => {
    const text = (await source.read(name))!.text;
    const content = isJournalName(name) ? retarget(text, options.from, pushed, state.home) : text;
    const there = await state.home.read(name);
    return { name, content, status: !there ? 'new' : there.text === content ? 'same' : 'different' };
  }));
  const conflicts = plan.filter((p) => p.status === 'different');
  if (conflicts.length > 0) {
    throw new ExpectedError(`${conflicts.map((c) => state.home.locate(c.name)).join(', ')} already ${conflicts.length > 1 ? 'exist' : 'exists'} with other content: nothing was pushed. Compare them with ${options.from}/ and keep one (meshctl never overwrites a journal)`);
  }
  for (const doc of plan.filter((p) => p.status === 'new')) {
    try {
      await state.home.write(doc.name, doc.content, { ifNoneMatch: '*' });
    } catch (error) {
      if (error instanceof StateConflictError) throw new ExpectedError(`${state.home.locate(doc.name)} appeared while pushing (another push?): run meshctl state push again to compare`);
      throw error;
    }
    writeErr(`pushed ${source.locate(doc.name)} → ${state.home.locate(doc.name)}`);
  }
  const same = plan.filter((p) => p.status === 'same').length;
  writeOut(`${plan.length - same} document(s) pushed to ${state.home.where}${same > 0 ? `, ${same} already there` : ''}. From now on run meshctl with this state (state: in meshctl.yaml, --state or MESHCTL_STATE); the copies in ${options.from}/ can go.`);
  return EXIT_OK;
}
