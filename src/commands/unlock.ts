// meshctl unlock LOCK-ID: frees the lock a gone run left on a journal (a
// SIGKILLed apply, a CI runner that vanished), as terraform force-unlock does.
// Only the lock with that id goes, and only the version read: a live holder
// that refreshed it in between keeps it.
import { unlockById } from '../apply/journal-lock.js';
import { openAws, openRunState, stateSettings, config, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { describeHolder } from '../core/state.js';

export async function runUnlock(id: string | undefined, options: GlobalOptions): Promise<number> {
  if (!id || !/^[\w-]{8,}$/.test(id)) throw new UsageError(`${id ?? '(none)'} is not a lock id: give the id the refusal or meshctl status printed (meshctl unlock LOCK-ID)`);
  // A local state needs no AWS session.
  const remote = stateSettings(options, await config(options)).url.startsWith('s3://');
  const session = remote ? await openAws(options, { allowMutations: true }) : undefined;
  const state = await openRunState(options, session);
  const freed = await unlockById(state.home, id);
  writeOut(`freed the lock ${id} on ${freed.journal}, held by ${describeHolder(freed)}; the next run of that journal resumes it`);
  return EXIT_OK;
}
