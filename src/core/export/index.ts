// plan --export: the plan handed to the owners of its services, in their own
// formats, from the plan's steps alone, with a README.md saying per service
// its owner, its files and the order to keep, and export.json indexing which
// file renders which step.
import { describeOwner, nextDeploy, type ExportFormat } from '../owner.js';
import type { Plan } from '../plan/model.js';
import { stableStringify } from '../../util/stable-json.js';
import { cliLine, renderCli, renderEcspresso, type ExportFile, type Rendition } from './cli.js';
import { renderCloudFormation } from './cloudformation.js';
import { renderTerraform } from './terraform.js';
import { DEPLOY_WAIT_WHY, exportView, type ExportUnit, type ExportView } from './units.js';

export type { ExportFile, Rendition } from './cli.js';

export interface ExportIndex {
  fingerprint: string;
  formats: ExportFormat[];
  /** steps: in the plan's order; deploys: the owner's deploys in order, each its steps (one, unless a step must complete before the next). */
  services: { service: string; held: boolean; owner?: string; after: string[]; steps: string[]; deploys: string[][] }[];
  shared: string[];
  renditions: Record<ExportFormat, Rendition[]>;
}

interface Rendered { files: ExportFile[]; renditions: Rendition[]; notes?: Map<string, string[]> }

const RENDERERS: Record<ExportFormat, (view: ExportView) => Rendered> = {
  cli: renderCli, ecspresso: renderEcspresso, cloudformation: renderCloudFormation, terraform: renderTerraform,
};

const HOW: Record<ExportFormat, string> = {
  cli: 'each step\'s input as the AWS CLI takes it (`aws <service> <command> --cli-input-json file://FILE`), in the order listed (a service moved in several deploys numbers its steps across them; wait where its steps below say).',
  ecspresso: '`ecs-task-def.json` replaces the service\'s task definition file; `ecs-service-def.json` holds the fields of its service definition that change (merge them in; `ecspresso deploy` sets the cluster, service and task definition itself). A green twin (`ecs-service-def.NAME.json`) is a new service: give it an ecspresso config of its own. Other steps are CLI input files. A service moved in several deploys has a directory per deploy (`deploy-1/`, `deploy-2/`): one `ecspresso deploy` each, in turn (a deploy without `ecs-task-def.json` keeps the task definition file as it is).',
  cloudformation: 'resources with CloudFormation\'s property names, for the stack that holds the service (logical ids from its tags when known). A resource marked "only what changes" keeps its other properties. References to what another step creates are `Ref` / `Fn::GetAtt` (the long form of `!Ref` / `!GetAtt`), or a template parameter when that resource is in another file. A service moved in several deploys has a template per deploy (`SERVICE.deploy-1.yaml`, `SERVICE.deploy-2.yaml`): one stack update each, in turn.',
  terraform: 'resources of the Terraform AWS provider (the directory is one module, so references cross files). A resource marked "only what changes" keeps its other arguments: merge those into the resource that defines the service today. A service moved in several deploys has its later deploys in `deploy-2/`…: the same resources again with the arguments that change then (a module declares a resource once; addresses there name this directory\'s resources): one `terraform apply` each, in turn.',
};

function unitSection(unit: ExportUnit, files: ReadonlyMap<string, readonly string[]>, notes: string[]): string[] {
  const lines = [`### ${unit.label}${unit.held ? ' — held' : ''}`, ''];
  lines.push(unit.owner
    ? `- Owner: ${describeOwner(unit.owner)}. Its next deploy (${nextDeploy(unit.owner)}) registers the old definitions again: deploy this change through it.`
    : '- Owner: none found in its tags (meshctl.yaml `owners:` names owners by their tags).');
  lines.push(unit.held ? `- meshctl apply leaves it: ${unit.reason}.` : '- meshctl apply moves it (these files let its owner carry the same change).');
  lines.push(`- Order: ${unit.position !== undefined ? `step ${unit.position} of the rollout` : 'no rollout position'}${unit.after.length > 0 ? `, after ${unit.after.join(', ')} completed` : ''}.`);
  for (const [format, list] of files) lines.push(`- ${format}: ${list.map((f) => `\`${f}\``).join(', ')}`);
  for (const note of notes) lines.push(`- ! ${note}`);
  if (unit.deploys.length > 1) lines.push(`- Deploys: ${unit.deploys.length}, one after the other: deploy each only once the deployment the one before it started has completed (the service's PRIMARY deployment has rolloutState COMPLETED). ${DEPLOY_WAIT_WHY}.`);
  lines.push('', 'Steps, in order:', '');
  let n = 0;
  unit.deploys.forEach((steps, d) => {
    if (unit.deploys.length > 1) lines.push(`Deploy ${d + 1} of ${unit.deploys.length}${d + 1 < unit.deploys.length ? ', then wait until its deployment has completed' : ''}:`, '');
    for (const step of steps) lines.push(`${++n}. ${step.service} ${step.operation}: ${step.resource}${step.dependsOn.length > 0 ? ` (after ${step.dependsOn.join(', ')})` : ''}`);
    lines.push('');
  });
  return lines;
}

/** The AWS CLI command that says whether the deployment an awaited step started has completed (waitUntilServicesStable ignores rolloutState). */
function waitLine(unit: ExportUnit): string {
  return `# wait until this prints COMPLETED: aws ecs describe-services --cluster ${unit.cluster} --services ${unit.service} --query "services[0].deployments[?status=='PRIMARY'].rolloutState" --output text`;
}

function readme(plan: Plan, view: ExportView, formats: ExportFormat[], rendered: Record<string, Rendered>): string {
  const filesOf = (ids: string[]) => new Map(formats.map((f) => [f, [...new Set(rendered[f]!.renditions.filter((r) => ids.includes(r.step)).map((r) => r.file))]] as const).filter(([, l]) => l.length > 0));
  const notesOf = (key: string) => formats.flatMap((f) => (rendered[f]!.notes?.get(key) ?? []).map((n) => `${f}: ${n}`));
  const out = [
    '# meshctl export',
    '',
    `The plan ${plan.fingerprint} (target ${plan.target}, region ${plan.region}, account ${plan.account}), handed to the infrastructure code that owns its services: exactly the planned change, in each format below. The next deploy of a service's owner registers the definitions it holds again, so a move made only by meshctl lasts until then.`,
    '',
    '**Keep the order**: servers before clients. A task resolves a Service Connect name only if it started after the server\'s deployment completed (Amazon ECS Developer Guide, "Service Connect"): deploy each service only once the services it comes after have completed their deployments. The services below are in that order.',
    '',
    '**Secrets**: `secrets` stay references (their ARNs); meshctl never reads secret values. Environment values that look secret are masked in the plan (`****`), and so here: keep the real values your code holds for those variables, do not deploy `****`.',
    '',
    '**Placeholders**: in the JSON formats, `<PATH of STEP>` stands for a value known only once that earlier step ran (an ARN): run the steps in order and put in what each returned (for example `--query taskDefinition.taskDefinitionArn`).',
    '',
    '## Formats',
    '',
    ...formats.map((f) => `- \`${f}/\`: ${HOW[f]}`),
    '',
    '## Services',
    '',
  ];
  for (const unit of view.units) out.push(...unitSection(unit, filesOf(unit.steps.map((s) => s.id)), notesOf(unit.label)));
  if (view.shared.length > 0) {
    out.push('## Shared', '', 'What runs once for every service (a namespace, a mesh, cluster defaults, sharing). meshctl apply creates what is not held; an owner who would rather hold it in code creates it from these files first, and the next plan adopts it.', '');
    for (const step of view.shared) out.push(`- ${step.service} ${step.operation}: ${step.resource}${view.heldStepIds.has(step.id) ? ' (held: only held services need it)' : ''}`);
    for (const [format, list] of filesOf(view.shared.map((s) => s.id))) out.push(`- ${format}: ${list.map((f) => `\`${f}\``).join(', ')}`);
    for (const note of notesOf('shared')) out.push(`- ! ${note}`);
    out.push('');
  }
  out.push('## With the AWS CLI', '', 'Every step, in the plan\'s order:', '', '```sh');
  const cliRenditions = new Map(renderCli(view).renditions.map((r) => [r.step, r.file]));
  for (const step of view.shared) out.push(cliLine(step, cliRenditions.get(step.id)!));
  for (const unit of view.units) {
    for (const step of unit.deploys.flat()) {
      out.push(cliLine(step, cliRenditions.get(step.id)!));
      if (step.awaits) out.push(waitLine(unit));
    }
  }
  out.push('```', '');
  return out.join('\n');
}

/** Every file of the export, paths relative to the export directory. */
export function exportPlan(plan: Plan, formats: readonly ExportFormat[]): ExportFile[] {
  const view = exportView(plan);
  const chosen = [...new Set(formats)];
  const rendered = Object.fromEntries(chosen.map((f) => [f, RENDERERS[f](view)]));
  const index: ExportIndex = {
    fingerprint: plan.fingerprint,
    formats: chosen,
    services: view.units.map((u) => ({ service: u.label, held: u.held, ...(u.owner && { owner: describeOwner(u.owner) }), after: u.after, steps: u.steps.map((s) => s.id), deploys: u.deploys.map((d) => d.map((s) => s.id)) })),
    shared: view.shared.map((s) => s.id),
    renditions: Object.fromEntries(chosen.map((f) => [f, rendered[f]!.renditions])) as ExportIndex['renditions'],
  };
  return [
    { path: 'README.md', content: readme(plan, view, chosen, rendered) },
    { path: 'export.json', content: `${stableStringify(index, 2)}\n` },
    ...chosen.flatMap((f) => rendered[f]!.files),
  ];
}
