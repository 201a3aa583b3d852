// meshctl.yaml: optional settings, validated against a schema. Every field has
// a default, so commands run without a file.
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CUTOVER_STRATEGIES, DEFAULT_CUTOVER, type CutoverStrategy } from '../core/cutover/ecs-strategy.js';
import { CONFIGURED_OWNER_TOOLS, type OwnerRules } from '../core/owner.js';
import { DEFAULT_SIDECAR_SIZING, TARGETS, type Target } from '../core/sidecars.js';
import { parseStateUrl } from '../core/state.js';
import { DEFAULT_USAGE_HEADROOM, DEFAULT_USAGE_WINDOW } from '../core/usage.js';
import { parseDuration, parseWindowHours } from '../util/duration.js';
import { ExpectedError } from '../util/expected-error.js';

export const DEFAULT_CONFIG_FILE = 'meshctl.yaml';
export const DEFAULT_MESH_NAME = 'meshctl';
/** The caller's own account when accounts: does not name it. */
export const HOME_ACCOUNT_NAME = 'caller';

const sizeShape = (defaults: { cpu: number; memory: number }) => ({
  cpu: z.number().int().positive().default(defaults.cpu),
  memory: z.number().int().positive().default(defaults.memory),
  image: z.string().min(1).optional(),
});
const size = (defaults: { cpu: number; memory: number }) => z.object(sizeShape(defaults)).strict().default(defaults);

const port = z.number().int().min(1).max(65535);

function isWindow(value: string): boolean {
  try {
    parseWindowHours(value, 'usage.window');
    return true;
  } catch {
    return false;
  }
}

const USAGE_DEFAULTS = { read: true, window: DEFAULT_USAGE_WINDOW, headroom: DEFAULT_USAGE_HEADROOM * 100 };
/** Sizing from CloudWatch peaks (precheck, plan and apply without a plan; --no-usage, --usage-window, --usage-headroom per run). */
const Usage = z.object({
  read: z.boolean().default(USAGE_DEFAULTS.read),
  window: z.string().refine(isWindow, { message: 'whole hours or days between 1h and 455d, for example 14d or 36h' }).default(USAGE_DEFAULTS.window),
  /** Room kept over the peaks, in percent. */
  headroom: z.number().min(0).max(400).default(USAGE_DEFAULTS.headroom),
}).strict();
/** EgressIgnoredIPs takes IPv4 addresses and CIDR blocks: every octet 0-255, a prefix 0-32. */
function isIpv4OrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !isIPv4(address!)) return false;
  return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
}
const ipv4 = z.string().refine(isIpv4OrCidr, { message: 'expected an IPv4 address or CIDR block (a.b.c.d or a.b.c.d/n, octets 0-255, n 0-32)' });

const ServiceOverride = z.object({
  backends: z.array(z.string().min(1)).optional(),
  egressIgnoredPorts: z.array(port).default([]),
  egressIgnoredIPs: z.array(ipv4).default([]),
  protocol: z.enum(['http', 'http2', 'grpc', 'tcp']).optional(),
  healthCheckPath: z.string().startsWith('/').optional(),
  canary: z.array(z.object({ virtualNode: z.string().min(1), weight: z.number().int().min(0).max(100) }).strict())
    .min(2, 'a canary needs at least two weighted virtual nodes')
    .optional(),
  /** CloudWatch alarms that make ECS roll this service's ECS-managed deployment back (on top of cutover.alarms). */
  alarms: z.array(z.string().min(1).max(255)).optional(),
}).strict();

/** ECS takes percentages in tenths (Amazon ECS API Reference, CanaryConfiguration and LinearConfiguration). */
const tenths = (min: number) => z.number().min(min).max(100).refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, { message: 'a multiple of 0.1' });
/** Bake times: whole minutes, 0 to 1440 (24 hours), as ECS takes them. */
export const bakeMinutes = z.number().int().min(0).max(1440);

/** How services leaving App Mesh cut over, and ECS-managed deployments' settings. */
const Cutover = z.object({
  strategy: z.enum(CUTOVER_STRATEGIES as [CutoverStrategy, ...CutoverStrategy[]]).optional(),
  infrastructureRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/, 'expected an IAM role ARN (arn:PARTITION:iam::123456789012:role/NAME, PARTITION aws, aws-cn or aws-us-gov)').optional(),
  canary: z.object({ percent: tenths(0.1).default(DEFAULT_CUTOVER.canary.percent), bakeMinutes: bakeMinutes.default(DEFAULT_CUTOVER.canary.bakeMinutes) }).strict().default(DEFAULT_CUTOVER.canary),
  linear: z.object({ stepPercent: tenths(3).default(DEFAULT_CUTOVER.linear.stepPercent), stepBakeMinutes: bakeMinutes.default(DEFAULT_CUTOVER.linear.stepBakeMinutes) }).strict().default(DEFAULT_CUTOVER.linear),
  bakeMinutes: bakeMinutes.default(DEFAULT_CUTOVER.bakeMinutes),
  alarms: z.array(z.string().min(1).max(255)).default([]),
}).strict();

/**
 * Another account meshctl reads and changes in the same run: reached by
 * assuming roleArn (STS) or through a profile. An entry with neither names
 * the caller's own account (to give it a name or a cluster list).
 */
const Account = z.object({
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/, 'expected an IAM role ARN (arn:PARTITION:iam::123456789012:role/NAME, PARTITION aws, aws-cn or aws-us-gov)').optional(),
  externalId: z.string().min(2).max(1224).optional(),
  /** RoleSessionName: how the session shows in the account's CloudTrail. */
  sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, '2-64 characters: letters, digits and +=,.@-_').optional(),
  profile: z.string().min(1).optional(),
  /** The clusters this account owns that meshctl works on (default: all of them). */
  clusters: z.array(z.string().min(1)).optional(),
}).strict()
  .refine((a) => !(a.roleArn && a.profile), { message: 'give roleArn or profile, not both' })
  .refine((a) => a.roleArn || (!a.externalId && !a.sessionName), { message: 'externalId and sessionName go with roleArn' });

/** s3://BUCKET/PREFIX, or a local directory (the default is ./.meshctl). */
const StateUrl = z.string().superRefine((value, ctx) => {
  try {
    parseStateUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * Where journals, saved rollback and finalize plans, and their locks live: a
 * URL alone, or with the account whose credentials reach the bucket (default
 * the caller's own), an SSE-KMS key, and how long a lock holds without a
 * heartbeat.
 */
const State = z.preprocess((value) => (typeof value === 'string' ? { url: value } : value), z.object({
  url: StateUrl,
  account: z.string().min(1).optional(),
  kmsKeyId: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'expected a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID): the IAM policy names the key').optional(),
  lockTtl: z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'expected a duration such as 10m or 90s')
    // The holder writes a heartbeat every quarter of it: under a second would only spend requests.
    .refine((ttl) => parseDuration(ttl, 'state.lockTtl') >= 1000, 'at least 1s (the default is 10m)').optional(),
}).strict().refine((s) => !s.kmsKeyId || s.url.startsWith('s3://'), { message: 'kmsKeyId is for an S3 state (s3://BUCKET/PREFIX)', path: ['kmsKeyId'] }));
/** Owners found by AWS's own tags: only whether apply may move their services. */
const BuiltInOwner = z.object({ allowMove: z.boolean().default(false) }).strict();
/** An owner the estate marks with its own tags (Terraform default_tags, a tag an ecspresso team sets). */
const TaggedOwner = z.object({
  /** What redeploys its services: decides the command named and the export format suggested. */
  tool: z.enum(CONFIGURED_OWNER_TOOLS).optional(),
  /** The tags that mark its services (all must match; '*' matches any value), on the service or else its task definition. */
  tags: z.record(z.string().min(1), z.string(), { error: 'name the tags that mark its services, for example tags: { ManagedBy: terraform }' }).refine((t) => Object.keys(t).length > 0, { message: 'name at least one tag, for example { ManagedBy: terraform }' }),
  /** The tag whose value names where the service is defined (a Terraform workspace, a repository). */
  workspaceTag: z.string().min(1).optional(),
  /** apply moves its services without --allow-iac-owned (their next deploy reverts the move unless the owner carries the change). */
  allowMove: z.boolean().default(false),
}).strict();
const OWNER_NAME = /^[a-zA-Z0-9][\w-]*$/;
const Owners = z.object({ cloudformation: BuiltInOwner.optional(), copilot: BuiltInOwner.optional() })
  .catchall(TaggedOwner)
  .superRefine((owners, ctx) => {
    for (const name of Object.keys(owners)) {
      if (!OWNER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'owner names: letters, digits, - and _' });
    }
  })
  .default({});

const ConfigSchema = z.object({
  target: z.enum(TARGETS as [Target, ...Target[]]).optional(),
  mesh: z.object({
    name: z.string().max(255, 'at most 255 characters (App Mesh\'s limit for a mesh name)').regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'letters, digits, - and _ only').default(DEFAULT_MESH_NAME),
    egressFilter: z.enum(['ALLOW_ALL', 'DROP_ALL']).default('ALLOW_ALL'),
  }).strict().default({ name: DEFAULT_MESH_NAME, egressFilter: 'ALLOW_ALL' }),
  cloudMap: z.object({
    /** Namespace for services that have no registry yet (default: the one most services use). */
    namespace: z.string().min(1).max(253, 'at most 253 characters (a DNS name, Cloud Map\'s limit)').optional(),
    /** The VPC for a private DNS namespace meshctl creates when `namespace` does not exist (App Mesh). */
    vpc: z.string().regex(/^vpc-[0-9a-f]+$/, 'expected a VPC id (vpc-…)').optional(),
  }).strict().default({}),
  include: z.object({ clusters: z.array(z.string()).optional(), services: z.array(z.string()).optional() }).strict().default({}),
  exclude: z.object({ clusters: z.array(z.string()).default([]), services: z.array(z.string()).default([]) }).strict()
    .default({ clusters: [], services: [] }),
  serviceConnect: z.object({
    /** Keep the X-Ray daemon of services leaving App Mesh (tracing without Envoy). */
    keepXray: z.boolean().default(false),
    /** Set each migrated cluster's serviceConnectDefaults to the namespace, so new services join it. */
    setClusterDefaults: z.boolean().default(false),
    /** TLS for ports whose App Mesh listener had TLS: AWS Private CA and the role ECS uses with it. */
    tls: z.object({
      awsPcaAuthorityArn: z.string().regex(/^arn:aws[a-z-]*:acm-pca:/, 'expected an AWS Private CA ARN (arn:PARTITION:acm-pca:…)'),
      roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, 'expected an IAM role ARN'),
      kmsKey: z.string().min(1).optional(),
    }).strict().optional(),
  }).strict().default({ keepXray: false, setClusterDefaults: false }),
  cutover: Cutover.default({ canary: DEFAULT_CUTOVER.canary, linear: DEFAULT_CUTOVER.linear, bakeMinutes: DEFAULT_CUTOVER.bakeMinutes, alarms: [] }),
  /** Named accounts besides the caller's own (see Account). */
  accounts: z.record(z.string().regex(/^[a-zA-Z0-9][\w-]*$/, 'account names: letters, digits, - and _'), Account).default({}),
  /** Where the state lives (default ./.meshctl); see State. */
  state: State.optional(),
  /** Extra EgressIgnoredIPs for every service, on top of the ECS metadata endpoints. */
  egressIgnoredIPs: z.array(ipv4).default([]),
  /** Keyed by service name, or cluster/service for one cluster only. */
  services: z.record(z.string(), ServiceOverride).default({}),
  usage: Usage.default(USAGE_DEFAULTS),
  /**
   * Infrastructure code that owns services: cloudformation and copilot are
   * found by AWS's tags (allowMove only); any other name is an owner the
   * estate marks with its own tags.
   */
  owners: Owners,
  sidecars: z.object({
    envoy: z.object({
      ...sizeShape(DEFAULT_SIDECAR_SIZING.envoy),
      /** Tag of AWS's regional Envoy image (ignored when image is set). */
      tag: z.string().regex(/^v\d+(\.\d+)*-prod$/, 'expected an App Mesh Envoy release tag such as v1.29.12.1-prod').optional(),
    }).strict().default(DEFAULT_SIDECAR_SIZING.envoy),
    xray: size(DEFAULT_SIDECAR_SIZING.xray),
    serviceConnectAgent: size(DEFAULT_SIDECAR_SIZING.serviceConnectAgent),
  }).strict().default(DEFAULT_SIDECAR_SIZING),
}).strict().superRefine((config, ctx) => {
  // The state's account is one of the run's: the caller's own, or one named under accounts.
  const account = config.state?.account;
  if (account && account !== HOME_ACCOUNT_NAME && !(account in config.accounts)) {
    ctx.addIssue({ code: 'custom', path: ['state', 'account'], message: `no account ${account} under accounts: (the accounts are ${[HOME_ACCOUNT_NAME, ...Object.keys(config.accounts)].join(', ')})` });
  }
});

export type MeshctlConfig = z.infer<typeof ConfigSchema>;
export type ServiceOverrides = z.infer<typeof ServiceOverride>;
export type AccountConfig = z.infer<typeof Account>;
export type StateConfig = z.infer<typeof State>;

export class ConfigError extends ExpectedError {}

export function defaultConfig(): MeshctlConfig {
  return ConfigSchema.parse({});
}

/** Parses config data (already read from YAML or JSON); `file` names it in errors. */
export function parseConfig(data: unknown, file: string): MeshctlConfig {
  const result = ConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    // Every error in the file at once, so one edit fixes them all.
    const errors = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new ConfigError(errors.length === 1 ? `${file}: ${errors[0]}` : `${file} has ${errors.length} errors:\n  ${errors.join('\n  ')}`);
  }
  return result.data;
}

/** Loads --config FILE, or meshctl.yaml when present, or the defaults. */
export async function loadConfig(path: string | undefined): Promise<MeshctlConfig> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && path === undefined) return defaultConfig();
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseConfig(data, file);
}

/** The owner rules of meshctl.yaml, for the pure core. */
export function ownerRules(config: MeshctlConfig): OwnerRules {
  const { cloudformation, copilot, ...tagged } = config.owners;
  return {
    cloudformation: { allowMove: cloudformation?.allowMove ?? false },
    copilot: { allowMove: copilot?.allowMove ?? false },
    tagged: Object.entries(tagged as Record<string, z.infer<typeof TaggedOwner>>).map(([name, o]) => ({
      name, tool: o.tool ?? ((CONFIGURED_OWNER_TOOLS as readonly string[]).includes(name) ? name as OwnerRules['tagged'][number]['tool'] : 'other'),
      tags: o.tags, ...(o.workspaceTag && { workspaceTag: o.workspaceTag }), allowMove: o.allowMove,
    })),
  };
}

/** The overrides for one service: cluster/service wins over service. */
export function serviceOverrides(config: MeshctlConfig, cluster: string, service: string): ServiceOverrides | undefined {
  return config.services[`${cluster}/${service}`] ?? config.services[service];
}
