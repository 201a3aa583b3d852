export const EXIT_OK = 0;
/** precheck: findings at or above --fail-on. */
export const EXIT_FINDINGS = 1;
/** Could not run: bad flags or config, unreadable fixtures, AWS errors. */
export const EXIT_CANNOT_RUN = 2;
/** plan --detailed-exitcode: an error is 1, as Terraform's (2 there means changes). */
export const EXIT_DETAILED_ERROR = 1;
/** The user answered no to a confirmation prompt: nothing was done, and a script must not read that as success (as Terraform). */
export const EXIT_DECLINED = 1;
