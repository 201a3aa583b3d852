// The plan is data: an ordered list of exact AWS operations with their inputs
// and dependencies, plus the observed state it was computed from. apply
// executes it without recomputing, and refuses it if the account drifted.
import type { Finding } from '../checks/rule.js';
import type { LaunchKind } from '../estate.js';
import type { ServiceOwner } from '../owner.js';
import type { Target } from '../sidecars.js';
import type { PlannedUsage } from '../usage.js';

export const PLAN_FORMAT_VERSION = 1;

export type PlanAwsService = 'ecs' | 'appmesh' | 'servicediscovery' | 'elbv2' | 'application-autoscaling' | 'cloudwatch' | 'ram' | 'route53';

/**
 * A value known only once an earlier step has run, such as the ARN of the
 * task-definition revision a RegisterTaskDefinition step creates: `path` is a
 * dotted path into that step's output.
 */
export interface StepOutputRef {
  $ref: string;
  path: string;
  /**
   * Only the resource part of the ARN found there, after its fifth colon:
   * targetgroup/<name>/<id>, the way CloudWatch dimensions and Application
   * Auto Scaling resource labels name a target group.
   */
  arnResource?: true;
  /** Written before the value: the app/<name>/<id>/ of a resource label. */
  prefix?: string;
}

export interface PlanStep {
  id: string;
  service: PlanAwsService;
  operation: string;
  input: Record<string, unknown>;
  dependsOn: string[];
  /** The 12-digit account the step runs in (with that account's credentials). */
  account?: string;
  action: 'create' | 'update' | 'delete';
  /** What the step creates or changes, for people. */
  resource: string;
  /** The ECS service (cluster/service) the step belongs to, when it belongs to one. */
  ecsService?: string;
  /** For updates: the current spec or value the step replaces. */
  before?: unknown;
  /**
   * RegisterTaskDefinition steps: the revision the input was rewritten from.
   * Secret-looking environment values are masked in the plan; apply restores
   * them from this revision, which the fingerprint proves unchanged.
   */
  sourceTaskDefinition?: string;
  /**
   * apply waits, after the call, for the deployment it starts (or stops) to
   * end before the steps after it: `rollout` the service's rolling
   * deployment, `service-deployment` an ECS-managed one (its rollback, for
   * StopServiceDeployment).
   */
  awaits?: 'rollout' | 'service-deployment';
}

export interface PlannedBackend {
  virtualService: string;
  inferred: boolean;
  /** For inferred backends: the environment variable that names it. */
  from?: string;
}

export interface PlannedServiceConnect {
  namespace: string;
  /**
   * How the service moves: in place, through a parallel green service
   * (blue-green), or by an ECS-managed canary, linear or blue/green
   * deployment that keeps the service (App Mesh services).
   */
  strategy: 'in-place' | 'blue-green' | 'ecs-canary' | 'ecs-linear' | 'ecs-blue-green';
  /** Services leaving App Mesh: why this strategy. */
  why?: string;
  /** ECS-managed moves: the deployment ECS runs (strategy, its steps, bake, alarms, production rule, alternate group, role). */
  deployment?: Record<string, unknown>;
  /** The green service created beside the App Mesh one (blue-green only). */
  greenService?: string;
  /** The names callers keep using: dnsName:port. */
  aliases: string[];
}

export interface PlannedService {
  cluster: string;
  service: string;
  /** The account the service runs in. */
  account?: string;
  /** held: infrastructure code owns it (or a server it waits for): its steps are in `held`, apply leaves it. */
  status: 'change' | 'unchanged' | 'held';
  taskDefinition: string;
  /** The infrastructure code that owns it, when its tags name one. */
  owner?: ServiceOwner;
  /** Where and how many tasks run: the summary's cost estimate. */
  launch?: LaunchKind;
  /** The capacity providers its tasks are placed with (none with a launch type): Fargate Spot is not priced. */
  capacityProviders?: string[];
  desiredCount?: number;
  /** App Mesh target: the service's virtual node and virtual service, and its mesh when it is not the plan's. */
  virtualNode?: string;
  mesh?: string;
  virtualService?: string;
  /** Service Connect target. */
  serviceConnect?: PlannedServiceConnect;
  /** What the operator does by hand, and risks the plan cannot remove. */
  notes?: string[];
  /** Set when canary weights route the virtual service through a virtual router. */
  router?: { name: string; targets: { virtualNode: string; weight: number }[] };
  backends: PlannedBackend[];
  /** Service Connect: App Mesh traffic policy the move does not keep (retries, outlier detection, weighted or header routes, mTLS…). */
  parity?: string[];
  /**
   * Service Connect: where the service moves in the rollout (servers first) and the services it waits for;
   * `outside`: servers it calls outside a --cluster/--service selection, not on Service Connect yet, which should move first.
   */
  rollout?: { position: number; after: string[]; outside?: { name: string; server: string }[] };
  /** Errors and warnings from precheck that do not block the plan (apply refuses errors without --force). */
  findings: Finding[];
  /** The busiest task's peaks in CloudWatch the sizes come from, or why there are none (absent with --no-usage). */
  usage?: PlannedUsage;
}

/** A service apply leaves to its owner: what would move it is in the plan's `held` steps. */
export interface HeldService {
  cluster: string;
  service: string;
  account?: string;
  /** Its own owner; absent for a service held only because a server it waits for is. */
  owner?: ServiceOwner;
  /** Held servers its move waits for (servers before clients). */
  waitsFor?: string[];
  reason: string;
}

export interface BlockedService {
  cluster: string;
  service: string;
  findings: Finding[];
}

/** What the plan was computed from; apply compares it with the live account. */
export interface ObservedState {
  services: Record<string, { taskDefinition: string; deployments: string[] }>;
  /** App Mesh resources the plan touches: path → version, or null when absent. */
  meshResources: Record<string, number | null>;
  /** Cloud Map namespaces and services the plan uses: name → id/ARN, or null when absent. */
  cloudMap: Record<string, string | null>;
  /** Listener rules and listeners the plan re-weights: ARN → their actions as JSON (Service Connect blue-green). */
  edge?: Record<string, string>;
}

export interface Plan {
  formatVersion: number;
  tool: 'meshctl';
  target: Target;
  region: string;
  /** The caller's own account. */
  account: string;
  /** A plan over several accounts: the account names from meshctl.yaml, by id. */
  accounts?: Record<string, string>;
  createdAt: string;
  mesh: string;
  fingerprint: string;
  observed: ObservedState;
  steps: PlanStep[];
  services: PlannedService[];
  blocked: BlockedService[];
  /**
   * Services infrastructure code owns, left to their owner (no
   * --allow-iac-owned, no allowMove in meshctl.yaml), and the steps that
   * would move them: apply runs none of these, plan --export hands them over.
   */
  held?: { services: HeldService[]; steps: PlanStep[] };
  /** Said once for the whole plan: what could not be read, dependency cycles. */
  warnings?: string[];
  /** Set on a rollback plan: the apply journal it undoes (none when services were named without one) and what it leaves in place. */
  rollback?: RollbackOf;
  /** Set on a finalize plan: the apply journal whose blue-green moves it finishes. */
  finalize?: { journal: string };
  /** Steps by what they do (deletes apart from updates), services left unchanged or blocked. */
  summary: { create: number; update: number; delete: number; unchanged: number; blocked: number; held?: number };
}

export interface RollbackOf {
  journal?: string;
  /** Resources apply created that this rollback keeps (no --remove-mesh-resources, or services still on them). */
  leftInPlace: string[];
}

export function isStepOutputRef(value: unknown): value is StepOutputRef {
  return typeof value === 'object' && value !== null && typeof (value as StepOutputRef).$ref === 'string';
}
