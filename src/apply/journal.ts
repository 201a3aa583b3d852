// The apply journal: written before the first mutation and rewritten whole
// after every step, in the state (a local directory or an S3 prefix), so a
// crash at any point leaves a journal a re-run resumes from, wherever it runs. It records each service's previous
// task definition and registries (what rollback restores) and every resource
// apply created (what --remove-mesh-resources may delete).
import { AwsCallError } from '../aws/caller.js';
import { redactDeep } from '../core/redact.js';
import { locationOf, StateConflictError, type StateBackend, type StateRef } from '../core/state.js';
import { ExpectedError } from '../util/expected-error.js';

/** The default state: a directory of the directory meshctl runs in. */
export const JOURNAL_DIR = '.meshctl';
export const JOURNAL_FORMAT_VERSION = 1;

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface JournalStep {
  status: StepStatus;
  output?: unknown;
  error?: string;
}

export interface JournalService {
  cluster: string;
  service: string;
  serviceArn: string;
  /** The account the service runs in. */
  account?: string;
  previousTaskDefinition: string;
  previousServiceRegistries: unknown[];
  previousServiceConnect?: unknown;
  newTaskDefinition?: string;
  /** Blue-green moves: the green service created beside this one; deployments are awaited there. */
  greenService?: string;
  /** ECS-managed moves (ecs-canary, ecs-linear, ecs-blue-green): the strategy, and the service deployment ECS runs. */
  cutover?: string;
  serviceDeployment?: string;
  /** ECS-managed moves: what rollback restores besides the revision (the strategy and its settings, the load balancers without advancedConfiguration). */
  previousDeploymentConfiguration?: Record<string, unknown>;
  previousLoadBalancers?: unknown[];
  /** finalized: blue is gone and green is the service; nothing left to roll back. */
  state: 'pending' | 'updated' | 'stable' | 'failed' | 'rolled-back' | 'finalized';
  message?: string;
}

export interface CreatedResource {
  step: string;
  service: 'appmesh' | 'servicediscovery' | 'ecs' | 'elbv2' | 'application-autoscaling' | 'cloudwatch' | 'ram';
  kind: string;
  /** The identifying input fields (meshName, virtualNodeName, Id…) needed to delete it. */
  identity: Record<string, string>;
  /** The ECS service (cluster/service) it was created for; none for shared resources (the mesh). */
  ecsService?: string;
  /** The account it was created in. */
  account?: string;
}

/** An operation that puts back what a step changed in place (listener rules' actions), for rollback. */
export interface Restore {
  step: string;
  service: 'elbv2';
  operation: string;
  input: Record<string, unknown>;
  ecsService?: string;
  /** The account of the rule or listener. */
  account?: string;
}

export interface Journal {
  formatVersion: number;
  tool: 'meshctl';
  planFingerprint: string;
  region: string;
  target: string;
  mesh: string;
  startedAt: string;
  updatedAt: string;
  services: Record<string, JournalService>;
  steps: Record<string, JournalStep>;
  created: CreatedResource[];
  restores?: Restore[];
  /** The journal of a rollback plan: the apply journal it undoes ('' when services were named without one). */
  undoes?: string;
  /** The journal of a finalize plan: the apply journal whose blue-green moves it finishes. */
  finalizes?: string;
  /** On an apply journal: the saved plan of a rollback that has not finished, which the next meshctl rollback finishes first. */
  pendingRollback?: string;
  /** On an apply journal: the journal of the rollback that put services of it back (the plan cannot be applied again). */
  rolledBackBy?: string;
  /** On an apply journal with blue-green moves: where meshctl shift has taken the traffic. */
  shift?: ShiftRecord;
}

export interface ShiftRecord {
  steps: number[];
  /** Green's weight as last set, and when. */
  weight: number;
  since: string;
  /** The last weight that held through its wait without an alarm: where a failed step goes back to. */
  lastGood: number;
  state: 'shifting' | 'done' | 'stepped-back';
  reason?: string;
}

export class JournalError extends ExpectedError {}

/**
 * The journal could not be saved (the state unreachable after the SDK's
 * retries, a lost race on its version, the lock lost): the run stops before
 * its next change, since nothing may be changed without a durable record.
 */
export class JournalSaveError extends ExpectedError {
  constructor(readonly location: string, readonly reason: string) {
    super(`could not save the journal ${location}: ${reason}`);
  }
}

/** The journal's name in its state: journal-<first 16 hex digits of the plan fingerprint>.json. */
export function journalName(fingerprint: string): string {
  return `journal-${fingerprint.replace(/^sha256:/, '').slice(0, 16)}.json`;
}

/** A rollback or finalize plan saved beside the journals, by its fingerprint. */
export function planName(kind: 'rollback' | 'finalize', fingerprint: string): string {
  return `${kind}-${fingerprint.replace(/^sha256:/, '').slice(0, 16)}.json`;
}

export const isJournalName = (name: string): boolean => /^journal-[0-9a-f]+\.json$/.test(name);

export interface LoadedJournal {
  ref: StateRef;
  journal: Journal;
  /** The version read: every save is conditional on it. */
  etag?: string;
}

export class JournalStore {
  private writing: Promise<void> = Promise.resolve();

  /** `guard` throws when the run may no longer write (its lock lost). */
  constructor(readonly ref: StateRef, readonly journal: Journal, private etag?: string, private readonly guard?: () => void) {}

  get location(): string {
    return locationOf(this.ref);
  }

  /**
   * Rewrites the journal whole, on the version last read or written (created
   * only if absent the first time): a journal changed by anyone else is a
   * conflict, never overwritten. Writes are serialized so the newest state
   * always lands last. A failed save fails every later one (the chain stays
   * rejected): the run stops.
   */
  save(): Promise<void> {
    this.journal.updatedAt = new Date().toISOString();
    const text = `${JSON.stringify(redactDeep(this.journal), null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      try {
        this.guard?.();
        this.etag = await this.ref.state.write(this.ref.name, text, this.etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: this.etag });
      } catch (error) {
        throw saveFailure(this.location, error);
      }
    });
    return this.writing;
  }

  step(id: string): JournalStep {
    return (this.journal.steps[id] ??= { status: 'pending' });
  }
}

function saveFailure(location: string, error: unknown): Error {
  if (error instanceof StateConflictError) {
    return new JournalSaveError(location, 'someone else changed it since this run read it (another meshctl, or a hand edit): this run does not overwrite it');
  }
  if (error instanceof JournalSaveError || !(error instanceof Error)) return error as Error;
  return new JournalSaveError(location, error instanceof AwsCallError ? `AWS ${error.service}:${error.operation} failed (${error.code}): ${error.message.split('\n')[0]}` : error.message);
}

export async function readJournal(ref: StateRef): Promise<LoadedJournal> {
  const location = locationOf(ref);
  const found = await ref.state.read(ref.name).catch((error: unknown) => {
    // Only a local file that cannot be read counts as missing; S3 says why (denied, unreachable).
    if (error instanceof ExpectedError || error instanceof AwsCallError) throw error;
    return undefined;
  });
  if (!found) throw new JournalError(`cannot read journal ${location}; pass an existing journal with --journal FILE`);
  try {
    const journal = JSON.parse(found.text) as Journal;
    if (journal.tool !== 'meshctl' || journal.formatVersion !== JOURNAL_FORMAT_VERSION) throw new Error('not a meshctl journal');
    return { ref, journal, etag: found.etag };
  } catch (error) {
    throw new JournalError(`${location} is not a meshctl journal (${(error as Error).message})`);
  }
}

/** Opens the plan's journal to resume it, or starts a fresh one. A journal of another plan is refused. */
export async function openJournal(ref: StateRef, planFingerprint: string, fresh: () => Journal, guard?: () => void): Promise<{ store: JournalStore; resumed: boolean }> {
  const location = locationOf(ref);
  if (!(await ref.state.read(ref.name))) return { store: new JournalStore(ref, fresh(), undefined, guard), resumed: false };
  const { journal, etag } = await readJournal(ref);
  if (journal.planFingerprint !== planFingerprint) {
    throw new JournalError(`the journal ${location} belongs to another plan (${journal.planFingerprint.slice(0, 19)}…, this one is ${planFingerprint.slice(0, 19)}…): finish or roll back that one first (meshctl rollback --journal ${location}), or move the journal away`);
  }
  return { store: new JournalStore(ref, journal, etag, guard), resumed: true };
}

/** The journal most recently written in the state, if any: of an apply, or of any plan (apply, rollback, finalize). */
export async function latestJournal(state: StateBackend, kind: 'apply' | 'any' = 'any'): Promise<LoadedJournal | undefined> {
  const names = (await state.list()).filter(isJournalName);
  const loaded = await Promise.all(names.map((name) => readJournal({ state, name }).catch((error: unknown) => {
    if (error instanceof JournalError) return undefined;
    throw error;
  })));
  const wanted = loaded.filter((l): l is LoadedJournal => {
    if (!l) return false;
    const isApply = l.journal.undoes === undefined && l.journal.finalizes === undefined;
    return kind === 'any' || (kind === 'apply') === isApply;
  });
  return wanted.sort((a, b) => b.journal.updatedAt.localeCompare(a.journal.updatedAt))[0];
}
