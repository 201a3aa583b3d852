// Where meshctl keeps what a run must outlive (journals, saved rollback and
// finalize plans, and the locks on journals): a local directory, or a prefix
// of an S3 bucket that a team and its CI jobs share. Both are one small
// interface: list, read with a version (an ETag), conditional writes and
// deletes. What is decided about locks is decided here, as plain data.
import { ExpectedError } from '../util/expected-error.js';
import { localTime } from '../util/local-time.js';

/** A write that succeeds only if nothing is there yet, or only if what is there is still the version read. */
export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface StateDocument {
  text: string;
  /** The version read: an S3 ETag, or a hash of a local file's content. */
  etag: string;
}

export interface StateBackend {
  readonly kind: 'local' | 's3';
  /** The directory or s3://BUCKET/PREFIX. */
  readonly where: string;
  /** S3 only: how long a lock holds without a heartbeat (a local lock is judged by its process). */
  readonly lockTtlMs?: number;
  /** How a document is named to users and in other documents: a path, or an s3:// URL. */
  locate(name: string): string;
  /** The names of the documents directly under the state. */
  list(): Promise<string[]>;
  read(name: string): Promise<StateDocument | undefined>;
  /** Writes the document, returning its new version; a condition that does not hold is a StateConflictError. */
  write(name: string, text: string, condition?: WriteCondition): Promise<string>;
  /** Deletes the document (nothing there is fine); with ifMatch, only that version. */
  delete(name: string, ifMatch?: string): Promise<void>;
  /** Local only: removes a document synchronously, for the process's last moments (its own lock). */
  deleteNow?(name: string): void;
  /** S3 only: the bucket's versioning and default encryption, for precheck. */
  readBucketSettings?(): Promise<StateBucketFacts>;
}

/** A document of a state: the backend that holds it and its name there. */
export interface StateRef {
  state: StateBackend;
  name: string;
}

export const locationOf = (ref: StateRef): string => ref.state.locate(ref.name);

/** "under .meshctl/" or "in s3://bucket/prefix", for messages. */
export const inState = (state: StateBackend): string => (state.kind === 'local' ? `under ${state.where}/` : `in ${state.where}`);

/** A conditional write or delete found another version there (or none, or one already). */
export class StateConflictError extends ExpectedError {
  constructor(readonly location: string, readonly condition: WriteCondition | { delete: string }) {
    super(`${location} changed under this run (${'ifNoneMatch' in condition ? 'it exists already' : 'it is no longer the version read'})`);
  }
}

/** The state cannot be used as given (bad URL, missing bucket, --fixtures with S3). */
export class StateError extends ExpectedError {}

export type StateLocation = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

// Amazon S3 User Guide, "General purpose bucket naming rules".
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** s3://BUCKET/PREFIX, or a local directory. */
export function parseStateUrl(value: string): StateLocation {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (value.trim() === '') throw new StateError('the state is empty: give s3://BUCKET/PREFIX or a local directory');
    return { kind: 'local', dir: value.replace(/\/+$/, '') || '/' };
  }
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(value) ?? /^s3:\/\/([^/]+)$/.exec(value);
  if (!match) throw new StateError(`${value} is not a state URL: expected s3://BUCKET/PREFIX, or a local directory`);
  const bucket = match[1]!;
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new StateError(`${value}: ${bucket} is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`);
  }
  if (prefix === '') throw new StateError(`${value} has no prefix: give s3://${bucket}/PREFIX (meshctl keeps its journals and locks under it, and the IAM policy is scoped to it)`);
  return { kind: 's3', bucket, prefix };
}

/** A document's location split into its state and name: s3://B/P/NAME, or DIR/NAME. */
export function splitLocation(location: string): { state: StateLocation; name: string } {
  const s3 = /^s3:\/\/([^/]+)\/(?:(.*)\/)?([^/]+)$/.exec(location);
  if (s3) return { state: { kind: 's3', bucket: s3[1]!, prefix: s3[2] ?? '' }, name: s3[3]! };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new StateError(`${location} is not a journal or plan location: expected s3://BUCKET/PREFIX/NAME or a file path`);
  const slash = location.lastIndexOf('/');
  return { state: { kind: 'local', dir: slash < 0 ? '.' : location.slice(0, slash) || '/' }, name: location.slice(slash + 1) };
}

/** What precheck reads of an S3 state bucket: versioning and default encryption, or why they could not be read. */
export interface StateBucketFacts {
  url: string;
  bucket: string;
  exists: boolean;
  /** Enabled, Suspended, or none (never enabled). */
  versioning?: string;
  /** The default encryption's algorithm (AES256, aws:kms, aws:kms:dsse), or none. */
  encryption?: string;
  /** The reads AWS refused, as s3:Action (code). */
  unreadable?: string[];
}

/** What a lock object says about its holder. */
export interface LockRecord {
  /** What `meshctl unlock` takes. */
  id: string;
  /** The journal it locks. */
  journal: string;
  command: string;
  user: string;
  host: string;
  pid: number;
  startedAt: string;
  /** S3 locks: refreshed while held; the lock expires ttlSeconds after the last one. */
  heartbeatAt?: string;
  ttlSeconds?: number;
}

export const lockName = (journalName: string): string => `${journalName}.lock`;

/** Whether a lock found in place may be taken over without `meshctl unlock`, and why. */
export function staleLock(lock: LockRecord | undefined, now: number, here: { host: string; alive: (pid: number) => boolean }, ttlRule: boolean): string | undefined {
  if (!lock) return undefined;
  if (ttlRule) {
    // Only the time the lock states: a pid means nothing on another machine (or in another container of this one).
    if (!lock.heartbeatAt || !lock.ttlSeconds) return undefined;
    const age = now - Date.parse(lock.heartbeatAt);
    return age > lock.ttlSeconds * 1000 ? `its last heartbeat (${localTime(lock.heartbeatAt)}) is older than its ${lock.ttlSeconds}s TTL` : undefined;
  }
  return lock.host === here.host && !here.alive(lock.pid) ? `its process ${lock.pid} on this host is gone` : undefined;
}

/** "meshctl apply (alice, pid 4242 on ci-runner-7, since …; heartbeat …, expires …)". */
export function describeHolder(lock: LockRecord): string {
  const beat = lock.heartbeatAt && lock.ttlSeconds
    ? `; last heartbeat ${localTime(lock.heartbeatAt)}, expires ${localTime(new Date(Date.parse(lock.heartbeatAt) + lock.ttlSeconds * 1000))} without one`
    : '';
  return `${lock.command} (${lock.user ? `${lock.user}, ` : ''}pid ${lock.pid} on ${lock.host}, since ${localTime(lock.startedAt)}${beat})`;
}
