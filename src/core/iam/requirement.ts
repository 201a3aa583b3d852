// The shape of one row of the IAM requirements table: what one operation
// meshctl sends needs from IAM, as AWS's Service Authorization Reference
// lists it (action, resource types, dependent actions, condition keys), plus
// what the services' own guides add (roles handed over, tags on create).
import type { Scope } from './arns.js';

/** The reference's access levels, folded: List and Read are reads, the rest writes. */
export type Access = 'read' | 'write';

/** One permission a call needs: an action on resources, with the request context its conditions test. */
export interface Grant {
  action: string;
  /** Every ARN the call is authorized on (all must be allowed); ['*'] when the action takes no resource. */
  resources: string[];
  /** Condition keys the request carries that the policy conditions on (iam:PassedToService, ecs:CreateAction…). */
  context?: Record<string, string>;
  /** The condition holds when the request lacks the key (…IfExists operators). */
  ifExists?: boolean;
  /** The statement of the printed policy that grants it. */
  sid: string;
}

/** A further action the call needs (the reference's "Dependent actions", or a service guide's). */
export interface Dependent {
  action: string;
  access?: Access;
  resources: (s: Scope) => string[];
  /** Only for some inputs (a namespace of another account, tags given…). */
  when?: (s: Scope) => boolean;
  sid: string;
  /** The AWS page behind it, when not the row's. */
  page?: string;
}

/** A role the input hands to an AWS service: iam:PassRole on it, with iam:PassedToService. */
export interface PassedRole {
  /** Where the role ARN is in the input; `[]` walks an array. */
  path: string;
  service: string;
  page: string;
}

export interface Requirement {
  /** The IAM action the operation is authorized as. */
  action: string;
  access: Access;
  /** The Service Authorization Reference page the row is taken from. */
  page: string;
  /** What the action is authorized on, built from the step; ['*'] where the reference lists no resource type. */
  resources: (s: Scope) => string[];
  /** The statement of the printed policy that grants it (writes; reads are all granted on "*"). */
  sid: string;
  /** A condition key the request carries and the policy scopes the action by (one grant per value). */
  condition?: { key: string; ifExists?: boolean; values: (s: Scope) => string[] };
  dependent?: Dependent[];
  /** Tags given on create are authorized as a tagging action too (tag-on-create). */
  tagOnCreate?: { action: string; field: string; createAction?: { key: string; value: string }; sid: string; page: string };
  passesRoles?: PassedRole[];
  /** The service-linked role AWS creates on the first such call in an account. */
  linkedRole?: { service: string; role: string; page: string };
  /** Other operations apply sends for this step (lookups, waits, adopting what a killed run made), by table key. */
  alsoSends?: string[];
  /** The operation (table key) a rollback undoes it with, authorized from the same input: a plan's policy covers its rollback. */
  undoneBy?: string;
}
