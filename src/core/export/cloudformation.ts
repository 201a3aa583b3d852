// The CloudFormation format: each step as the resource its owner's template
// holds, with CloudFormation's property names (PascalCase, and its own names
// where they differ from the API), YAML. A value known only once an earlier
// step ran is that resource's Ref or Fn::GetAtt (long form, the same as !Ref
// and !GetAtt), or a template parameter when the resource is in another file.
import { Document, isMap } from 'yaml';
import { isStepOutputRef, type PlanStep, type StepOutputRef } from '../plan/model.js';
import type { ExportFile, Rendition } from './cli.js';
import { deployName, deployNote, pascalName, type ExportUnit, type ExportView } from './units.js';

interface CfnResource {
  type: string;
  logicalId: string;
  /** Only what changes, on a resource the owner's template already has. */
  partial: boolean;
  properties: Record<string, unknown>;
}

/** Keys whose values are free-form maps (their keys are data, not property names). */
const MAP_KEYS = new Set(['options', 'dockerLabels', 'driverOpts', 'labels']);
/** Fields CloudFormation names differently from the API (AWS CloudFormation Template Reference, each resource's page). */
const RENAMES: Record<string, Record<string, string>> = {
  'AWS::ECS::TaskDefinition': { efsVolumeConfiguration: 'EFSVolumeConfiguration', fileSystemId: 'FilesystemId', iam: 'IAM', properties: 'ProxyConfigurationProperties', fsxWindowsFileServerVolumeConfiguration: 'FSxWindowsFileServerVolumeConfiguration' },
  'AWS::ECS::Service': { placementStrategy: 'PlacementStrategies' },
  appmesh: { awsCloudMap: 'AWSCloudMap', dns: 'DNS', tls: 'TLS', acm: 'ACM', sds: 'SDS', http: 'HTTP', http2: 'HTTP2', grpc: 'GRPC', tcp: 'TCP' },
};
/** API-only fields: idempotency tokens, and the fields that name the resource an update changes. */
const DROPPED = new Set(['clientToken', 'CreatorRequestId']);

type RefRender = (ref: StepOutputRef) => unknown;

function toCfn(value: unknown, renames: Record<string, string>, ref: RefRender, mapValue = false): unknown {
  if (isStepOutputRef(value)) return ref(value);
  if (Array.isArray(value)) return value.map((v) => toCfn(v, renames, ref));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([k]) => mapValue || !DROPPED.has(k))
    .map(([k, v]) => [mapValue ? k : renames[k] ?? k[0]!.toUpperCase() + k.slice(1), toCfn(v, renames, ref, !mapValue && MAP_KEYS.has(k))]));
}

const lastSegment = (arn: unknown) => String(arn).split('/').pop()!;

/** The resource a step is in the owner's template, or undefined when CloudFormation has none for it. */
function resourceOf(step: PlanStep, unit: ExportUnit | undefined): Omit<CfnResource, 'properties'> & { input: Record<string, unknown> } | undefined {
  const input = step.input;
  const { cluster: _c, service: _s, ...update } = input;
  switch (`${step.service} ${step.operation}`) {
    case 'ecs RegisterTaskDefinition':
      return { type: 'AWS::ECS::TaskDefinition', logicalId: unit?.owner?.taskDefinitionLogicalId ?? `${pascalName(String(input.family))}TaskDefinition`, partial: false, input };
    case 'ecs UpdateService':
      return { type: 'AWS::ECS::Service', logicalId: unit?.owner?.logicalId ?? `${pascalName(String(input.service))}Service`, partial: true, input: update };
    case 'ecs CreateService':
      return { type: 'AWS::ECS::Service', logicalId: `${pascalName(String(input.serviceName))}Service`, partial: false, input };
    case 'ecs UpdateCluster':
      return { type: 'AWS::ECS::Cluster', logicalId: `${pascalName(String(input.cluster))}Cluster`, partial: true, input: { ...input, cluster: undefined } };
    case 'elbv2 CreateTargetGroup':
      return { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', logicalId: `${pascalName(String(input.Name))}TargetGroup`, partial: false, input };
    case 'elbv2 ModifyRule':
      return { type: 'AWS::ElasticLoadBalancingV2::ListenerRule', logicalId: `ListenerRule${pascalName(lastSegment(input.RuleArn))}`, partial: true, input: { Actions: input.Actions } };
    case 'elbv2 ModifyListener':
      return { type: 'AWS::ElasticLoadBalancingV2::Listener', logicalId: `Listener${pascalName(lastSegment(input.ListenerArn))}`, partial: true, input: { DefaultActions: input.DefaultActions } };
    case 'application-autoscaling RegisterScalableTarget':
      return { type: 'AWS::ApplicationAutoScaling::ScalableTarget', logicalId: `${pascalName(String(input.ResourceId).replace(/^service\//, ''))}ScalableTarget`, partial: false, input };
    case 'application-autoscaling PutScalingPolicy':
      return { type: 'AWS::ApplicationAutoScaling::ScalingPolicy', logicalId: `${pascalName(String(input.PolicyName))}ScalingPolicy`, partial: false, input };
    case 'servicediscovery CreateHttpNamespace':
      return { type: 'AWS::ServiceDiscovery::HttpNamespace', logicalId: `${pascalName(String(input.Name))}Namespace`, partial: false, input };
    case 'servicediscovery CreatePrivateDnsNamespace':
      return { type: 'AWS::ServiceDiscovery::PrivateDnsNamespace', logicalId: `${pascalName(String(input.Name))}Namespace`, partial: false, input };
    case 'servicediscovery CreateService':
      return { type: 'AWS::ServiceDiscovery::Service', logicalId: `${pascalName(String(input.Name))}CloudMapService`, partial: false, input };
    default: {
      const kind = /^(Create|Update)(Mesh|VirtualNode|VirtualService|VirtualRouter|Route)$/.exec(step.operation);
      if (step.service !== 'appmesh' || !kind) return undefined;
      const name = String(input[`${kind[2]![0]!.toLowerCase()}${kind[2]!.slice(1)}Name`] ?? input.meshName);
      return { type: `AWS::AppMesh::${kind[2]}`, logicalId: `${pascalName(name)}${kind[2]}`, partial: false, input };
    }
  }
}

/** A service's template, or one per deploy when its owner deploys it several times (S.deploy-1.yaml, S.deploy-2.yaml). */
function templateFile(unit: ExportUnit | undefined, deploy: number): string {
  if (!unit) return 'cloudformation/shared.yaml';
  const name = deployName(unit, deploy);
  return `cloudformation/${unit.cluster}/${unit.service}${name ? `.${name}` : ''}.yaml`;
}

/** Where each step's resource is: its file and logical id (ModifyTargetGroupAttributes joins its target group). */
export function cloudFormationPlaces(view: ExportView): Map<string, { file: string; logicalId: string }> {
  const places = new Map<string, { file: string; logicalId: string }>();
  const place = (file: string, unit: ExportUnit | undefined, steps: PlanStep[]) => {
    for (const step of steps) {
      const target = step.operation === 'ModifyTargetGroupAttributes' && isStepOutputRef(step.input.TargetGroupArn) ? places.get(step.input.TargetGroupArn.$ref) : undefined;
      const resource = resourceOf(step, unit);
      if (target) places.set(step.id, target);
      else if (resource) places.set(step.id, { file, logicalId: resource.logicalId });
    }
  };
  place(templateFile(undefined, 0), undefined, view.shared);
  for (const unit of view.units) unit.deploys.forEach((steps, d) => place(templateFile(unit, d), unit, steps));
  return places;
}

/** Ref for ARNs Ref returns; Fn::GetAtt where Ref returns something else (Cloud Map returns ids). */
function reference(logicalId: string, path: string): unknown {
  if (path === 'Service.Arn') return { 'Fn::GetAtt': [logicalId, 'Arn'] };
  if (path === 'NamespaceId') return { 'Fn::GetAtt': [logicalId, 'Id'] };
  return { Ref: logicalId };
}

interface Template {
  parameters: Record<string, { Type: string; Description: string }>;
  resources: CfnResource[];
  notes: string[];
}

function buildTemplate(file: string, steps: PlanStep[], unit: ExportUnit | undefined, places: ReturnType<typeof cloudFormationPlaces>, renditions: Rendition[]): Template {
  const template: Template = { parameters: {}, resources: [], notes: [] };
  const ref: RefRender = (r) => {
    const place = places.get(r.$ref);
    if (place && place.file === file) return reference(place.logicalId, r.path);
    const name = `${pascalName(r.$ref)}${pascalName(r.path.split('.').pop()!)}`;
    template.parameters[name] = { Type: 'String', Description: `${r.path} of ${r.$ref}${place ? ` (${place.logicalId} in ${place.file})` : ''}` };
    return { Ref: name };
  };
  for (const step of steps) {
    const resource = resourceOf(step, unit);
    const place = places.get(step.id);
    if (step.operation === 'ModifyTargetGroupAttributes' && place) {
      const group = template.resources.find((r) => r.logicalId === place.logicalId);
      if (group) {
        group.properties.TargetGroupAttributes = toCfn(step.input.Attributes, {}, ref);
        renditions.push({ step: step.id, file, at: place.logicalId });
        continue;
      }
    }
    if (!resource) {
      template.notes.push(`${step.service} ${step.operation} (${step.resource}) has no CloudFormation resource here: run it from the cli files (step ${step.id})`);
      continue;
    }
    const renames = RENAMES[resource.type] ?? (step.service === 'appmesh' ? RENAMES.appmesh! : {});
    const properties = toCfn(Object.fromEntries(Object.entries(resource.input).filter(([, v]) => v !== undefined)), renames, ref) as Record<string, unknown>;
    template.resources.push({ ...resource, properties });
    renditions.push({ step: step.id, file, at: resource.logicalId, ...(resource.partial && { partial: true }) });
  }
  return template;
}

function header(unit: ExportUnit | undefined, deploy: number): string[] {
  if (!unit) return ['meshctl export: what the plan creates or changes for every service (a namespace, a mesh, cluster defaults).'];
  const lines = [`meshctl export: ${unit.label}${unit.held ? ' (held: meshctl apply leaves it to its owner)' : ''}.`];
  if (unit.owner?.stack) lines.push(`Owner: stack ${unit.owner.stack}${unit.owner.logicalId ? `, service ${unit.owner.logicalId}` : ''}${unit.owner.taskDefinitionLogicalId ? `, task definition ${unit.owner.taskDefinitionLogicalId}` : ''}.`);
  lines.push('Merge into the stack\'s template: a resource marked "only what changes" keeps its other properties; the others replace the resource\'s properties or are new.');
  const order = deployNote(unit, deploy, (d) => templateFile(unit, d));
  if (order) lines.push(order);
  if (unit.after.length > 0) lines.push(`Deploy after ${unit.after.join(', ')} (servers before clients).`);
  return lines;
}

function toYaml(template: Template, unit: ExportUnit | undefined, deploy: number): string {
  const doc = new Document({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: unit ? `meshctl: the planned change of ${unit.label}` : 'meshctl: shared resources of the plan',
    ...(Object.keys(template.parameters).length > 0 && { Parameters: template.parameters }),
    Resources: Object.fromEntries(template.resources.map((r) => [r.logicalId, { Type: r.type, Properties: r.properties }])),
  });
  doc.commentBefore = [...header(unit, deploy), ...template.notes].map((l) => ` ${l}`).join('\n');
  const resources = doc.get('Resources', true);
  if (isMap(resources)) {
    for (const pair of resources.items) {
      const resource = template.resources.find((r) => r.logicalId === String((pair.key as { value: unknown }).value ?? pair.key));
      if (resource?.partial && pair.key && typeof pair.key === 'object') (pair.key as { commentBefore?: string }).commentBefore = ' only what changes: set these properties, keep the others';
    }
  }
  // Quoted: a YAML 1.1 reader (cfn-lint, PyYAML) would read the bare version as a date.
  return doc.toString({ lineWidth: 0 }).replace(/^AWSTemplateFormatVersion: 2010-09-09$/m, 'AWSTemplateFormatVersion: "2010-09-09"');
}

export function renderCloudFormation(view: ExportView): { files: ExportFile[]; renditions: Rendition[]; notes: Map<string, string[]> } {
  const places = cloudFormationPlaces(view);
  const files: ExportFile[] = [];
  const renditions: Rendition[] = [];
  const notes = new Map<string, string[]>();
  const emit = (unit: ExportUnit | undefined, deploy: number, steps: PlanStep[]) => {
    if (steps.length === 0) return;
    const file = templateFile(unit, deploy);
    const template = buildTemplate(file, steps, unit, places, renditions);
    const key = unit?.label ?? 'shared';
    notes.set(key, [...notes.get(key) ?? [], ...template.notes]);
    if (template.resources.length > 0) files.push({ path: file, content: toYaml(template, unit, deploy) });
  };
  emit(undefined, 0, view.shared);
  for (const unit of view.units) unit.deploys.forEach((steps, d) => emit(unit, d, steps));
  return { files, renditions, notes };
}
