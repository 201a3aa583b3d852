/**
 * A failure the user can fix (bad input, missing resource, refused change):
 * reported as one line with the fix, exit 2, never a stack trace.
 */
export class ExpectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
