// Runs one command module with the global options applied and every failure
// mapped to a message and an exit code. Loaded only once a command runs.
import { applyColor, writeErr, type GlobalOptions } from './context.js';
import { describeError } from './errors.js';
import { EXIT_CANNOT_RUN, EXIT_DETAILED_ERROR } from './exit-codes.js';
import { stopReadProgress } from './read-progress.js';

export async function runCommand(options: GlobalOptions, run: (options: never) => Promise<number>): Promise<number> {
  applyColor(options);
  try {
    return await run(options as never);
  } catch (error) {
    stopReadProgress();
    const { message, expected } = describeError(error);
    writeErr(`meshctl: error: ${message}`);
    if (!expected && options.verbose && error instanceof Error && error.stack) writeErr(error.stack);
    return (options as { detailedExitcode?: boolean }).detailedExitcode ? EXIT_DETAILED_ERROR : EXIT_CANNOT_RUN;
  } finally {
    // A command that wrote nothing still leaves a clean line (and no spinner timer holding the process).
    stopReadProgress();
  }
}
