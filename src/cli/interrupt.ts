// Ctrl-C (or SIGTERM) while apply or rollback runs: save what is known, say
// how to go on, and exit 130 as shells expect. The journal lock goes with the
// process (it is released on exit).
import { writeErr } from './context.js';

export const EXIT_INTERRUPTED = 130;

/** Runs `onStop` once on SIGINT/SIGTERM, then exits; returns the function that disarms it. */
export function onInterrupt(onStop: () => Promise<string>): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    onStop()
      .then((message) => writeErr(message))
      .catch((error: unknown) => writeErr(`interrupted; could not save the journal: ${(error as Error).message}`))
      .finally(() => process.exit(EXIT_INTERRUPTED));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}
