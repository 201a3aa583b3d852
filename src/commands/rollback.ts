// meshctl rollback: services back on their previous task definition (from the
// journal, or the ACTIVE revision before the current one), then the revision
// rolled back from is deregistered so nobody redeploys it by mistake.
import chalk from 'chalk';
import { JournalStore, latestJournal, readJournal, type Journal, type JournalService } from '../apply/journal.js';
import { lockJournal } from '../apply/journal-lock.js';
import { onInterrupt } from '../cli/interrupt.js';
import { waitForRollouts } from '../apply/wait.js';
import { AwsCallError, type AwsCaller } from '../aws/caller.js';
import { readEstate } from '../aws/read-estate.js';
import { confirm } from '../cli/confirm.js';
import { openAws, writeErr, writeOut, type GlobalOptions } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../cli/exit-codes.js';
import { createProgress } from '../cli/progress.js';
import type { Service } from '../core/estate.js';
import { meshStatus } from '../core/service-facts.js';
import { parseDuration } from '../util/duration.js';
import { stableStringify } from '../util/stable-json.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface RollbackOptions extends GlobalOptions {
  cluster?: string;
  service?: string[];
  journal?: string;
  toRevision?: string;
  keepRevision?: boolean;
  removeMeshResources?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  wait: boolean;
  waitTimeout: string;
  pollInterval: string;
}

interface RollbackTarget {
  label: string;
  cluster: string;
  service: string;
  from: string;
  to: string;
  serviceRegistries?: unknown[];
  serviceConnectConfiguration?: unknown;
  journalEntry?: JournalService;
}

const familyOf = (arn: string) => arn.split('/').pop()!.split(':')[0]!;
const revisionOf = (arn: string) => Number(arn.split(':').pop());
const short = (arn: string) => arn.split('/').pop()!;

/** The ACTIVE revision of the family just before `current`. */
async function previousActiveRevision(aws: AwsCaller, current: string): Promise<string | undefined> {
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

async function requireActive(aws: AwsCaller, arn: string): Promise<void> {
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

/** What a rollback of blue-green moves removes: the green services and their target groups. */
const GREEN_KINDS = new Set(['EcsService', 'TargetGroup']);

function restoresFor(journal: Journal, labels: Set<string>) {
  return [...(journal.restores ?? [])].reverse().filter((r) => r.ecsService && labels.has(r.ecsService));
}

function updateInput(t: RollbackTarget): Record<string, unknown> {
  return {
    cluster: t.cluster, service: t.service, taskDefinition: t.to,
    ...(t.serviceRegistries && { serviceRegistries: t.serviceRegistries }),
    ...(t.serviceConnectConfiguration !== undefined && { serviceConnectConfiguration: t.serviceConnectConfiguration }),
  };
}

const DELETE_ORDER = ['EcsService', 'TargetGroup', 'VirtualService', 'Route', 'VirtualRouter', 'VirtualNode', 'Service', 'Namespace', 'Mesh'];

/**
 * Deletes what apply created for the services now back on their old
 * revision, in reverse dependency order; the mesh goes only when every
 * service of the journal is back. Nothing apply did not create is touched.
 */
async function removeCreatedResources(aws: AwsCaller, journal: Journal, rolledBack: Set<string>, dryRun: boolean, kinds?: Set<string>): Promise<string[]> {
  const back = (label: string) => rolledBack.has(label) || journal.services[label]?.state === 'rolled-back';
  const allBack = Object.keys(journal.services).every(back);
  const lines: string[] = [];
  const ordered = journal.created.filter((c) => !kinds || kinds.has(c.kind)).sort((a, b) => DELETE_ORDER.indexOf(a.kind) - DELETE_ORDER.indexOf(b.kind));
  for (const resource of ordered) {
    const label = `${resource.service === 'appmesh' ? resource.kind : resource.service === 'ecs' ? 'ECS service' : resource.service === 'elbv2' ? 'target group' : `Cloud Map ${resource.kind === 'Namespace' ? 'namespace' : 'service'}`} ${Object.values(resource.identity).join('/')}`;
    if (resource.ecsService ? !back(resource.ecsService) : !allBack) {
      lines.push(`kept ${label}: ${resource.ecsService ?? 'services migrated by this journal'} still on the mesh`);
      continue;
    }
    const operation = resource.service === 'appmesh' || resource.service === 'elbv2' ? `Delete${resource.kind}` : resource.kind === 'Namespace' ? 'DeleteNamespace' : 'DeleteService';
    // A green service created beside an App Mesh one goes even with tasks running.
    const input = resource.kind === 'EcsService' ? { ...resource.identity, force: true } : resource.identity;
    if (dryRun) {
      lines.push(`would send ${resource.service} ${operation} ${stableStringify(input)}`);
      continue;
    }
    try {
      await aws.call(resource.service, operation, input);
      lines.push(`deleted ${label}`);
    } catch (error) {
      if (!(error instanceof AwsCallError && /NotFound/.test(error.code))) throw error;
      lines.push(`already gone: ${label}`);
    }
    journal.created = journal.created.filter((c) => c !== resource);
  }
  return lines;
}

export async function runRollback(options: RollbackOptions): Promise<number> {
  const path = options.journal ?? await latestJournal();
  // Never beside a running apply or another rollback of the same journal (a dry run changes nothing and takes no lock).
  const release = path && !options.dryRun ? await lockJournal(path, 'meshctl rollback') : undefined;
  const disarm = options.dryRun ? undefined : onInterrupt(async () => `interrupted: run the same meshctl rollback again to finish${path ? ` (journal ${path})` : ''}`);
  try {
    return await rollback(options, path);
  } finally {
    disarm?.();
    await release?.();
  }
}

async function rollback(options: RollbackOptions, path: string | undefined): Promise<number> {
  const timeoutMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const pollMs = parseDuration(options.pollInterval, '--poll-interval');
  if (options.toRevision !== undefined && !/^[1-9]\d*$/.test(options.toRevision)) throw new UsageError(`--to-revision ${options.toRevision} is not a revision number`);
  const journal = path ? await readJournal(path) : undefined;
  if (!journal && (!options.service || options.service.length === 0)) {
    throw new UsageError('no journal under .meshctl/ to roll back from: name the services with --service (and --cluster), or pass --journal FILE');
  }
  if (options.fixtures && !options.dryRun) {
    throw new UsageError('--fixtures replays a recording and can change nothing: add --dry-run to see what rollback would send');
  }
  const session = await openAws(options, { allowMutations: !options.dryRun });
  if (journal && journal.region !== session.region) throw new UsageError(`the journal ${path} is for ${journal.region}; pass --region ${journal.region}`);

  const named = options.service ?? [];
  const inJournal = journal
    ? Object.entries(journal.services).filter(([, s]) => (!options.cluster || s.cluster === options.cluster) && (named.length === 0 || named.includes(s.service)))
    : [];
  const notes: string[] = [];
  if (journal) {
    for (const name of named.filter((n) => !inJournal.some(([, s]) => s.service === n))) {
      notes.push(`${name}: not migrated by meshctl (not in ${path}); nothing to roll back`);
    }
  }
  const clusters = journal ? [...new Set(inJournal.map(([, s]) => s.cluster))] : options.cluster ? [options.cluster] : undefined;
  const services = journal ? inJournal.map(([, s]) => s.service) : named;
  // A service of the journal deleted since is reported below, and the others roll back.
  const estate = services.length > 0 ? await readEstate(session.aws, session.region, { clusters, services, allowMissing: journal !== undefined }) : undefined;
  const live = (cluster: string, name: string): Service | undefined =>
    estate?.clusters.find((c) => c.name === cluster)?.services.find((s) => s.name === name);

  const targets: RollbackTarget[] = [];
  const candidates = journal
    ? inJournal.map(([label, entry]) => ({ label, cluster: entry.cluster, service: entry.service, entry }))
    : (estate?.clusters ?? []).flatMap((c) => c.services.map((s) => ({ label: `${c.name}/${s.name}`, cluster: c.name, service: s.name, entry: undefined })));
  for (const candidate of candidates) {
    const service = live(candidate.cluster, candidate.service);
    if (!service) {
      notes.push(`${candidate.label}: the service no longer exists; nothing to roll back`);
      continue;
    }
    const current = service.taskDefinitionArn;
    let to: string | undefined;
    if (options.toRevision) to = current.replace(/:\d+$/, `:${options.toRevision}`);
    else if (candidate.entry) to = candidate.entry.previousTaskDefinition;
    else if (meshStatus(service, estate!.taskDefinitions[current]) === 'none') {
      notes.push(`${candidate.label}: not on a mesh (runs ${short(current)}); nothing to roll back (use --to-revision to pick a revision anyway)`);
      continue;
    } else to = await previousActiveRevision(session.aws, current);
    if (!to) {
      notes.push(`${candidate.label}: no ACTIVE revision before ${short(current)}; nothing to roll back to`);
      continue;
    }
    if (to === current) {
      // Blue-green moves leave the original service as it was; rollback removes the green one below.
      if (!candidate.entry?.greenService) notes.push(`${candidate.label}: already on ${short(current)}; nothing to do`);
      continue;
    }
    await requireActive(session.aws, to);
    const registriesChanged = candidate.entry && stableStringify(candidate.entry.previousServiceRegistries) !== stableStringify(service.serviceRegistries);
    const previousConnect = candidate.entry?.previousServiceConnect ?? { enabled: false };
    const connectChanged = candidate.entry && stableStringify(previousConnect) !== stableStringify(service.serviceConnect ?? { enabled: false });
    targets.push({
      label: candidate.label, cluster: candidate.cluster, service: candidate.service, from: current, to,
      ...(registriesChanged && { serviceRegistries: candidate.entry!.previousServiceRegistries }),
      ...(connectChanged && { serviceConnectConfiguration: previousConnect }),
      journalEntry: candidate.entry,
    });
  }

  for (const note of notes) writeOut(note);
  const greens = inJournal.filter(([, s]) => s.greenService && journal!.created.some((c) => c.kind === 'EcsService' && c.ecsService === `${s.cluster}/${s.service}`));
  for (const [label, s] of greens) writeOut(`${label}: delete the green service ${s.cluster}/${s.greenService} apply created`);
  if (targets.length === 0 && greens.length === 0 && !options.removeMeshResources) return EXIT_OK;
  for (const t of targets) writeOut(`${t.label}: ${short(t.from)} → ${short(t.to)}${options.keepRevision ? '' : `, then deregister ${short(t.from)}`}`);

  if (options.dryRun) {
    for (const t of targets) {
      writeOut(`would send ecs UpdateService ${stableStringify(updateInput(t))}`);
      if (!options.keepRevision) writeOut(`would send ecs DeregisterTaskDefinition ${stableStringify({ taskDefinition: t.from })}`);
    }
    const labels = new Set([...targets.map((t) => t.label), ...greens.map(([l]) => l)]);
    if (journal && greens.length > 0) {
      for (const r of restoresFor(journal, labels)) writeOut(`would send elbv2 ${r.operation} ${stableStringify(r.input)}`);
      for (const line of await removeCreatedResources(session.aws, journal, labels, true, GREEN_KINDS)) writeOut(line);
    }
    if (options.removeMeshResources && journal) for (const line of await removeCreatedResources(session.aws, journal, labels, true)) writeOut(line);
    return EXIT_OK;
  }
  if ((targets.length > 0 || greens.length > 0) && !options.yes) {
    if (!process.stdin.isTTY) throw new UsageError('rollback asks for confirmation, and there is no terminal to ask on: pass --yes');
    if (!(await confirm(`Roll back ${targets.length + greens.length} service(s)?`))) {
      writeErr('Nothing rolled back.');
      return EXIT_OK;
    }
  }

  const store = journal && path ? new JournalStore(path, journal) : undefined;
  for (const t of targets) {
    await session.aws.call('ecs', 'UpdateService', updateInput(t));
    writeErr(`${chalk.green('✔')} ${t.label}: UpdateService to ${short(t.to)}`);
  }
  let failed = false;
  const settled = new Set<string>(targets.map((t) => t.label));
  if (options.wait && targets.length > 0) {
    const progress = createProgress(options.output === 'json');
    const results = await waitForRollouts(session.aws, targets.map((t) => ({ label: t.label, cluster: t.cluster, service: t.service, taskDefinition: t.to })), {
      timeoutMs, pollMs, onProgress: (p) => progress.rollouts(p),
    });
    progress.stop();
    for (const r of results.filter((x) => x.outcome !== 'completed')) {
      failed = true;
      settled.delete(r.label);
      writeOut(`${chalk.red('×')} ${r.label}: rollback deployment ${r.outcome}${r.reason ? `: ${r.reason}` : ''}; ${'kept the revision rolled back from'}`);
      for (const e of r.events.slice(0, 5)) writeOut(chalk.dim(`    ${e}`));
    }
  }
  for (const t of targets.filter((x) => settled.has(x.label))) {
    if (!options.keepRevision) {
      await session.aws.call('ecs', 'DeregisterTaskDefinition', { taskDefinition: t.from });
      writeOut(`${chalk.green('✔')} ${t.label}: back on ${short(t.to)}; deregistered ${short(t.from)}`);
    } else writeOut(`${chalk.green('✔')} ${t.label}: back on ${short(t.to)}; kept ${short(t.from)}`);
    if (t.journalEntry) t.journalEntry.state = 'rolled-back';
  }
  if (journal && greens.length > 0) {
    const greenLabels = new Set(greens.map(([l]) => l));
    // Listener rules go back to forwarding only to blue before the green target groups can go.
    for (const r of restoresFor(journal, greenLabels)) {
      await session.aws.call('elbv2', r.operation, r.input);
      writeOut(`${chalk.green('✔')} restored ${r.operation === 'ModifyRule' ? 'listener rule' : 'listener'} ${String(r.input.RuleArn ?? r.input.ListenerArn).split('/').slice(-2).join('/')}`);
      journal.restores = (journal.restores ?? []).filter((x) => x !== r);
    }
    for (const line of await removeCreatedResources(session.aws, journal, greenLabels, false, GREEN_KINDS)) writeOut(line);
    for (const [, s] of greens) s.state = 'rolled-back';
    for (const [l] of greens) settled.add(l);
  }
  if (store) await store.save();
  if (options.removeMeshResources) {
    if (!journal) throw new UsageError('--remove-mesh-resources deletes what apply created, which only a journal records: pass --journal FILE');
    for (const line of await removeCreatedResources(session.aws, journal, settled, false)) writeOut(line);
    await store!.save();
  }
  return failed ? EXIT_FINDINGS : EXIT_OK;
}
