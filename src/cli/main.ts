// The CLI: parses flags and dispatches. Command modules (and through them the
// AWS SDK) load only when a command runs, so --help and --version stay instant.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_IN_FLIGHT } from '../core/plan/schedule.js';
import type { GlobalOptions } from './context.js';
import { EXIT_CANNOT_RUN, EXIT_DETAILED_ERROR } from './exit-codes.js';

/** package.json's version, written in by the build (scripts/build.mjs): the single-file build has no package.json beside it. */
declare const MESHCTL_VERSION: string;

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** A repeatable option with a fixed set of values. */
const collectChoice = (choices: string[]) => (value: string, previous: string[] = []) => {
  if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
  return [...previous, value];
};

/** --strategy's choices (src/core/cutover/ecs-strategy.ts): listed here so --help loads nothing. */
const STRATEGIES = ['ecs-canary', 'ecs-linear', 'ecs-blue-green', 'blue-green', 'in-place'];

/** ECS-managed deployments' settings, over meshctl.yaml's cutover section (plan, and apply without a plan file). */
function withCutoverOptions(command: Command): Command {
  for (const option of [
    new Option('--canary-percent <n>', 'ecs-canary: production traffic the canary takes first (0.1-100; default cutover.canary.percent, 5)'),
    new Option('--canary-bake <duration>', 'ecs-canary: how long the canary holds before the rest moves (whole minutes; default 10m)'),
    new Option('--linear-step-percent <n>', 'ecs-linear: traffic each step moves (3-100; default 10)'),
    new Option('--linear-step-bake <duration>', 'ecs-linear: how long each step holds (default 6m)'),
    new Option('--bake-time <duration>', 'ECS-managed: how long the old revision stays up after all traffic moved, to roll back to at once (default 15m)'),
    new Option('--deployment-alarm <name>', 'ECS-managed: a CloudWatch alarm that makes ECS roll the deployment back (repeatable; adds to cutover.alarms)').argParser(collect),
    new Option('--infrastructure-role <arn>', 'ECS-managed: the role ECS assumes to move the listener rule\'s weights (default cutover.infrastructureRoleArn)'),
  ]) command.addOption(option);
  return command;
}

type Runner = (options: never) => Promise<number>;
type RunnerWithArgument = (argument: string | undefined, options: never) => Promise<number>;

function action(load: () => Promise<Runner>) {
  return async (_opts: unknown, command: Command) => {
    const { runCommand } = await import('./run-command.js');
    process.exitCode = await runCommand(command.optsWithGlobals<GlobalOptions>(), await load());
  };
}

/** For commands with one optional positional argument (a plan file). */
function actionWithArgument(load: () => Promise<RunnerWithArgument>) {
  return async (argument: string | undefined, _opts: unknown, command: Command) => {
    const { runCommand } = await import('./run-command.js');
    const run = await load();
    process.exitCode = await runCommand(command.optsWithGlobals<GlobalOptions>(), (options: never) => run(argument, options));
  };
}

// How precheck, plan and apply size from CloudWatch peaks (meshctl.yaml's usage: holds the defaults).
const USAGE_WINDOW = 'read each service\'s CPU, memory and request peaks in CloudWatch over this window (default: usage.window in meshctl.yaml, else 14d)';
const NO_USAGE = 'do not read CloudWatch: size tasks from their task definitions alone';
const MAX_IN_FLIGHT = `services deploying at once, as a sliding window: each starts as soon as its servers' deployments completed and a slot is free, the longest chain of clients first; a failure stops new starts (default: ${DEFAULT_MAX_IN_FLIGHT})`;
const USAGE_HEADROOM = 'room kept over the memory peak when it sizes Service Connect\'s task memory, in percent (default: usage.headroom, else 25)';

export function buildProgram(): Command {
  const program = new Command('meshctl')
    .description('Move running Amazon ECS services onto a service mesh (ECS Service Connect, or App Mesh) without an outage.')
    // Each command's --help lists the global options too (they go after the command).
    .configureHelp({ showGlobalOptions: true })
    .version(MESHCTL_VERSION, '-V, --version')
    .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile\'s region)')
    .option('--profile <name>', 'AWS profile from the shared config and credentials files')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (also AWS_ENDPOINT_URL)')
    .option('--connect-timeout <duration>', 'give up connecting to AWS after this long, per attempt (default 5s)')
    .option('--request-timeout <duration>', 'give up on an AWS answer after this long, per attempt (default 30s)')
    .option('--fixtures <dir>', 'replay recorded AWS responses from DIR: no network, no credentials')
    .option('--config <file>', 'meshctl config, YAML or JSON (default: ./meshctl.yaml when present)')
    .option('--account <name>', 'only this account of meshctl.yaml\'s accounts (repeatable; the caller\'s own is "caller" unless named there)', collect)
    .addOption(new Option('--state <url>', 'where journals, saved rollback/finalize plans and locks live: s3://BUCKET/PREFIX (shared by a team and CI) or a directory (default: state: in meshctl.yaml, else .meshctl)').env('MESHCTL_STATE'))
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'plain output without colors (also NO_COLOR)')
    .option('--no-pager', 'print long output straight to the terminal, not through PAGER (default less -FRX)')
    .option('--verbose', 'log each AWS call with its duration to stderr')
    .showHelpAfterError('(run meshctl --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `meshctl: ${text}` : text) });

  program.command('inspect')
    .description('show clusters and services: launch type, networking, task size, mesh status')
    .option('--cluster <name>', 'cluster to read (repeatable; default: all)', collect)
    .option('--service <name>', 'service to read (repeatable; default: all)', collect)
    .addHelpText('after', '\nExample:\n  $ meshctl inspect --fixtures fixtures/demo')
    .action(action(async () => (await import('../commands/inspect.js')).runInspect as Runner));

  program.command('precheck')
    .description('find what would break when services join the mesh; exits 1 on findings at or above --fail-on')
    .option('--cluster <name>', 'cluster to check (repeatable; default: all)', collect)
    .option('--service <name>', 'service to check (repeatable; default: all)', collect)
    .addOption(new Option('--target <mesh>', 'mesh to move to (default: config target, else service-connect; appmesh reached end of support on 2026-09-30)').choices(['appmesh', 'service-connect']))
    .addOption(new Option('--format <format>', 'report format (default: --output)').choices(['text', 'json', 'junit', 'github']))
    .addOption(new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity').choices(['error', 'warning']).default('error'))
    .addOption(new Option('--strategy <strategy>', 'service-connect: the cut-over to check services on App Mesh for (default: ECS-managed where it applies, else blue-green)').choices(STRATEGIES))
    .option('--infrastructure-role <arn>', 'the role ECS assumes to move load-balancer traffic (default: cutover.infrastructureRoleArn)')
    .option('--usage-window <duration>', USAGE_WINDOW)
    .option('--usage-headroom <percent>', USAGE_HEADROOM)
    .option('--no-usage', NO_USAGE)
    .addHelpText('after', '\nExample:\n  $ meshctl precheck --region eu-west-1 --format github --fail-on error')
    .action(action(async () => (await import('../commands/precheck.js')).runPrecheckCommand as Runner));

  withCutoverOptions(program.command('plan'))
    .description('compute the rewritten task definitions and mesh resources a migration needs; save them for apply')
    .option('--cluster <name>', 'cluster to plan (repeatable; default: all)', collect)
    .option('--service <name>', 'service to plan (repeatable; default: all)', collect)
    .addOption(new Option('--target <mesh>', 'mesh to move to (default: config target, else service-connect; appmesh reached end of support on 2026-09-30)').choices(['appmesh', 'service-connect']))
    .addOption(new Option('--strategy <strategy>', 'service-connect, for services on App Mesh: ECS\'s own canary, linear or blue/green deployment (keeps the service; default where it applies), a green twin with an edge cut-over (blue-green; default for the rest), or an in-place switch of each dependency group').choices(STRATEGIES))
    .option('--remove-mesh-resources', 'service-connect: delete the App Mesh resources of the migrated services (in place, or after a completed blue-green cut-over)')
    .option('--allow-iac-owned', 'move services infrastructure code owns too (default: held for their owner; their next deploy would revert the move)')
    .option('--out <file>', 'save the plan as JSON for meshctl apply')
    .option('--export <dir>', 'write the planned change of every service for the infrastructure code that owns it, with a README.md of owners, files and order')
    .addOption(new Option('--format <format>', 'export format: cli, ecspresso, cloudformation or terraform (repeatable; default: all four)').argParser(collectChoice(['cli', 'ecspresso', 'cloudformation', 'terraform'])))
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--summary', 'print only the summary table (with the rollout order), the blocked services and the totals, not the diffs')
    .addOption(new Option('--graph <format>', 'print the mesh topology instead of the plan').choices(['mermaid']))
    .option('--usage-window <duration>', USAGE_WINDOW)
    .option('--usage-headroom <percent>', USAGE_HEADROOM)
    .option('--no-usage', NO_USAGE)
    .addHelpText('after', '\nExample:\n  $ meshctl plan --region eu-west-1 --out plan.json')
    .action(action(async () => (await import('../commands/plan.js')).runPlan as Runner));

  withCutoverOptions(program.command('apply'))
    .description('execute a saved plan (or plan, show and confirm), journaling every step so a re-run resumes')
    .argument('[plan]', 'plan file from meshctl plan --out (default: plan now and ask for confirmation)')
    .option('--cluster <name>', 'without a plan file: cluster to plan (repeatable; default: all)', collect)
    .option('--service <name>', 'without a plan file: service to plan (repeatable; default: all)', collect)
    .addOption(new Option('--target <mesh>', 'without a plan file: mesh to move to (default: config target, else service-connect)').choices(['appmesh', 'service-connect']))
    .addOption(new Option('--strategy <strategy>', 'without a plan file: how services on App Mesh move').choices(STRATEGIES))
    .option('--remove-mesh-resources', 'without a plan file: delete the App Mesh resources of the migrated services')
    .option('--allow-iac-owned', 'without a plan file: move services infrastructure code owns too (default: held for their owner)')
    .option('--yes', 'do not ask for confirmation (required without a terminal when no plan file is given)')
    .option('--dry-run', 'print every operation that would be sent, with its input; send none')
    .option('--force', 'apply services that carry precheck errors (EC2 headroom, ENIs, agent versions)')
    .option('--concurrency <n>', 'independent AWS operations in flight', '8')
    .option('--max-in-flight <n>', MAX_IN_FLIGHT)
    .option('--wave-size <n>', 'another name for --max-in-flight, with the same meaning (a sliding window, not batches)')
    .option('--no-wait', 'do not wait for deployments to complete (a server\'s deployment is still awaited before its clients start)')
    .option('--wait-timeout <duration>', 'how long to wait for each service\'s deployment', '15m')
    .option('--poll-interval <duration>', 'how often to check deployments while waiting', '10s')
    .option('--usage-window <duration>', `without a plan file: ${USAGE_WINDOW}`)
    .option('--usage-headroom <percent>', `without a plan file: ${USAGE_HEADROOM}`)
    .option('--no-usage', `without a plan file: ${NO_USAGE}`)
    .addHelpText('after', '\nExample:\n  $ meshctl apply plan.json --max-in-flight 5')
    .action(actionWithArgument(async () => (await import('../commands/apply.js')).runApply as RunnerWithArgument));

  program.command('rollback')
    .description('put services back on their previous task definition and deregister the revision rolled back from')
    .option('--cluster <name>', 'only services of this cluster (repeatable)', collect)
    .option('--service <name>', 'service to roll back (repeatable; default: every service in the journal)', collect)
    .option('--journal <file>', 'apply journal to roll back, a path or s3:// URL (default: the latest in the state)')
    .option('--to-revision <n>', 'roll back to this revision of the family instead (must be ACTIVE)')
    .option('--keep-revision', 'do not deregister the revision rolled back from')
    .option('--remove-mesh-resources', 'delete the mesh and Cloud Map resources apply created for these services')
    .option('--out <file>', 'save the rollback plan for meshctl apply instead of running it')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .option('--dry-run', 'print the rollback plan; send nothing')
    .option('--concurrency <n>', 'independent AWS operations in flight', '8')
    .option('--max-in-flight <n>', MAX_IN_FLIGHT)
    .option('--no-wait', 'do not wait for the rollback deployments')
    .option('--wait-timeout <duration>', 'how long to wait for the deployments', '15m')
    .option('--poll-interval <duration>', 'how often to check deployments while waiting', '10s')
    .addHelpText('after', '\nExample:\n  $ meshctl rollback --journal .meshctl/journal-0123456789abcdef.json')
    .action(action(async () => (await import('../commands/rollback.js')).runRollback as Runner));

  program.command('shift')
    .description('move the traffic of blue-green pairs from blue to green in steps, watching alarms, target health and 5xx; step back on trouble')
    .option('--journal <file>', 'apply journal of the blue-green move, a path or s3:// URL (default: the latest in the state)')
    .option('--service <name>', 'only this blue service (repeatable; default: every blue-green pair of the journal)', collect)
    .option('--to <percent>', 'set green\'s weight at once (--to 0: all traffic back to blue)')
    .option('--steps <percents>', 'green\'s weights in turn, rising (for example 10,25,50,100)')
    .option('--every <duration>', 'how long each step holds before the next', '5m')
    .option('--alarm <name>', 'CloudWatch alarm that stops the shift when in ALARM (repeatable)', collect)
    .option('--max-5xx <n>', '5xx per step from a green target group (its targets\' and its load balancers\' own) that stop the shift', '0')
    .option('--abort-to-blue', 'on trouble, send all traffic back to blue instead of to the last good weight')
    .option('--poll-interval <duration>', 'how often to check while a step holds', '15s')
    .option('--route53-zone <id>', 'hosted zone of a Route 53 weighted pair to shift instead of load-balancer rules')
    .option('--route53-name <name>', 'record name of that weighted pair')
    .option('--blue-set-id <id>', 'set identifier of the blue record', 'blue')
    .option('--green-set-id <id>', 'set identifier of the green record', 'green')
    .option('--yes', 'with --to 100: do not ask for confirmation (required without a terminal)')
    .option('--dry-run', 'say what would be done; send nothing')
    .addHelpText('after', '\nExample:\n  $ meshctl shift --steps 10,25,50,100 --every 10m --alarm pricing-5xx')
    .action(action(async () => (await import('../commands/shift.js')).runShift as Runner));

  program.command('finalize')
    .description('once green has carried all traffic for the bake time with no alarm, remove the blue side of each blue-green pair')
    .option('--journal <file>', 'apply journal of the blue-green move, a path or s3:// URL (default: the latest in the state)')
    .option('--service <name>', 'only this blue service (repeatable; default: every blue-green pair of the journal)', collect)
    .option('--bake <duration>', 'how long green must have carried all traffic', '30m')
    .option('--alarm <name>', 'CloudWatch alarm that must not be in ALARM (repeatable)', collect)
    .option('--max-5xx <n>', '5xx over the bake (from the green targets and their load balancers) that stop the finalize', '0')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .option('--dry-run', 'print the finalize plan; send nothing')
    .option('--concurrency <n>', 'independent AWS operations in flight', '8')
    .option('--max-in-flight <n>', MAX_IN_FLIGHT)
    .option('--wait-timeout <duration>', 'how long to wait for a green service joining blue\'s Cloud Map registry to deploy, before blue goes', '15m')
    .option('--poll-interval <duration>', 'how often to check that deployment while waiting', '10s')
    .addHelpText('after', '\nExample:\n  $ meshctl finalize --bake 1h --alarm pricing-5xx')
    .action(action(async () => (await import('../commands/finalize.js')).runFinalize as Runner));

  program.command('status')
    .description('where an apply or rollback stands: per service its state, steps, revision and rollout (exit 1 when one failed)')
    .option('--journal <file>', 'journal to report on, a path or s3:// URL (default: the latest in the state)')
    .option('--watch', 'refresh until every deployment settled and no run holds the journal (exit 1 if one failed)')
    .option('--poll-interval <duration>', 'with --watch: how often to look again', '10s')
    .option('--wait-timeout <duration>', 'with --watch: give up (exit 1) after this long', '30m')
    .addHelpText('after', '\nExample:\n  $ meshctl status --watch --state s3://acme-meshctl/shop')
    .action(action(async () => (await import('../commands/status.js')).runStatus as Runner));

  program.command('unlock')
    .description('free the lock a gone run left on a journal (as terraform force-unlock); LOCK-ID is in the refusal and in status')
    .argument('<lock-id>', 'the lock\'s id')
    .addHelpText('after', '\nExample:\n  $ meshctl unlock 5c0f9a7e-2b1d-4c3e-9f8a-0d6b7e1c2a34')
    .action(actionWithArgument(async () => (await import('../commands/unlock.js')).runUnlock as RunnerWithArgument));

  program.command('state')
    .description('the shared state (journals, saved plans, locks)')
    .command('push')
    .description('upload the journals and saved plans of a local directory to the configured state; refuses to overwrite different content')
    .option('--from <dir>', 'the local state to upload', '.meshctl')
    .addHelpText('after', '\nExample:\n  $ meshctl state push --state s3://acme-meshctl/shop')
    .action(action(async () => (await import('../commands/state-push.js')).runStatePush as Runner));

  program.command('iam-policy')
    .description('print the least-privilege IAM policy to run precheck, plan, apply and rollback (for a plan, scoped to its resources; --for shift, to a cut-over\'s traffic moves)')
    .argument('[plan]', 'plan file from meshctl plan --out (or rollback --out, or finalize\'s saved plan)')
    .option('--for <command>', 'shift: scope the policy to the weight moves of the apply journal\'s blue-green pairs')
    .option('--journal <file>', 'with --for shift: apply journal of the blue-green move (default: the latest under .meshctl/)')
    .option('--service <name>', 'with --for shift: only this blue service (repeatable)', collect)
    .option('--route53-zone <id>', 'with --for shift: hosted zone of the Route 53 weighted pair shift moves instead')
    .addHelpText('after', '\nExamples:\n  $ meshctl iam-policy plan.json > meshctl-policy.json\n  $ meshctl iam-policy --for shift --journal .meshctl/journal-0123456789abcdef.json')
    .action(actionWithArgument(async () => (await import('../commands/iam-policy.js')).runIamPolicy as RunnerWithArgument));

  program.command('record')
    .description('read the estate from a live endpoint and save every AWS call as fixtures (secrets redacted)')
    .requiredOption('--out <dir>', 'directory to write the fixtures to')
    .option('--cluster <name>', 'cluster to record (repeatable; default: all)', collect)
    .option('--service <name>', 'service to record (repeatable; default: all)', collect)
    .option('--usage-window <duration>', 'the window of CloudWatch peaks to record (default: usage.window in meshctl.yaml, else 14d); replay reads the same window')
    .option('--no-usage', 'record no CloudWatch reads (a replay then sizes every task from its task definition)')
    .addHelpText('after', '\nExample:\n  $ meshctl record --region eu-west-1 --out fixtures/prod')
    .action(action(async () => (await import('../commands/record.js')).runRecord as Runner));

  return program;
}

/** `meshctl … | head`: the reader went away; stop quietly, as other Unix tools do. */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parsing error is "could not run", which
      // is 1 under --detailed-exitcode (there 2 means "changes", as Terraform's).
      process.exitCode = error.exitCode === 0 ? 0 : argv.includes('--detailed-exitcode') ? EXIT_DETAILED_ERROR : EXIT_CANNOT_RUN;
      return;
    }
    throw error;
  }
}
