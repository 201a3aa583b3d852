import { resolve } from 'node:path';
import { describeRevisions } from '../apply/apply-plan.js';
import { readOutsideServers } from '../aws/read-outside-servers.js';
import { cloudMapNames } from '../core/outside-servers.js';
import { accountOfArn, callerFor } from '../aws/accounts.js';
import { callerAccount } from '../aws/caller-identity.js';
import { readAccountsEstate, readPerAccount } from '../aws/read-accounts.js';
import { readEdge, readEdgeActions } from '../aws/read-edge.js';
import { mergeEdgeStates } from '../core/edge.js';
import { readAllMeshSpecs } from '../aws/read-mesh-specs.js';
import { readScaling } from '../aws/read-scaling.js';
import { scalingResourceId } from '../core/scaling.js';
import { meshStatus } from '../core/service-facts.js';
import { Recorder } from '../aws/recording.js';
import { previousActiveRevision, requireActive } from '../planning/rollback.js';
import { config, openAws, writeOut, type GlobalOptions } from '../cli/context.js';
import { readInfrastructureRole } from '../aws/read-role.js';
import { withUsageFlags, type UsageFlags } from '../cli/usage-flags.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';

export interface RecordOptions extends GlobalOptions, Pick<UsageFlags, 'usage' | 'usageWindow'> {
  out: string;
  cluster?: string[];
  service?: string[];
}

export async function runRecord(options: RecordOptions): Promise<number> {
  if (options.fixtures) {
    throw new UsageError('record reads a live endpoint; --fixtures replays a recording. Drop --fixtures (use --endpoint-url or --profile to choose the account)');
  }
  const settings = withUsageFlags(await config(options), options);
  const recorder = new Recorder();
  const session = await openAws(options, { allowMutations: false, recorder });
  // The reads of inspect and precheck, plus what planning reads: Cloud Map, the services' usage over
  // the window precheck and plan will read (replay matches it), and the mesh resources' specs.
  const { accounts } = session;
  const estate = await readAccountsEstate(accounts, session.region, {
    clusters: options.cluster, services: options.service, cloudMap: true, ...(settings.usage.read && { usage: { window: settings.usage.window } }),
  });
  // Each mesh is read in the account that owns it (when that account is in the run).
  await readPerAccount(accounts, estate.appMesh.meshes, (m) => accountOfArn(m.arn), (aws, meshes) => readAllMeshSpecs(aws, { ...estate, appMesh: { meshes } }), () => undefined);
  // And the load-balancer side of services on App Mesh, which blue-green plans read.
  const meshed = estate.clusters.flatMap((c) => c.services).filter((s) => meshStatus(s, estate.taskDefinitions[s.taskDefinitionArn]) === 'appmesh');
  const edge = await readPerAccount(accounts, meshed.flatMap((s) => s.loadBalancers.map((lb) => lb.targetGroupArn).filter((a): a is string => !!a)), accountOfArn, readEdge,
    mergeEdgeStates);
  // Their green twins copy their Application Auto Scaling.
  await readPerAccount(accounts, meshed, (s) => accountOfArn(s.arn), (aws, group) => readScaling(aws, group.map((s) => scalingResourceId(s.clusterName, s.name))), (parts) => Object.assign({}, ...parts));
  // apply re-reads the rules it will re-weight to check they did not change.
  if (edge.forwards.length > 0) {
    await readPerAccount(accounts, [...new Set(edge.forwards.map((f) => f.arn))], accountOfArn, readEdgeActions, (parts) => Object.assign({}, ...parts));
  }
  // rollback without a journal puts a service on a mesh back on the ACTIVE revision before its current one.
  const onMesh = estate.clusters.flatMap((c) => c.services).filter((s) => meshStatus(s, estate.taskDefinitions[s.taskDefinitionArn]) !== 'none');
  await readPerAccount(accounts, onMesh, (s) => accountOfArn(s.arn), async (aws, group) => {
    await Promise.all(group.map(async (s) => {
      const previous = await previousActiveRevision(aws, s.taskDefinitionArn);
      // An INACTIVE or missing one is recorded as read; rollback refuses it on replay as it would live.
      if (previous) await requireActive(aws, previous).catch(() => undefined);
    }));
  }, () => undefined);
  // precheck and plan read the configured infrastructure role of ECS-managed cut-overs.
  const role = (await config(options)).cutover.infrastructureRoleArn;
  if (role) await readPerAccount(accounts, [role], accountOfArn, (aws) => readInfrastructureRole(aws, role), (parts) => parts[0]!);
  // plan and precheck narrowed with --cluster/--service read who serves the names the selection calls: here every Cloud Map name's.
  const names = [...cloudMapNames(estate)].map(([name, registry]) => ({ name, registry, clients: [] }));
  await readPerAccount(accounts, names, (c) => accountOfArn(c.registry.arn), readOutsideServers, () => []);
  // apply --dry-run checks that each service's current revision is still ACTIVE, as apply does before each service starts.
  await readPerAccount(accounts, estate.clusters.flatMap((c) => c.services.map((s) => s.taskDefinitionArn)), accountOfArn, describeRevisions, () => undefined);
  // apply checks a plan's account against the caller's (a run over several accounts read every id when it opened).
  if (accounts.every((a) => a.id === undefined)) await callerAccount(callerFor(accounts, undefined));
  const files = await recorder.write(options.out, session.region);
  const services = estate.clusters.reduce((n, c) => n + c.services.length, 0);
  writeOut(options.output === 'json'
    ? JSON.stringify({ out: resolve(options.out), files, clusters: estate.clusters.length, services }, null, 2)
    : `recorded ${estate.clusters.length} cluster(s), ${services} service(s) from ${session.source} into ${options.out} (${files.join(', ')}); secrets redacted`);
  return EXIT_OK;
}
