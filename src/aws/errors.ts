import { ExpectedError } from '../util/expected-error.js';

/** A resource the user named (cluster, service) does not exist. */
export class NotFoundError extends ExpectedError {}
