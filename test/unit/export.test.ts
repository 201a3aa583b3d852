// plan --export is the plan: every exported task definition and service
// change is compared with the plan's step inputs field by field, in every
// format, parsed back (JSON, YAML, HCL). The CloudFormation output validates
// against CloudFormation's published resource specification, the Terraform
// output parses as HCL (HashiCorp's own parser, compiled to WebAssembly).
import { readFileSync } from 'node:fs';
import { parse as parseHcl } from '@cdktn/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openSession } from '../../src/aws/session.js';
import { loadConfig } from '../../src/config/config.js';
import { exportPlan, type ExportFile, type ExportIndex } from '../../src/core/export/index.js';
import { EXPORT_FORMATS } from '../../src/core/owner.js';
import { isStepOutputRef, type Plan, type PlanStep } from '../../src/core/plan/model.js';
import { showRefs } from '../../src/core/plan/refs.js';
import { computePlan, type MigrationSelection } from '../../src/planning/migration.js';
import { cfnValidator, type CfnValidator } from '../support/cfn-spec.js';

async function fixturePlan(selection: MigrationSelection): Promise<Plan> {
  const settings = await loadConfig('fixtures/demo/meshctl.yaml');
  const session = await openSession({ fixtures: 'fixtures/demo', allowMutations: false, accounts: settings.accounts });
  return (await computePlan(session, settings, selection)).plan;
}

/** A golden Service Connect plan (TLS, timeouts, access logs, green twins) as a plan the export reads. */
function goldenPlan(name: string): Plan {
  const golden = JSON.parse(readFileSync(`test/golden/serviceconnect-plans/${name}.json`, 'utf8')) as Pick<Plan, 'steps' | 'services' | 'blocked'>;
  return { formatVersion: 1, tool: 'meshctl', target: 'service-connect', region: 'us-east-1', account: '123456789012', createdAt: '', mesh: '', fingerprint: 'sha256:golden', observed: { services: {}, meshResources: {}, cloudMap: {} }, summary: { create: 0, update: 0, delete: 0, unchanged: 0, blocked: 0 }, ...golden };
}

/** A service with everything the planners copy to a green twin, and a task definition with every kind of volume. */
function everyFieldPlan(): Plan {
  const td = 'task-definition:c/full';
  const steps: PlanStep[] = [
    {
      id: td, service: 'ecs', operation: 'RegisterTaskDefinition', action: 'create', resource: 'task definition full', ecsService: 'c/full', dependsOn: [],
      input: {
        family: 'full', networkMode: 'awsvpc', cpu: '1024', memory: '2048', requiresCompatibilities: ['FARGATE'], taskRoleArn: 'arn:aws:iam::123456789012:role/t', executionRoleArn: 'arn:aws:iam::123456789012:role/e',
        containerDefinitions: [{ name: 'app', image: 'app:1', essential: true, environment: [{ name: 'TEMPLATE', value: 'keeps ${HOME} and %{x} as text' }], dockerLabels: { 'com.example.Team': 'shop' }, portMappings: [{ containerPort: 8080, name: 'app-8080', appProtocol: 'http' }] }],
        volumes: [
          { name: 'host', host: { sourcePath: '/data' } },
          { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/', transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: 'fsap-1', iam: 'ENABLED' } } },
          { name: 'ebs', configuredAtLaunch: true },
        ],
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [us-east-1a]' }],
        proxyConfiguration: { type: 'APPMESH', containerName: 'envoy', properties: [{ name: 'IgnoredUID', value: '1337' }] },
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        ephemeralStorage: { sizeInGiB: 30 },
        tags: [{ key: 'team', value: 'shop' }],
      },
    },
    {
      id: 'ecs-green-service:c/full', service: 'ecs', operation: 'CreateService', action: 'create', resource: 'green twin', ecsService: 'c/full', dependsOn: [td],
      input: {
        cluster: 'c', serviceName: 'full-sc', taskDefinition: { $ref: td, path: 'taskDefinition.taskDefinitionArn' }, desiredCount: 2, clientToken: 'token',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
        loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/full/1', containerName: 'app', containerPort: 8080 }],
        placementConstraints: [{ type: 'distinctInstance' }],
        healthCheckGracePeriodSeconds: 60, propagateTags: 'SERVICE', enableECSManagedTags: true, enableExecuteCommand: true, availabilityZoneRebalancing: 'ENABLED',
        deploymentConfiguration: {
          maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true },
          alarms: { alarmNames: ['full-5xx'], enable: true, rollback: true },
          strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10,
          lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:check', roleArn: 'arn:aws:iam::123456789012:role/hook', lifecycleStages: ['POST_SCALE_UP'] }],
        },
        volumeConfigurations: [{ name: 'ebs', managedEBSVolume: { roleArn: 'arn:aws:iam::123456789012:role/ebs', sizeInGiB: 20, volumeType: 'gp3', encrypted: true } }],
        serviceConnectConfiguration: { enabled: true, namespace: 'shop.local', services: [{ portName: 'app-8080', discoveryName: 'full-sc', clientAliases: [{ port: 8080, dnsName: 'full.shop.local' }] }] },
        tags: [{ key: 'team', value: 'shop' }],
      },
    },
  ];
  return { ...goldenPlan('chain'), steps, services: [{ cluster: 'c', service: 'full', status: 'change', taskDefinition: 'full:1', backends: [], findings: [] }] };
}

const plans: Record<string, Plan> = {};
let validator: CfnValidator;

beforeAll(async () => {
  plans.serviceConnect = await fixturePlan({ target: 'service-connect' });
  plans.inPlace = await fixturePlan({ target: 'service-connect', strategy: 'in-place', allowIacOwned: true });
  plans.appMesh = await fixturePlan({ target: 'appmesh' });
  for (const name of ['from-appmesh-names-protocols-timeouts', 'live-keeps-everything', 'chain', 'ec2-without-task-memory']) plans[name] = goldenPlan(name);
  plans.everyField = everyFieldPlan();
  validator = await cfnValidator();
}, 60_000);

interface Exported { files: Map<string, string>; index: ExportIndex; steps: PlanStep[] }

function exported(plan: Plan): Exported {
  const files = exportPlan(plan, EXPORT_FORMATS);
  const map = new Map(files.map((f: ExportFile) => [f.path, f.content]));
  return { files: map, index: JSON.parse(map.get('export.json')!) as ExportIndex, steps: [...plan.steps, ...plan.held?.steps ?? []] };
}

const COMPARED = ['RegisterTaskDefinition', 'UpdateService', 'CreateService'];
const compared = (steps: PlanStep[]) => steps.filter((s) => s.service === 'ecs' && COMPARED.includes(s.operation));
const norm = (key: string) => key.toLowerCase().replace(/_/g, '');

/**
 * Compares an API value with its rendition, guided by the API value: keys
 * match case- and underscore-insensitively, every field of both sides must be
 * matched, references must point at the step the plan names.
 */
function match(expected: unknown, actual: unknown, path: string, ref: (actual: unknown) => string | undefined, errors: string[], unwrap = false): void {
  // Terraform: jsonencode(...) of JSON, read back as HCL keeps it ("$${" escapes a template).
  const encoded = typeof actual === 'string' ? /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(actual) : null;
  if (encoded && typeof expected === 'object') actual = JSON.parse(encoded[1]!.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
  if (isStepOutputRef(expected)) {
    if (ref(actual) !== expected.$ref) errors.push(`${path}: expected a reference to ${expected.$ref}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      errors.push(`${path}: expected ${expected.length} item(s), got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => match(e, actual[i], `${path}[${i}]`, ref, errors, unwrap));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    const value = unwrap && Array.isArray(actual) && actual.length === 1 ? actual[0] : actual;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    const entries = Object.entries(expected).filter(([, v]) => v !== undefined);
    const byNorm = new Map(Object.entries(value).map(([k, v]) => [norm(k), { k, v }]));
    for (const [k, v] of entries) {
      const found = byNorm.get(norm(k));
      // Terraform has no empty list of blocks: none is the same.
      if (!found && unwrap && Array.isArray(v) && v.length === 0) continue;
      if (!found) errors.push(`${path}.${k}: missing`);
      else match(v, found.v, `${path}.${k}`, ref, errors, unwrap);
      byNorm.delete(norm(k));
    }
    for (const { k } of byNorm.values()) errors.push(`${path}.${k}: not in the plan's input`);
    return;
  }
  if (expected !== actual) errors.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const renditionOf = (e: Exported, format: keyof ExportIndex['renditions'], step: string) => e.index.renditions[format].find((r) => r.step === step);

describe('plan --export writes, per format, exactly the planned change', () => {
  it('cli: each step input as the AWS CLI takes it, references as placeholders naming the step', () => {
    for (const plan of Object.values(plans)) {
      const e = exported(plan);
      for (const step of e.steps) {
        const r = renditionOf(e, 'cli', step.id)!;
        expect(JSON.parse(e.files.get(r.file)!), `${step.id} in ${r.file}`).toEqual(showRefs(step.input));
      }
    }
  });

  it('ecspresso: ecs-task-def.json is the RegisterTaskDefinition input; ecs-service-def.json the service\'s fields but those ecspresso sets itself', () => {
    // ecspresso's config names cluster and service, and deploy registers the task definition and points the service at it.
    const ECSPRESSO_SETS = ['cluster', 'service', 'serviceName', 'taskDefinition', 'clientToken'];
    for (const plan of Object.values(plans)) {
      const e = exported(plan);
      for (const step of compared(e.steps)) {
        const r = renditionOf(e, 'ecspresso', step.id)!;
        const expected = Object.fromEntries(Object.entries(showRefs(step.input)).filter(([k]) => step.operation === 'RegisterTaskDefinition' || !ECSPRESSO_SETS.includes(k)));
        expect(JSON.parse(e.files.get(r.file)!), `${step.id} in ${r.file}`).toEqual(expected);
      }
    }
  });

  it('cloudformation: every task definition and service change, field by field, in CloudFormation\'s names and shapes', () => {
    for (const [name, plan] of Object.entries(plans)) {
      const e = exported(plan);
      for (const step of compared(e.steps)) {
        const r = renditionOf(e, 'cloudformation', step.id)!;
        const template = parseYaml(e.files.get(r.file)!) as { Parameters?: Record<string, { Description: string }>; Resources: Record<string, { Properties: Record<string, unknown> }> };
        // CloudFormation's own shapes: the proxy's properties and the placement strategy have their own names;
        // an idempotency token and the fields naming the service an update changes are no properties.
        const { clientToken: _t, ...input } = step.input;
        if (step.operation === 'UpdateService') { delete input.cluster; delete input.service; }
        const expected = JSON.parse(JSON.stringify(input).replace(/"placementStrategy":/g, '"placementStrategies":')) as Record<string, unknown>;
        const proxy = expected.proxyConfiguration as { properties?: unknown } | undefined;
        if (proxy?.properties) { (proxy as Record<string, unknown>).proxyConfigurationProperties = proxy.properties; delete proxy.properties; }
        const ref = (actual: unknown) => {
          const a = actual as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
          const target = a?.Ref ?? a?.['Fn::GetAtt']?.[0];
          const parameter = target ? template.Parameters?.[target] : undefined;
          if (parameter) return /^\S+ of (\S+)/.exec(parameter.Description)?.[1];
          return e.index.renditions.cloudformation.find((x) => x.file === r.file && x.at === target && e.steps.find((s) => s.id === x.step)?.operation !== 'ModifyTargetGroupAttributes')?.step;
        };
        const errors: string[] = [];
        match(expected, template.Resources[r.at!]!.Properties, `${name} ${step.id}`, ref, errors);
        expect(errors).toEqual([]);
        expect(r.partial ?? false).toBe(step.operation === 'UpdateService');
      }
    }
  });

  it('terraform: every task definition and service change, field by field, in the provider\'s arguments and blocks', async () => {
    for (const [name, plan] of Object.entries(plans)) {
      const e = exported(plan);
      const parsed = new Map<string, Record<string, Record<string, Record<string, unknown>[]>>>();
      for (const [path, content] of e.files) if (path.endsWith('.tf')) parsed.set(path, ((await parseHcl(path, content)) as { resource: Record<string, Record<string, Record<string, unknown>[]>> }).resource);
      for (const step of compared(e.steps)) {
        const r = renditionOf(e, 'terraform', step.id)!;
        const [type, resourceName] = r.at!.split('.');
        const actual = parsed.get(r.file)![type!]![resourceName!]![0]!;
        const errors: string[] = [];
        const ref = (value: unknown) => {
          const address = /^\$\{([\w]+\.[\w]+)\.(arn|id)\}$/.exec(String(value))?.[1];
          return e.index.renditions.terraform.find((x) => x.at === address && e.steps.find((s) => s.id === x.step)?.operation !== 'ModifyTargetGroupAttributes')?.step;
        };
        match(terraformShape(step), actual, `${name} ${step.id}`, ref, errors, true);
        expect(errors).toEqual([]);
      }
    }
  });
});

/**
 * The plan's input in the Terraform AWS provider's shapes (its registry pages
 * for aws_ecs_task_definition and aws_ecs_service): container definitions as
 * jsonencode(...) of the API's JSON, tags and the proxy's properties as maps,
 * blocks named in the singular, the rolling-update settings lifted to the
 * service, the awsvpc configuration and a volume's host path flattened.
 */
function terraformShape(step: PlanStep): Record<string, unknown> {
  const input: Record<string, unknown> = structuredClone(step.input);
  delete input.clientToken;
  const pairs = (list: unknown, key: string, value: string) => Object.fromEntries((list as Record<string, string>[]).map((p) => [p[key], p[value]]));
  const rename = (o: Record<string, unknown>, from: string, to: string) => { if (o[from] !== undefined) { o[to] = o[from]; delete o[from]; } };
  if (input.tags) input.tags = pairs(input.tags, 'key', 'value');
  if (step.operation === 'RegisterTaskDefinition') {
    const proxy = input.proxyConfiguration as Record<string, unknown> | undefined;
    if (proxy?.properties) proxy.properties = pairs(proxy.properties, 'name', 'value');
    for (const volume of (input.volumes ?? []) as Record<string, unknown>[]) {
      if (volume.host) { volume.hostPath = (volume.host as { sourcePath?: string }).sourcePath; delete volume.host; }
      rename(volume, 'configuredAtLaunch', 'configureAtLaunch');
    }
    rename(input, 'volumes', 'volume');
    return input;
  }
  if (step.operation === 'UpdateService') { delete input.cluster; delete input.service; }
  rename(input, 'serviceName', 'name');
  const network = input.networkConfiguration as { awsvpcConfiguration?: Record<string, unknown> } | undefined;
  if (network?.awsvpcConfiguration) {
    const vpc = network.awsvpcConfiguration;
    if (vpc.assignPublicIp !== undefined) vpc.assignPublicIp = vpc.assignPublicIp === 'ENABLED';
    input.networkConfiguration = vpc;
  }
  for (const lb of (input.loadBalancers ?? []) as Record<string, unknown>[]) rename(lb, 'loadBalancerName', 'elbName');
  rename(input, 'loadBalancers', 'loadBalancer');
  rename(input, 'placementStrategy', 'orderedPlacementStrategy');
  for (const volume of (input.volumeConfigurations ?? []) as { managedEBSVolume?: Record<string, unknown> }[]) if (volume.managedEBSVolume) rename(volume.managedEBSVolume, 'sizeInGiB', 'sizeInGb');
  rename(input, 'volumeConfigurations', 'volumeConfiguration');
  const deployment = input.deploymentConfiguration as Record<string, unknown> | undefined;
  if (deployment) {
    delete input.deploymentConfiguration;
    if (deployment.maximumPercent !== undefined) input.deploymentMaximumPercent = deployment.maximumPercent;
    if (deployment.minimumHealthyPercent !== undefined) input.deploymentMinimumHealthyPercent = deployment.minimumHealthyPercent;
    if (deployment.deploymentCircuitBreaker) input.deploymentCircuitBreaker = deployment.deploymentCircuitBreaker;
    if (deployment.alarms) input.alarms = deployment.alarms;
    // Every other field stays in deployment_configuration (strategy, bake time, hooks, canary and linear settings): none is left unchecked.
    const LIFTED = ['maximumPercent', 'minimumHealthyPercent', 'deploymentCircuitBreaker', 'alarms'];
    const strategy = Object.fromEntries(Object.entries(deployment).filter(([k]) => !LIFTED.includes(k)));
    rename(strategy, 'lifecycleHooks', 'lifecycleHook');
    if (Object.keys(strategy).length > 0) input.deploymentConfiguration = strategy;
  }
  const sc = input.serviceConnectConfiguration as Record<string, unknown> | undefined;
  if (sc) {
    const log = sc.logConfiguration as Record<string, unknown> | undefined;
    if (log) rename(log, 'secretOptions', 'secretOption');
    for (const s of (sc.services ?? []) as Record<string, unknown>[]) {
      rename(s, 'clientAliases', 'clientAlias');
      const tls = s.tls as Record<string, unknown> | undefined;
      if (tls) rename(tls, 'issuerCertificateAuthority', 'issuerCertAuthority');
    }
    rename(sc, 'services', 'service');
  }
  return input;
}

describe('a service its owner deploys twice: an ECS-managed move (load balancer first, then the strategy)', () => {
  const PROMOTIONS = 'legacy-mesh/promotions';
  const LOAD_BALANCER = `ecs-service-load-balancer:${PROMOTIONS}`;
  const MOVE = `ecs-service:${PROMOTIONS}`;

  it('is in the plans the field-by-field tests compare, each UpdateService rendered on its own in every format', () => {
    const e = exported(plans.serviceConnect!);
    const updates = compared(e.steps).filter((s) => s.ecsService === PROMOTIONS && s.operation === 'UpdateService');
    expect(updates.map((s) => s.id)).toEqual([LOAD_BALANCER, MOVE]);
    expect(updates[0]!.awaits).toBe('rollout');
    // No two compared steps share a rendition: a second one would overwrite the first.
    for (const plan of Object.values(plans)) {
      const x = exported(plan);
      for (const format of EXPORT_FORMATS) {
        const places = compared(x.steps).map((step) => { const r = renditionOf(x, format, step.id)!; return `${r.file}#${r.at ?? ''}`; });
        expect(new Set(places).size, format).toBe(places.length);
      }
    }
  });

  it('export.json lists its deploys: the alternate target group, the rule\'s weights and advancedConfiguration; then the task definition and the strategy', () => {
    const unit = exported(plans.serviceConnect!).index.services.find((u) => u.service === PROMOTIONS)!;
    expect(unit.deploys).toEqual([
      [`elbv2-target-group:${PROMOTIONS}:promotions`, `elbv2-target-group-attributes:${PROMOTIONS}:promotions`, expect.stringMatching(/^elbv2-weights:/), LOAD_BALANCER],
      [`task-definition:${PROMOTIONS}`, MOVE],
    ]);
    // Every other service of every plan is one deploy of all its steps.
    for (const plan of Object.values(plans)) {
      for (const u of exported(plan).index.services.filter((x) => x.service !== PROMOTIONS)) expect(u.deploys).toEqual([u.steps]);
    }
  });

  it('each format puts the deploys apart: ecspresso and CloudFormation a directory or template per deploy, Terraform the second in deploy-2/, the CLI its steps numbered across both', () => {
    const e = exported(plans.serviceConnect!);
    const file = (format: keyof ExportIndex['renditions'], step: string) => renditionOf(e, format, step)!.file;
    expect([file('ecspresso', LOAD_BALANCER), file('ecspresso', `task-definition:${PROMOTIONS}`), file('ecspresso', MOVE)]).toEqual([
      'ecspresso/legacy-mesh/promotions/deploy-1/ecs-service-def.json', 'ecspresso/legacy-mesh/promotions/deploy-2/ecs-task-def.json', 'ecspresso/legacy-mesh/promotions/deploy-2/ecs-service-def.json',
    ]);
    expect([file('cloudformation', LOAD_BALANCER), file('cloudformation', MOVE)]).toEqual(['cloudformation/legacy-mesh/promotions.deploy-1.yaml', 'cloudformation/legacy-mesh/promotions.deploy-2.yaml']);
    expect([file('terraform', LOAD_BALANCER), file('terraform', MOVE)]).toEqual(['terraform/legacy-mesh_promotions.tf', 'terraform/deploy-2/legacy-mesh_promotions.tf']);
    expect([file('cli', LOAD_BALANCER), file('cli', `task-definition:${PROMOTIONS}`), file('cli', MOVE)]).toEqual([
      'cli/legacy-mesh/promotions/04-update-service.json', 'cli/legacy-mesh/promotions/05-register-task-definition.json', 'cli/legacy-mesh/promotions/06-update-service.json',
    ]);
    // Each deploy's file says which it is, to wait for the first, and why.
    expect(e.files.get('cloudformation/legacy-mesh/promotions.deploy-1.yaml')).toContain('# Deploy 1 of 2 of legacy-mesh/promotions. Wait until the deployment it starts has completed before deploy 2 (cloudformation/legacy-mesh/promotions.deploy-2.yaml): AWS moves a service from the rolling strategy');
    expect(e.files.get('terraform/deploy-2/legacy-mesh_promotions.tf')).toContain('# Deploy 2 of 2 of legacy-mesh/promotions. Deploy it only once deploy 1 (terraform/legacy-mesh_promotions.tf) has completed its deployment');
  });

  it('the README says to deploy and wait for the first before the second, and why (Amazon ECS Developer Guide)', () => {
    const readme = exported(plans.serviceConnect!).files.get('README.md')!;
    const section = readme.slice(readme.indexOf(`### ${PROMOTIONS}`), readme.indexOf('###', readme.indexOf(`### ${PROMOTIONS}`) + 4));
    expect(section).toContain('- Deploys: 2, one after the other: deploy each only once the deployment the one before it started has completed (the service\'s PRIMARY deployment has rolloutState COMPLETED). AWS moves a service from the rolling strategy to blue/green, linear or canary only once a completed rolling deployment has put its load balancer\'s advancedConfiguration in place (Amazon ECS Developer Guide, "Update the deployment strategy from rolling update to Amazon ECS blue/green deployments").');
    expect(section).toMatch(/Deploy 1 of 2, then wait until its deployment has completed:\n\n1\. elbv2 CreateTargetGroup[\s\S]*\n4\. ecs UpdateService: ECS service legacy-mesh\/promotions: load balancer's advancedConfiguration[\s\S]*Deploy 2 of 2:\n\n5\. ecs RegisterTaskDefinition[\s\S]*\n6\. ecs UpdateService/);
    // The AWS CLI section waits after the load balancer's deployment (waitUntilServicesStable ignores rolloutState).
    expect(readme).toContain([
      'aws ecs update-service --cli-input-json file://cli/legacy-mesh/promotions/04-update-service.json',
      '# wait until this prints COMPLETED: aws ecs describe-services --cluster legacy-mesh --services promotions --query "services[0].deployments[?status==\'PRIMARY\'].rolloutState" --output text',
      'aws ecs register-task-definition --cli-input-json file://cli/legacy-mesh/promotions/05-register-task-definition.json',
    ].join('\n'));
  });
});

describe('the export README', () => {
  it('names per service its owner, whether apply holds it, its files and the order; says what happens to secrets and placeholders', () => {
    const e = exported(plans.serviceConnect!);
    const readme = e.files.get('README.md')!;
    expect(readme).toContain('**Keep the order**: servers before clients');
    expect(readme).toContain('keep the real values your code holds for those variables, do not deploy `****`');
    expect(readme).toContain('`<PATH of STEP>` stands for a value known only once that earlier step ran');
    // Services in rollout order: a client's section after its servers'.
    expect(readme.indexOf('### shop-ec2/payments')).toBeLessThan(readme.indexOf('### shop-ec2/orders'));
    expect(readme.indexOf('### shop-ec2/orders')).toBeLessThan(readme.indexOf('### shop-fargate/web'));
    expect(readme).toMatch(/### shop-ec2\/orders[\s\S]*?- Order: step \d+ of the rollout, after shop-ec2\/payments completed/);
    expect(readme).toContain('- cloudformation: `cloudformation/shop-ec2/orders.yaml`');
    expect(readme).toContain('- terraform: `terraform/shop-ec2_orders.tf`');
    expect(readme).toContain('aws ecs register-task-definition --cli-input-json file://cli/shop-ec2/orders/01-register-task-definition.json');
    for (const unit of e.index.services) expect(readme).toContain(`### ${unit.service}`);
  });
});

describe('the CloudFormation output', () => {
  it('validates against CloudFormation\'s resource specification, every resource of every file', () => {
    for (const plan of Object.values(plans)) {
      const e = exported(plan);
      for (const [path, content] of e.files) {
        if (!path.startsWith('cloudformation/')) continue;
        const template = parseYaml(content) as { AWSTemplateFormatVersion: string; Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
        expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
        for (const [id, resource] of Object.entries(template.Resources)) {
          const partial = e.index.renditions.cloudformation.some((r) => r.file === path && r.at === id && r.partial);
          expect(validator.validate(resource.Type, resource.Properties, partial), `${path} ${id}`).toEqual([]);
        }
      }
    }
  });
});

describe('the specification the CloudFormation output is checked against', () => {
  it('is current: it knows ECS\'s own blue/green (July 2025), canary and linear deployments (October 2025), the load balancer\'s AdvancedConfiguration and Service Connect access logs, which @aws-cdk/cfnspec (frozen in 2023) predates', () => {
    expect(validator.validate('AWS::ECS::Service', {
      DeploymentConfiguration: {
        Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 10, LifecycleHooks: [{ HookTargetArn: 'a', RoleArn: 'r', LifecycleStages: ['POST_SCALE_UP'] }],
        CanaryConfiguration: { CanaryPercent: 5, CanaryBakeTimeInMinutes: 10 }, LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 6 },
      },
      LoadBalancers: [{ TargetGroupArn: 'tg', ContainerName: 'app', ContainerPort: 8080, AdvancedConfiguration: { AlternateTargetGroupArn: 'alt', ProductionListenerRule: 'rule', RoleArn: 'role', TestListenerRule: 'test' } }],
      ServiceConnectConfiguration: { Enabled: true, AccessLogConfiguration: { Format: 'JSON' } },
    }, true)).toEqual([]);
    // No property the export writes is missing from it: were one, it would be named here, with the date the specification gained it.
    expect(validator.validate('AWS::ECS::Service', { DeploymentConfiguration: { Strategy: 'SIDEWAYS', NotAField: 1 } }, true)).toEqual([expect.stringContaining('NotAField: not a property')]);
  });
});

describe('the Terraform output', () => {
  it('parses as HCL, every file', async () => {
    for (const plan of Object.values(plans)) {
      for (const [path, content] of exported(plan).files) if (path.endsWith('.tf')) await expect(parseHcl(path, content), path).resolves.toHaveProperty('resource');
    }
  });
});
