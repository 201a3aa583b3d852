// The Terraform format: each step as the resource of the Terraform AWS
// provider that holds it, HCL. A value known only once an earlier step ran
// is that resource's attribute reference (every file of the directory is one
// module, so references cross files).
import { isStepOutputRef, type PlanStep, type StepOutputRef } from '../plan/model.js';
import type { ExportFile, Rendition } from './cli.js';
import { expression, jsonencode, renderBody, type HclBody, type HclValue } from './hcl.js';
import {
  appMesh, CLOUD_MAP_SERVICE, CLUSTER_DEFAULTS, DEPLOYMENT_STRATEGY, genericField, HTTP_NAMESPACE, LISTENER, LISTENER_RULE,
  PRIVATE_DNS_NAMESPACE, SCALABLE_TARGET, SCALING_POLICY, SERVICE, TASK_DEFINITION, type Field, type Schema,
} from './terraform-schema.js';
import { deployName, deployNote, snakeCase, snakeName, type ExportUnit, type ExportView } from './units.js';

interface TfResource {
  type: string;
  name: string;
  schema: Schema;
  partial: boolean;
  input: Record<string, unknown>;
  /** The attribute a reference to the step's output reads. */
  attribute: string;
}

/** API keys as the schema names them: DnsRecords → dnsRecords, TTL → ttl. */
const camel = (key: string) => (key === key.toUpperCase() ? key.toLowerCase() : key[0]!.toLowerCase() + key.slice(1));

function resourceOf(step: PlanStep): TfResource | undefined {
  const input = step.input;
  const named = (type: string, name: unknown, schema: Schema, attribute = 'arn', partial = false): TfResource => ({ type, name: snakeName(String(name)), schema, partial, input, attribute });
  switch (`${step.service} ${step.operation}`) {
    case 'ecs RegisterTaskDefinition': return named('aws_ecs_task_definition', input.family, TASK_DEFINITION);
    case 'ecs UpdateService': {
      const { cluster: _c, service: _s, ...update } = input;
      return { ...named('aws_ecs_service', input.service, SERVICE, 'id', true), input: update };
    }
    case 'ecs CreateService': return named('aws_ecs_service', input.serviceName, SERVICE, 'id');
    case 'ecs UpdateCluster': return { ...named('aws_ecs_cluster', input.cluster, CLUSTER_DEFAULTS, 'arn', true), input: { serviceConnectDefaults: input.serviceConnectDefaults } };
    case 'elbv2 CreateTargetGroup': return named('aws_lb_target_group', input.Name, {});
    case 'elbv2 ModifyRule': return { ...named('aws_lb_listener_rule', `rule_${String(input.RuleArn).split('/').pop()}`, LISTENER_RULE, 'arn', true), input: { Actions: input.Actions } };
    case 'elbv2 ModifyListener': return { ...named('aws_lb_listener', `listener_${String(input.ListenerArn).split('/').pop()}`, LISTENER, 'arn', true), input: { DefaultActions: input.DefaultActions } };
    case 'application-autoscaling RegisterScalableTarget': return named('aws_appautoscaling_target', String(input.ResourceId).replace(/^service\//, ''), SCALABLE_TARGET);
    case 'application-autoscaling PutScalingPolicy': return named('aws_appautoscaling_policy', input.PolicyName, SCALING_POLICY);
    case 'servicediscovery CreateHttpNamespace': return named('aws_service_discovery_http_namespace', input.Name, HTTP_NAMESPACE, 'id');
    case 'servicediscovery CreatePrivateDnsNamespace': return named('aws_service_discovery_private_dns_namespace', input.Name, PRIVATE_DNS_NAMESPACE, 'id');
    case 'servicediscovery CreateService': return named('aws_service_discovery_service', input.Name, CLOUD_MAP_SERVICE);
    default: {
      const kind = /^(Create|Update)(Mesh|VirtualNode|VirtualService|VirtualRouter|Route)$/.exec(step.operation);
      if (step.service !== 'appmesh' || !kind) return undefined;
      const nameField = `${kind[2]![0]!.toLowerCase()}${kind[2]!.slice(1)}Name`;
      return named(`aws_appmesh_${snakeCase(kind[2]!)}`, input[nameField], appMesh(nameField));
    }
  }
}

/**
 * A target group's health check goes in its health_check block, and the
 * attributes ModifyTargetGroupAttributes sets become the provider's arguments
 * (deregistration_delay, slow_start, stickiness…); one it has no argument for
 * is said.
 */
function targetGroupBody(input: Record<string, unknown>, attributes: { Key: string; Value: string }[], ref: (r: StepOutputRef) => HclValue, unknown: string[]): HclBody {
  const body: HclBody = [];
  const health: HclBody = [];
  const HEALTH: Record<string, string> = {
    HealthCheckEnabled: 'enabled', HealthCheckIntervalSeconds: 'interval', HealthCheckPath: 'path', HealthCheckPort: 'port', HealthCheckProtocol: 'protocol',
    HealthCheckTimeoutSeconds: 'timeout', HealthyThresholdCount: 'healthy_threshold', UnhealthyThresholdCount: 'unhealthy_threshold',
  };
  for (const [key, value] of Object.entries(input)) {
    if (HEALTH[key]) health.push({ kind: 'attr', name: HEALTH[key]!, value: value as HclValue });
    else if (key === 'Matcher') health.push({ kind: 'attr', name: 'matcher', value: (value as { HttpCode?: string; GrpcCode?: string }).HttpCode ?? (value as { GrpcCode?: string }).GrpcCode ?? null });
    else if (key === 'Tags') body.push({ kind: 'attr', name: 'tags', value: Object.fromEntries((value as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])) });
    else body.push({ kind: 'attr', name: snakeCase(key), value: (isStepOutputRef(value) ? ref(value) : value) as HclValue });
  }
  if (health.length > 0) body.push({ kind: 'block', name: 'health_check', body: health });
  const ATTRIBUTES: Record<string, string> = {
    'deregistration_delay.timeout_seconds': 'deregistration_delay', 'slow_start.duration_seconds': 'slow_start', 'load_balancing.algorithm.type': 'load_balancing_algorithm_type',
    'load_balancing.cross_zone.enabled': 'load_balancing_cross_zone_enabled', 'lambda.multi_value_headers.enabled': 'lambda_multi_value_headers_enabled',
  };
  const STICKINESS: Record<string, string> = { 'stickiness.enabled': 'enabled', 'stickiness.type': 'type', 'stickiness.lb_cookie.duration_seconds': 'cookie_duration', 'stickiness.app_cookie.cookie_name': 'cookie_name' };
  const stickiness: HclBody = [];
  for (const { Key, Value } of attributes) {
    const scalar = /^\d+$/.test(Value) ? Number(Value) : Value === 'true' || Value === 'false' ? Value === 'true' : Value;
    if (ATTRIBUTES[Key]) body.push({ kind: 'attr', name: ATTRIBUTES[Key]!, value: scalar });
    else if (STICKINESS[Key]) stickiness.push({ kind: 'attr', name: STICKINESS[Key]!, value: scalar });
    else unknown.push(`target group attribute ${Key}`);
  }
  if (stickiness.length > 0) body.push({ kind: 'block', name: 'stickiness', body: stickiness });
  return body;
}

function convert(input: Record<string, unknown>, schema: Schema, generic: boolean, ref: (r: StepOutputRef) => HclValue, path: string, unknown: string[]): HclBody {
  const body: HclBody = [];
  for (const [rawKey, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const key = camel(rawKey);
    const field: Field | undefined = schema[key] ?? (generic ? genericField(key, value) : undefined);
    if (!field) {
      unknown.push(`${path}${rawKey}`);
      continue;
    }
    body.push(...fieldBody(key, value, field, generic, ref, `${path}${rawKey}.`, unknown));
  }
  return body;
}

function fieldBody(key: string, value: unknown, field: Field, generic: boolean, ref: (r: StepOutputRef) => HclValue, path: string, unknown: string[]): HclBody {
  const name = ('name' in field && field.name) || snakeCase(key);
  const scalar = (v: unknown): HclValue => (isStepOutputRef(v) ? ref(v) : Array.isArray(v) ? v.map(scalar) : v as HclValue);
  switch (field.kind) {
    case 'drop': return [];
    case 'attr': return [{ kind: 'attr', name, value: scalar(field.convert ? field.convert(value) : value) }];
    case 'json': return [{ kind: 'attr', name, value: jsonencode(value) }];
    case 'map': return [{ kind: 'attr', name, value: value as HclValue }];
    case 'pairs': return [{ kind: 'attr', name, value: Object.fromEntries((value as Record<string, string>[]).map((p) => [p[field.key]!, scalar(p[field.value])])) }];
    case 'lift': return convert(value as Record<string, unknown>, field.fields, false, ref, path, unknown);
    case 'block': return [{ kind: 'block', name, body: convert(value as Record<string, unknown>, field.fields ?? {}, !field.fields || generic, ref, path, unknown) }];
    case 'blocks': return (value as Record<string, unknown>[]).map((item) => ({ kind: 'block' as const, name, body: convert(item, field.fields ?? {}, !field.fields || generic, ref, path, unknown) }));
  }
}

/** The resource address each step renders as. */
export function terraformAddresses(view: ExportView): Map<string, { address: string; attribute: string }> {
  const addresses = new Map<string, { address: string; attribute: string }>();
  for (const step of [...view.shared, ...view.units.flatMap((u) => u.deploys.flat())]) {
    const target = step.operation === 'ModifyTargetGroupAttributes' && isStepOutputRef(step.input.TargetGroupArn) ? addresses.get(step.input.TargetGroupArn.$ref) : undefined;
    const resource = resourceOf(step);
    if (target) addresses.set(step.id, target);
    else if (resource) addresses.set(step.id, { address: `${resource.type}.${resource.name}`, attribute: resource.attribute });
  }
  return addresses;
}

/**
 * A service's file. A later deploy of a service its owner deploys several
 * times is in deploy-N/: a module declares a resource once, and that file
 * holds the same resources again, with the arguments that change then.
 */
function moduleFile(unit: ExportUnit | undefined, deploy: number): string {
  if (!unit) return 'terraform/shared.tf';
  return `terraform/${deploy > 0 ? `${deployName(unit, deploy)}/` : ''}${unit.cluster}_${unit.service}.tf`;
}

function header(unit: ExportUnit | undefined, deploy: number): string {
  if (!unit) return 'meshctl export: what the plan creates or changes for every service (a namespace, a mesh, cluster defaults).';
  const lines = [`meshctl export: ${unit.label}${unit.held ? ' (held: meshctl apply leaves it to its owner)' : ''}.`];
  if (unit.owner?.workspace) lines.push(`Owner: ${unit.owner.name}, workspace ${unit.owner.workspace}.`);
  lines.push('Merge into the resources that define it: a resource marked "only what changes" keeps its other arguments; the others replace the resource\'s arguments or are new.');
  const order = deployNote(unit, deploy, (d) => moduleFile(unit, d));
  if (order) lines.push(order);
  if (unit.after.length > 0) lines.push(`Apply after ${unit.after.join(', ')} (servers before clients).`);
  return lines.join('\n');
}

export function renderTerraform(view: ExportView): { files: ExportFile[]; renditions: Rendition[]; notes: Map<string, string[]> } {
  const addresses = terraformAddresses(view);
  const ref = (r: StepOutputRef): HclValue => {
    const target = addresses.get(r.$ref);
    return target ? expression(`${target.address}.${target.attribute}`) : `<${r.path} of ${r.$ref}>`;
  };
  const files: ExportFile[] = [];
  const renditions: Rendition[] = [];
  const notes = new Map<string, string[]>();
  const emit = (unit: ExportUnit | undefined, deploy: number, steps: PlanStep[]) => {
    const file = moduleFile(unit, deploy);
    const body: HclBody = [{ kind: 'comment', text: header(unit, deploy) }];
    const unitNotes: string[] = [];
    for (const step of steps) {
      if (step.operation === 'ModifyTargetGroupAttributes') continue;
      const resource = resourceOf(step);
      if (!resource) {
        unitNotes.push(`${step.service} ${step.operation} (${step.resource}) has no Terraform resource here: run it from the cli files (step ${step.id})`);
        continue;
      }
      const unknown: string[] = [];
      let resourceBody: HclBody;
      if (resource.type === 'aws_lb_target_group') {
        const attributes = steps.find((s) => s.operation === 'ModifyTargetGroupAttributes' && isStepOutputRef(s.input.TargetGroupArn) && s.input.TargetGroupArn.$ref === step.id);
        resourceBody = targetGroupBody(resource.input, (attributes?.input.Attributes ?? []) as { Key: string; Value: string }[], ref, unknown);
        if (attributes) renditions.push({ step: attributes.id, file, at: `${resource.type}.${resource.name}` });
      } else {
        resourceBody = convert(resource.input, resource.schema, false, ref, '', unknown);
        const strategy = (resource.input.deploymentConfiguration ?? {}) as Record<string, unknown>;
        const lifted = Object.fromEntries(Object.entries(strategy).filter(([k]) => k in DEPLOYMENT_STRATEGY));
        if (resource.type === 'aws_ecs_service' && Object.keys(lifted).length > 0) {
          resourceBody.push({ kind: 'block', name: 'deployment_configuration', body: convert(lifted, DEPLOYMENT_STRATEGY, false, ref, 'deploymentConfiguration.', []) });
          unknown.splice(0, unknown.length, ...unknown.filter((u) => !Object.keys(lifted).some((k) => u === `deploymentConfiguration.${k}`)));
        }
      }
      for (const u of unknown) unitNotes.push(`${resource.type}.${resource.name}: the Terraform AWS provider has no argument for ${u}; set it with the cli files (step ${step.id})`);
      if (resource.partial) body.push({ kind: 'comment', text: 'only what changes: set these arguments, keep the others' });
      body.push({ kind: 'block', name: 'resource', labels: [resource.type, resource.name], body: resourceBody });
      renditions.push({ step: step.id, file, at: `${resource.type}.${resource.name}`, ...(resource.partial && { partial: true }) });
    }
    const key = unit?.label ?? 'shared';
    notes.set(key, [...notes.get(key) ?? [], ...unitNotes]);
    if (body.length > 1) files.push({ path: file, content: `${renderBody([...body.slice(0, 1), ...unitNotes.map((n) => ({ kind: 'comment' as const, text: n })), ...body.slice(1)])}\n` });
  };
  emit(undefined, 0, view.shared);
  for (const unit of view.units) unit.deploys.forEach((steps, d) => emit(unit, d, steps));
  return { files, renditions, notes };
}
