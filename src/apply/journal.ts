// The apply journal: written before the first mutation and rewritten
// atomically (write, then rename) after every step, so a crash at any point
// leaves a journal a re-run resumes from. It records each service's previous
// task definition and registries (what rollback restores) and every resource
// apply created (what --remove-mesh-resources may delete).
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { redactDeep } from '../core/redact.js';
import { ExpectedError } from '../util/expected-error.js';

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

export function journalPath(fingerprint: string, dir = JOURNAL_DIR): string {
  return join(dir, `journal-${fingerprint.replace(/^sha256:/, '').slice(0, 16)}.json`);
}

export class JournalStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string, readonly journal: Journal) {}

  /** Rewrites the journal atomically; writes are serialized so the newest state always lands last. */
  save(): Promise<void> {
    this.journal.updatedAt = new Date().toISOString();
    const text = `${JSON.stringify(redactDeep(this.journal), null, 2)}\n`;
    const tmp = `${this.path}.tmp`;
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, this.path);
    });
    return this.writing;
  }

  step(id: string): JournalStep {
    return (this.journal.steps[id] ??= { status: 'pending' });
  }
}

export async function readJournal(path: string): Promise<Journal> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new JournalError(`cannot read journal ${path}; pass an existing journal with --journal FILE`);
  }
  try {
    const journal = JSON.parse(text) as Journal;
    if (journal.tool !== 'meshctl' || journal.formatVersion !== JOURNAL_FORMAT_VERSION) throw new Error('not a meshctl journal');
    return journal;
  } catch (error) {
    throw new JournalError(`${path} is not a meshctl journal (${(error as Error).message})`);
  }
}

/** Opens the plan's journal to resume it, or starts a fresh one. A journal of another plan is refused. */
export async function openJournal(path: string, planFingerprint: string, fresh: () => Journal): Promise<{ store: JournalStore; resumed: boolean }> {
  try {
    const existing = await readJournal(path);
    if (existing.planFingerprint !== planFingerprint) {
      throw new JournalError(`the journal ${path} belongs to another plan (${existing.planFingerprint.slice(0, 19)}…, this one is ${planFingerprint.slice(0, 19)}…): finish or roll back that one first (meshctl rollback --journal ${path}), or move the journal away`);
    }
    return { store: new JournalStore(path, existing), resumed: true };
  } catch (error) {
    if (error instanceof JournalError && /cannot read/.test(error.message)) return { store: new JournalStore(path, fresh()), resumed: false };
    throw error;
  }
}

/** The journal most recently written under .meshctl/, if any: of an apply, or of any plan (apply, rollback, finalize). */
export async function latestJournal(dir = JOURNAL_DIR, kind: 'apply' | 'any' = 'any'): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^journal-[0-9a-f]+\.json$/.test(n));
  } catch {
    return undefined;
  }
  const dated = await Promise.all(names.map(async (name) => {
    const journal = await readJournal(join(dir, name)).catch(() => undefined);
    const isApply = journal?.undoes === undefined && journal?.finalizes === undefined;
    const wanted = journal !== undefined && (kind === 'any' || (kind === 'apply') === isApply);
    return { path: join(dir, name), updatedAt: wanted ? journal.updatedAt : undefined };
  }));
  return dated.filter((d) => d.updatedAt !== undefined).sort((a, b) => b.updatedAt!.localeCompare(a.updatedAt!))[0]?.path;
}
