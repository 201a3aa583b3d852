// Plans a rollback: reads the services to put back (and, without a journal,
// the revision before the current one), checks the revisions to go back to
// are ACTIVE, and hands plain data to the pure planner in src/core/plan.
import type { Journal, JournalService } from '../apply/journal.js';
import { accountOfArn, callerFor, type AccountSession } from '../aws/accounts.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import { readAccountsEstate, readPerAccount } from '../aws/read-accounts.js';
import { readEdgeActions } from '../aws/read-edge.js';
import { placeInAccounts } from '../core/plan/accounts.js';
import { stableStringify } from '../util/stable-json.js';
import { UsageError } from '../cli/errors.js';
import type { Estate, Service } from '../core/estate.js';
import type { Plan } from '../core/plan/model.js';
import { planRollback, type RollbackInput, type RollbackMove } from '../core/plan/rollback.js';
import { meshStatus } from '../core/service-facts.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface RollbackSelection {
  cluster?: string[];
  service?: string[];
  /** The apply journal to undo, and its path; without one, services are named. */
  journal?: { path: string; data: Journal };
  toRevision?: string;
  keepRevision: boolean;
  removeMeshResources: boolean;
}

const familyOf = (arn: string) => arn.split('/').pop()!.split(':')[0]!;
const revisionOf = (arn: string) => Number(arn.split(':').pop());
const short = (arn: string) => arn.split('/').pop()!;

/** The ACTIVE revision of the family just before `current`. */
export async function previousActiveRevision(aws: AwsCaller, current: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await aws.call<Raw>('ecs', 'ListTaskDefinitions', { familyPrefix: familyOf(current), status: 'ACTIVE', sort: 'DESC', maxResults: 100, ...(nextToken && { nextToken }) });
    // Newest older revision first, whatever order the endpoint returned.
    const [older] = ((page.taskDefinitionArns ?? []) as string[])
      .filter((arn) => familyOf(arn) === familyOf(current) && revisionOf(arn) < revisionOf(current))
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    if (older) return older;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** ECS cannot point a service at an INACTIVE revision: refuse to plan it. */
export async function requireActive(aws: AwsCaller, arn: string): Promise<void> {
  let out: Raw;
  try {
    out = await aws.call<Raw>('ecs', 'DescribeTaskDefinition', { taskDefinition: arn });
  } catch (error) {
    if (error instanceof AwsCallError && /ClientException|InvalidParameter/.test(error.code)) throw new UsageError(`task definition ${short(arn)} does not exist; pick an ACTIVE revision with --to-revision`);
    throw error;
  }
  if (out.taskDefinition?.status !== 'ACTIVE') {
    throw new UsageError(`cannot roll back to ${short(arn)}: it is ${out.taskDefinition?.status}, and ECS cannot run an INACTIVE revision; pick an ACTIVE one with --to-revision`);
  }
}

/** What apply changed on a service besides its revision: Service Connect and registries (a Service Connect-only move keeps the revision). */
function configChanged(service: Service, entry: JournalService): boolean {
  return stableStringify(entry.previousServiceConnect ?? { enabled: false }) !== stableStringify(service.serviceConnect ?? { enabled: false })
    || stableStringify(entry.previousServiceRegistries) !== stableStringify(service.serviceRegistries);
}

/** The ECS-managed deployment of a service still running, if any (ListServiceDeployments, newest first). */
async function deploymentInProgress(aws: AwsCaller, service: Service): Promise<string | undefined> {
  const out = await aws.call<Raw>('ecs', 'ListServiceDeployments', { cluster: service.clusterName, service: service.name, status: ['PENDING', 'IN_PROGRESS'] });
  const briefs = ((out.serviceDeployments ?? []) as Raw[]).sort((a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')));
  return briefs[0]?.serviceDeploymentArn;
}

/** Did apply get as far as the service's load balancers or strategy? */
function managedConfigChanged(service: Service, entry: JournalService): boolean {
  const strategy = (c: Record<string, unknown> | undefined) => c?.strategy ?? 'ROLLING';
  return stableStringify(entry.previousLoadBalancers ?? []) !== stableStringify(service.loadBalancers)
    || strategy(entry.previousDeploymentConfiguration) !== strategy(service.settings?.deploymentConfiguration);
}

export async function computeRollbackPlan(session: { accounts: AccountSession[]; region: string }, selection: RollbackSelection): Promise<{ plan: Plan; estate?: Estate }> {
  const { accounts, region } = session;
  // Revisions are read in the account that owns them.
  const revisionCaller = (arn: string): AwsCaller => callerFor(accounts, accounts.length > 1 ? accountOfArn(arn) : undefined);
  const { journal } = selection;
  const named = selection.service ?? [];
  const inJournal = journal
    ? Object.entries(journal.data.services).filter(([, s]) => (!selection.cluster?.length || selection.cluster.includes(s.cluster)) && (named.length === 0 || named.includes(s.service)))
    : [];
  const notes: string[] = [];
  if (journal) {
    for (const name of named.filter((n) => !inJournal.some(([, s]) => s.service === n))) {
      notes.push(`${name}: not migrated by meshctl (not in ${journal.path}); nothing to roll back`);
    }
  }
  const clusters = journal ? [...new Set(inJournal.map(([, s]) => s.cluster))] : selection.cluster?.length ? selection.cluster : undefined;
  const services = journal ? inJournal.map(([, s]) => s.service) : named;
  // A service of the journal deleted since is reported, and the others roll back.
  const estate = services.length > 0 ? await readAccountsEstate(accounts, region, { clusters, services, allowMissing: journal !== undefined }) : undefined;
  const live = (cluster: string, name: string): Service | undefined =>
    estate?.clusters.find((c) => c.name === cluster)?.services.find((s) => s.name === name);

  const input: RollbackInput = {
    region, account: '', createdAt: new Date().toISOString(), ...(journal && { journal }),
    moves: [], greens: [], edgeActions: {}, alreadyBack: [],
    keepRevision: selection.keepRevision, removeMeshResources: selection.removeMeshResources, notes,
  };
  const candidates = journal
    ? inJournal.map(([label, entry]) => ({ label, cluster: entry.cluster, service: entry.service, entry }))
    : (estate?.clusters ?? []).flatMap((c) => c.services.map((s) => ({ label: `${c.name}/${s.name}`, cluster: c.name, service: s.name, entry: undefined })));
  for (const candidate of candidates) {
    if (candidate.entry?.state === 'finalized') {
      // Not back either: what it shares with others (the namespace) stays.
      notes.push(`${candidate.label}: finalized (its green twin ${candidate.entry.greenService} is the service now); nothing to roll back`);
      continue;
    }
    const service = live(candidate.cluster, candidate.service);
    if (!service) {
      notes.push(`${candidate.label}: the service no longer exists; nothing to roll back`);
      input.alreadyBack.push(candidate.label);
      continue;
    }
    input.account ||= accountOfArn(service.arn);
    const current = service.taskDefinitionArn;
    const green = candidate.entry?.greenService && candidate.entry.state !== 'rolled-back'
      && journal!.data.created.some((c) => c.kind === 'EcsService' && c.ecsService === candidate.label);
    let to: string | undefined;
    if (selection.toRevision) to = current.replace(/:\d+$/, `:${selection.toRevision}`);
    else if (candidate.entry) to = candidate.entry.previousTaskDefinition;
    else if (meshStatus(service, estate!.taskDefinitions[current]) === 'none') {
      notes.push(`${candidate.label}: not on a mesh (runs ${short(current)}); nothing to roll back (use --to-revision to pick a revision anyway)`);
      continue;
    } else to = await previousActiveRevision(revisionCaller(current), current);
    if (!to) {
      notes.push(`${candidate.label}: no ACTIVE revision before ${short(current)}; nothing to roll back to`);
      continue;
    }
    if (green) {
      // Blue-green moves left the blue service as it was: rollback removes the green one.
      input.greens.push({ label: candidate.label, live: service, entry: candidate.entry! });
      continue;
    }
    if (candidate.entry?.cutover && candidate.entry.state !== 'rolled-back' && !selection.toRevision) {
      // An ECS-managed move: stopped with rollback in mid-deployment, else back the way it came; then its strategy and load balancers.
      const inProgress = await deploymentInProgress(revisionCaller(service.arn), service);
      (input.managed ??= []).push({ label: candidate.label, live: service, entry: candidate.entry, configChanged: managedConfigChanged(service, candidate.entry), ...(inProgress && { inProgress }) });
      continue;
    }
    if (to === current && !(candidate.entry && configChanged(service, candidate.entry))) {
      notes.push(`${candidate.label}: already on ${short(current)}; nothing to do`);
      input.alreadyBack.push(candidate.label);
      continue;
    }
    await requireActive(revisionCaller(to), to);
    const move: RollbackMove = { label: candidate.label, live: service, to, ...(candidate.entry && { entry: candidate.entry }) };
    input.moves.push(move);
  }
  // Every journal service this run does not cover: back already, or not (its shared resources then stay).
  if (journal) {
    for (const [label, entry] of Object.entries(journal.data.services)) {
      if (entry.state === 'rolled-back' && !input.alreadyBack.includes(label)) input.alreadyBack.push(label);
    }
  }
  const restored = [...input.greens, ...(input.managed ?? [])].flatMap((g) => (journal?.data.restores ?? []).filter((r) => r.ecsService === g.label));
  if (restored.length > 0) {
    input.edgeActions = await readPerAccount(accounts, restored.map((r) => String(r.input.RuleArn ?? r.input.ListenerArn)), accountOfArn, readEdgeActions, (parts) => Object.assign({}, ...parts));
  }
  const plan = planRollback(input);
  // Each step in its service's account (as the journal recorded it), the caller's own the plan's.
  const home = accounts.find((a) => a.home)?.id ?? (accounts.length === 1 ? accounts[0]!.id : undefined) ?? plan.account;
  return { plan: estate ? placeInAccounts(plan, estate, home || plan.account, estate.accounts) : plan, ...(estate && { estate }) };
}
