// The state of a run: where its new journals and saved plans go (--state,
// else meshctl.yaml's state:, else ./.meshctl), and the document at any
// location a flag, a journal or a plan names. An S3 state is reached with
// the credentials of one account of the run (state.account, default the
// caller's own): the bucket lives in one account, whatever the run spans.
import type { AccountSession } from '../aws/accounts.js';
import type { AwsCaller } from '../aws/caller.js';
import { s3State } from '../aws/s3-state.js';
import { parseStateUrl, splitLocation, StateError, type StateBackend, type StateLocation, type StateRef } from '../core/state.js';
import { JOURNAL_DIR, latestJournal, readJournal, type LoadedJournal } from './journal.js';
import { localState } from './local-state.js';

export const DEFAULT_LOCK_TTL_MS = 10 * 60_000;

export interface StateSettings {
  /** s3://BUCKET/PREFIX or a directory. */
  url: string;
  /** The account (by name) whose credentials reach an S3 state; default the caller's own. */
  account?: string;
  kmsKeyId?: string;
  lockTtlMs: number;
}

export const DEFAULT_STATE: StateSettings = { url: JOURNAL_DIR, lockTtlMs: DEFAULT_LOCK_TTL_MS };

export interface RunState {
  /** Where new journals and saved plans go. */
  home: StateBackend;
  /**
   * The document at a location: an s3:// URL or a path. With an S3 state, a
   * path under .meshctl/ names the document of that name in the state when it
   * is there: plans saved before `meshctl state push` name their journal so.
   */
  find(location: string): Promise<StateRef>;
  /** For an S3 state: where it is and whose credentials reach it. */
  banner?: string;
}

/** The caller that reaches an S3 state, and how to say whose it is. */
function stateCaller(accounts: AccountSession[], settings: StateSettings): { aws: AwsCaller; whose: string } {
  const several = accounts.length > 1 || accounts.some((a) => a.id !== undefined);
  const account = settings.account ? accounts.find((a) => a.name === settings.account) : accounts.find((a) => a.home);
  if (!account) {
    const which = settings.account ? `account ${settings.account}'s credentials (state.account)` : 'the caller\'s own credentials';
    throw new StateError(`the state ${settings.url} is reached with ${which}, which --account leaves out of this run: add --account ${settings.account ?? accounts.find((a) => a.home)?.name ?? 'caller'}`);
  }
  const whose = several || settings.account ? `credentials of account ${account.name}${account.id ? ` (${account.id})` : ''}` : 'the caller\'s own credentials';
  return { aws: account.aws, whose };
}

/** Opens the run's state; `accounts` are needed only when it is in S3 (undefined: with --fixtures, which reach no S3). */
export function openState(settings: StateSettings, accounts: AccountSession[] | undefined): RunState {
  const location = parseStateUrl(settings.url);
  let reach: { aws: AwsCaller; whose: string } | undefined;
  const s3 = new Map<string, StateBackend>();
  const backendOf = (at: StateLocation): StateBackend => {
    if (at.kind === 'local') return localState(at.dir);
    if (!accounts) throw new StateError(`--fixtures replays a recording and reaches no S3, so the state s3://${at.bucket}/${at.prefix} cannot be read: pass --state .meshctl (a local directory) to run on fixtures`);
    reach ??= stateCaller(accounts, settings);
    const key = `${at.bucket}/${at.prefix}`;
    if (!s3.has(key)) s3.set(key, s3State(reach.aws, { bucket: at.bucket, prefix: at.prefix, kmsKeyId: settings.kmsKeyId, lockTtlMs: settings.lockTtlMs }));
    return s3.get(key)!;
  };
  const home = backendOf(location);
  const sameDir = (dir: string, other: string | undefined) => other !== undefined && dir.replace(/^\.\//, '') === other.replace(/^\.\//, '');
  return {
    home,
    ...(home.kind === 's3' && { banner: `state: ${home.where} (${reach!.whose})` }),
    async find(where) {
      const { state, name } = splitLocation(where);
      if (state.kind === 's3') return { state: backendOf(state), name };
      if (home.kind === 's3' && sameDir(state.dir, JOURNAL_DIR) && (await home.read(name))) return { state: home, name };
      return { state: sameDir(state.dir, location.kind === 'local' ? location.dir : undefined) ? home : localState(state.dir), name };
    },
  };
}

/** The journal a command works on: the one --journal names (a path or an s3:// URL), else the latest in the state. */
export async function journalFor(state: RunState, location: string | undefined, kind: 'apply' | 'any'): Promise<LoadedJournal | undefined> {
  return location ? readJournal(await state.find(location)) : latestJournal(state.home, kind);
}
