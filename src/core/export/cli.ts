// The AWS CLI and ecspresso formats: each step's input exactly as planned,
// as the JSON `aws <service> <operation> --cli-input-json` takes; ecspresso
// reads the same shapes (its task definition file is RegisterTaskDefinition
// input, its service definition CreateService input). A value known only
// once an earlier step ran (an ARN) is a placeholder naming that step.
import type { PlanStep } from '../plan/model.js';
import { showRefs } from '../plan/refs.js';
import { stableStringify } from '../../util/stable-json.js';
import { deployName, type ExportUnit, type ExportView } from './units.js';

export interface ExportFile {
  path: string;
  content: string;
}

/** What a file of the export renders, for the index and the tests: which step, and where in the file. */
export interface Rendition {
  step: string;
  file: string;
  /** CloudFormation: the logical id; Terraform: the resource address; JSON formats: none (the whole file). */
  at?: string;
  /** The file holds only what changes on a resource the owner already has. */
  partial?: boolean;
}

/** register-task-definition, create-vpc-association-authorization: the AWS CLI's command names. */
export function cliCommand(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

const json = (value: unknown) => `${stableStringify(value, 2)}\n`;

/** The directory of a service's files, or of the shared ones. */
export const unitDir = (format: string, unit?: ExportUnit) => (unit ? `${format}/${unit.cluster}/${unit.service}` : `${format}/shared`);

function stepFile(dir: string, index: number, step: PlanStep): string {
  return `${dir}/${String(index + 1).padStart(2, '0')}-${cliCommand(step.operation)}.json`;
}

/** The command that sends a step, for the README. */
export function cliLine(step: PlanStep, file: string): string {
  return `aws ${step.service} ${cliCommand(step.operation)} --cli-input-json file://${file}`;
}

export function renderCli(view: ExportView): { files: ExportFile[]; renditions: Rendition[] } {
  const files: ExportFile[] = [];
  const renditions: Rendition[] = [];
  const emit = (unit: ExportUnit | undefined, steps: PlanStep[]) => steps.forEach((step, i) => {
    const path = stepFile(unitDir('cli', unit), i, step);
    files.push({ path, content: json(showRefs(step.input)) });
    renditions.push({ step: step.id, file: path });
  });
  emit(undefined, view.shared);
  // Numbered in the order of the owner's deploys: a later deploy's steps after the earlier one's.
  for (const unit of view.units) emit(unit, unit.deploys.flat());
  return { files, renditions };
}

/**
 * ecspresso: the task definition as ecs-task-def.json and the service's
 * changes as ecs-service-def.json (CreateService's shape: ecspresso's config
 * names the cluster and service, and `ecspresso deploy` registers the task
 * definition and points the service at it, so those fields are left out).
 * Every other step stays a CLI input file. A service moved in several
 * deploys has a directory per deploy (deploy-1, deploy-2…), each with the
 * files of that `ecspresso deploy`.
 */
export function renderEcspresso(view: ExportView): { files: ExportFile[]; renditions: Rendition[] } {
  const files: ExportFile[] = [];
  const renditions: Rendition[] = [];
  view.shared.forEach((step, i) => {
    const path = stepFile(unitDir('ecspresso'), i, step);
    files.push({ path, content: json(showRefs(step.input)) });
    renditions.push({ step: step.id, file: path });
  });
  for (const unit of view.units) unit.deploys.forEach((steps, d) => renderEcspressoDeploy(unit, d, steps, files, renditions));
  return { files, renditions };
}

function renderEcspressoDeploy(unit: ExportUnit, deploy: number, steps: PlanStep[], files: ExportFile[], renditions: Rendition[]): void {
  const name = deployName(unit, deploy);
  const dir = name ? `${unitDir('ecspresso', unit)}/${name}` : unitDir('ecspresso', unit);
  steps.forEach((step, i) => {
    if (step.operation === 'RegisterTaskDefinition') {
      files.push({ path: `${dir}/ecs-task-def.json`, content: json(step.input) });
      renditions.push({ step: step.id, file: `${dir}/ecs-task-def.json` });
    } else if (step.service === 'ecs' && (step.operation === 'UpdateService' || step.operation === 'CreateService')) {
      const file = `${dir}/${step.operation === 'CreateService' ? `ecs-service-def.${String(step.input.serviceName)}.json` : 'ecs-service-def.json'}`;
      files.push({ path: file, content: json(showRefs(ecspressoService(step))) });
      renditions.push({ step: step.id, file, partial: step.operation === 'UpdateService' });
    } else {
      const path = stepFile(dir, i, step);
      files.push({ path, content: json(showRefs(step.input)) });
      renditions.push({ step: step.id, file: path });
    }
  });
}

/** The fields of a service definition ecspresso takes from the step: not the ones its config and deploy set. */
export function ecspressoService(step: PlanStep): Record<string, unknown> {
  const { cluster: _cluster, service: _service, serviceName: _name, taskDefinition: _td, clientToken: _token, ...rest } = step.input;
  return rest;
}
