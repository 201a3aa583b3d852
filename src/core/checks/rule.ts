// A precheck rule is data: a stable id, what it looks at, and a function from
// the estate to findings. Rules never touch AWS.
import type { Cluster, Estate, Service, TaskDefinition } from '../estate.js';
import type { CutoverContext } from '../cutover/ecs-strategy.js';
import type { OwnerRules } from '../owner.js';
import type { SidecarSizing, Target } from '../sidecars.js';
import type { StateBucketFacts } from '../state.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export interface Finding {
  rule: string;
  severity: Severity;
  /** Empty for findings about the whole estate. */
  cluster: string;
  service: string;
  message: string;
  hint: string;
  /** The plan cannot rewrite this service while the finding stands. */
  blocking?: boolean;
}

export type RuleFinding = Pick<Finding, 'severity' | 'message' | 'hint' | 'blocking'>;

export interface CheckOptions {
  target: Target;
  sizing: SidecarSizing;
  /** Service Connect: services leaving App Mesh keep their X-Ray daemon (meshctl.yaml serviceConnect.keepXray). */
  keepXray?: boolean;
  /** App Mesh: the EgressIgnoredPorts meshctl.yaml adds for a service, counted with the ones found. */
  configuredEgressPorts?: (cluster: string, service: string) => number[];
  /** The S3 bucket of meshctl's state, when the state is there: not part of the estate, read beside it. */
  stateBucket?: StateBucketFacts;
  /** Service Connect: how services leaving App Mesh cut over (the planner's choice, with the edge and role it reads). */
  cutover?: CutoverContext;
  /** Room kept over observed peaks, as a fraction (default 0.25; meshctl.yaml usage.headroom, --usage-headroom). */
  headroom?: number;
  /** meshctl.yaml owners: who owns a service (iac-owner); CloudFormation and Copilot are found without it. */
  owners?: OwnerRules;
}

export interface ServiceSubject extends CheckOptions {
  estate: Estate;
  cluster: Cluster;
  service: Service;
  taskDefinition: TaskDefinition;
}

interface RuleBase {
  id: string;
  title: string;
  /** Targets the rule applies to, and for the others why it does not. */
  targets: readonly Target[];
  notApplicable?: Partial<Record<Target, string>>;
}

export interface ServiceRule extends RuleBase {
  scope: 'service';
  check(subject: ServiceSubject): RuleFinding[];
}

export interface EstateRule extends RuleBase {
  scope: 'estate';
  check(estate: Estate, options: CheckOptions): RuleFinding[];
}

export type Rule = ServiceRule | EstateRule;
