// Who owns a service: the infrastructure code whose next deploy registers the
// old task definition and service configuration again, reverting a move made
// behind its back. Named from tags only: CloudFormation's own aws: tags
// (CDK, SAM and Copilot deploy through CloudFormation too), Copilot's
// copilot-* tags, and the tags an estate marks its own owners with, named in
// meshctl.yaml (Terraform, ecspresso, …).
import type { Service, TaskDefinition } from './estate.js';

/** What redeploys the service, which decides the command that would revert a move and the export format that carries it. */
export type OwnerTool = 'cloudformation' | 'cdk' | 'copilot' | 'terraform' | 'ecspresso' | 'pulumi' | 'other';

/** The tools an estate names in meshctl.yaml (CloudFormation, CDK and Copilot are found by AWS's tags). */
export const CONFIGURED_OWNER_TOOLS = ['terraform', 'ecspresso', 'pulumi', 'other'] as const;

/** Formats `meshctl plan --export` writes. */
export const EXPORT_FORMATS = ['cli', 'ecspresso', 'cloudformation', 'terraform'] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

export interface ServiceOwner {
  /** The owner as meshctl.yaml's owners: names it: cloudformation, copilot, or the name of a configured owner. */
  name: string;
  tool: OwnerTool;
  /** CloudFormation (and Copilot, CDK, SAM, which deploy through it): the stack and the service's logical id in it. */
  stack?: string;
  stackId?: string;
  logicalId?: string;
  /** The logical id of the service's task definition in the same stack, when its tags say so. */
  taskDefinitionLogicalId?: string;
  /** Copilot: the application, environment and service. */
  copilot?: { application: string; environment?: string; service?: string };
  /** A configured owner: the value of its workspaceTag (a Terraform workspace, a repository…). */
  workspace?: string;
  /** Whose tags named the owner: the service's, or its task definition's when the service's name none. */
  taggedOn: 'service' | 'task-definition';
  /** meshctl.yaml owners.<name>.allowMove: apply moves its services without --allow-iac-owned. */
  allowMove: boolean;
}

/** An owner the estate marks with its own tags (meshctl.yaml owners.<name>). */
export interface TaggedOwnerRule {
  name: string;
  tool: OwnerTool;
  /** Every one must match; '*' matches any value. */
  tags: Record<string, string>;
  workspaceTag?: string;
  allowMove: boolean;
}

export interface OwnerRules {
  /** allowMove of the owners found by AWS's tags. */
  cloudformation: { allowMove: boolean };
  copilot: { allowMove: boolean };
  tagged: TaggedOwnerRule[];
}

export const NO_OWNER_RULES: OwnerRules = { cloudformation: { allowMove: false }, copilot: { allowMove: false }, tagged: [] };

type Tags = { key: string; value: string }[];

const CFN = 'aws:cloudformation:';

/**
 * CDK names a resource's logical id after its construct path plus an
 * 8-digit uppercase hex hash of that path (AWS CDK Developer Guide,
 * "Identifiers and the AWS CDK", logical IDs). A hand-written template rarely
 * ends that way.
 */
const CDK_LOGICAL_ID = /^[A-Za-z][A-Za-z0-9]*[a-z0-9][0-9A-F]{8}$/;

function ownerFromTags(tags: Tags, rules: OwnerRules, taggedOn: ServiceOwner['taggedOn']): ServiceOwner | undefined {
  const value = (key: string) => tags.find((t) => t.key === key)?.value;
  const stack = value(`${CFN}stack-name`);
  const cloudFormation = {
    ...(stack && { stack }),
    ...(value(`${CFN}stack-id`) && { stackId: value(`${CFN}stack-id`) }),
    ...(value(`${CFN}logical-id`) && { logicalId: value(`${CFN}logical-id`) }),
  };
  // Copilot deploys each service as a CloudFormation stack: its tags come with CloudFormation's.
  const application = value('copilot-application');
  if (application) {
    const environment = value('copilot-environment');
    const service = value('copilot-service');
    return {
      name: 'copilot', tool: 'copilot', ...cloudFormation, taggedOn, allowMove: rules.copilot.allowMove,
      copilot: { application, ...(environment && { environment }), ...(service && { service }) },
    };
  }
  if (stack || cloudFormation.stackId) {
    const cdk = cloudFormation.logicalId !== undefined && CDK_LOGICAL_ID.test(cloudFormation.logicalId);
    return { name: 'cloudformation', tool: cdk ? 'cdk' : 'cloudformation', ...cloudFormation, taggedOn, allowMove: rules.cloudformation.allowMove };
  }
  for (const rule of rules.tagged) {
    const matches = Object.entries(rule.tags).every(([key, wanted]) => {
      const found = value(key);
      return found !== undefined && (wanted === '*' || found === wanted);
    });
    if (!matches) continue;
    const workspace = rule.workspaceTag ? value(rule.workspaceTag) : undefined;
    return { name: rule.name, tool: rule.tool, ...(workspace && { workspace }), taggedOn, allowMove: rule.allowMove };
  }
  return undefined;
}

/**
 * The owner of a service: named by the service's own tags, else by its task
 * definition's (a team that registers task definitions from code and lets a
 * pipeline point the service at them redeploys the old one all the same).
 */
export function serviceOwner(service: Service, taskDefinition: TaskDefinition | undefined, rules: OwnerRules): ServiceOwner | undefined {
  const tdTags = taskDefinition?.tags ?? [];
  const tdValue = (key: string) => tdTags.find((t) => t.key === `${CFN}${key}`)?.value;
  const owner = ownerFromTags(service.tags ?? [], rules, 'service');
  if (owner) {
    const sameStack = owner.stack !== undefined && tdValue('stack-name') === owner.stack && tdValue('logical-id');
    return sameStack ? { ...owner, taskDefinitionLogicalId: tdValue('logical-id')! } : owner;
  }
  const byTaskDefinition = ownerFromTags(tdTags, rules, 'task-definition');
  if (!byTaskDefinition?.logicalId) return byTaskDefinition;
  // The stack holds the task definition, not the service: its logical id is the task definition's.
  const { logicalId, ...rest } = byTaskDefinition;
  return { ...rest, taskDefinitionLogicalId: logicalId };
}

const TOOL_NAME: Record<OwnerTool, string> = {
  cloudformation: 'CloudFormation', cdk: 'CloudFormation (AWS CDK)', copilot: 'AWS Copilot', terraform: 'Terraform', ecspresso: 'ecspresso', pulumi: 'Pulumi', other: 'infrastructure code',
};

/** For people: "CloudFormation stack shop-ledger (logical id LedgerService)". */
export function describeOwner(owner: ServiceOwner): string {
  if (owner.copilot) {
    const { application, environment, service } = owner.copilot;
    return `AWS Copilot application ${application}${environment ? `, environment ${environment}` : ''}${service ? `, service ${service}` : ''}${owner.stack ? ` (stack ${owner.stack})` : ''}`;
  }
  if (owner.stack || owner.stackId) {
    const ids = [owner.logicalId && `logical id ${owner.logicalId}`, owner.taskDefinitionLogicalId && `task definition ${owner.taskDefinitionLogicalId}`].filter(Boolean).join(', ');
    return `${TOOL_NAME[owner.tool]} stack ${owner.stack ?? owner.stackId}${ids ? ` (${ids})` : ''}`;
  }
  const name = owner.tool === 'other' ? owner.name : `${TOOL_NAME[owner.tool]}${owner.name !== owner.tool ? ` (owner ${owner.name})` : ''}`;
  return `${name}${owner.workspace ? `, workspace ${owner.workspace}` : ''}`;
}

/** One word for a table column: cloudformation:shop-ledger, copilot:shop/prod/reviews, terraform:prod. */
export function ownerColumn(owner: ServiceOwner | undefined): string {
  if (!owner) return '-';
  if (owner.copilot) return `copilot:${[owner.copilot.application, owner.copilot.environment, owner.copilot.service].filter(Boolean).join('/')}`;
  if (owner.stack || owner.stackId) return `${owner.tool}:${owner.stack ?? owner.stackId}`;
  return `${owner.name}${owner.workspace ? `:${owner.workspace}` : ''}`;
}

/** The command (or kind of run) whose next deploy would put the old definitions back. */
export function nextDeploy(owner: ServiceOwner): string {
  switch (owner.tool) {
    case 'copilot': {
      const c = owner.copilot;
      return `copilot svc deploy${c?.application ? ` --app ${c.application}` : ''}${c?.environment ? ` --env ${c.environment}` : ''}${c?.service ? ` --name ${c.service}` : ''}`;
    }
    case 'cdk': return `cdk deploy${owner.stack ? ` ${owner.stack}` : ''}`;
    case 'cloudformation': return `an update of stack ${owner.stack ?? owner.stackId} (aws cloudformation deploy, or the pipeline that deploys it)`;
    case 'terraform': return `terraform apply${owner.workspace ? ` in workspace ${owner.workspace}` : ''}`;
    case 'ecspresso': return 'ecspresso deploy';
    case 'pulumi': return `pulumi up${owner.workspace ? ` (stack ${owner.workspace})` : ''}`;
    default: return `the next deploy of ${owner.name}${owner.workspace ? ` (${owner.workspace})` : ''}`;
  }
}

/** The export format that speaks the owner's language. */
export function exportFormatOf(owner: ServiceOwner): ExportFormat {
  switch (owner.tool) {
    case 'terraform': return 'terraform';
    case 'ecspresso': return 'ecspresso';
    case 'cloudformation': case 'cdk': case 'copilot': return 'cloudformation';
    default: return 'cli';
  }
}
