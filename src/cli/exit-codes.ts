export const EXIT_OK = 0;
/** precheck: findings at or above --fail-on. */
export const EXIT_FINDINGS = 1;
/** Could not run: bad flags or config, unreadable fixtures, AWS errors. */
export const EXIT_CANNOT_RUN = 2;
