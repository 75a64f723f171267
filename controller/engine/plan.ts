/**
 * A plan is data: the changes that would bring AWS to the spec, computed before anything is applied.
 * `plan` prints it, `apply` executes it; both share one code path. Its JSON form is a stable API.
 */

/** The kinds of resource one service is made of, in the words the plan uses. */
export type ResourceKind =
  | "SecurityGroup"
  | "LogGroup"
  | "LoadBalancer"
  | "TargetGroup"
  | "Listener"
  | "ListenerRule"
  | "Cluster"
  | "TaskDefinition"
  | "Service"
  | "ScalableTarget"
  | "ScalingPolicy";

export type ChangeAction = "create" | "update" | "replace" | "delete" | "noop";

/** One field that differs: `path: observed → desired`. Sensitive values are already redacted. */
export interface FieldDiff {
  path: string;
  desired: unknown;
  observed: unknown;
}

export interface Change {
  action: ChangeAction;
  resource: ResourceKind;
  /** The resource's AWS name (or id when it has no name). */
  name: string;
  /** Why: for a replace, the immutable field; for a delete, what no longer needs it. */
  reason?: string;
  diff: FieldDiff[];
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

/**
 * A resource the plan leaves alone on purpose, and why: it is not ours, or deleting it would take
 * something that is not ours with it, or something left in place still uses it.
 */
export interface LeftInPlace {
  resource: ResourceKind;
  /** The resource's AWS name (or id when it has no name). */
  name: string;
  reason: string;
}

/**
 * A revision the spec asks for that is not rolled out on purpose: its last rollout failed and was
 * rolled back. While one is held back AWS does not run the spec, whatever else matches.
 */
export interface HeldBack {
  resource: "TaskDefinition";
  /** The held-back revision, `web:2`. */
  name: string;
  arn: string;
  /** The revision that keeps running instead, `web:1`. */
  running: string;
  reason: string;
}

/**
 * A step the plan does not take yet because it waits for AWS (a rollout to finish, targets to turn
 * healthy): a later pass takes it, so the plan is not converged while one is listed.
 */
export interface Waiting {
  resource: ResourceKind;
  name: string;
  /** What the step is, and what it waits for. */
  reason: string;
}

/** A planned change that cannot be made without the load balancer dropping requests, and why. */
export interface Interruption {
  resource: ResourceKind;
  name: string;
  reason: string;
}

/** What an operator may ask of apply beyond the spec. */
export interface PlanOptions {
  /** Roll out a held-back revision again (its failed mark is cleared), once the cause is fixed outside the spec. */
  retryFailed?: boolean;
  /** Start a new deployment of the service even when nothing changed (UpdateService forceNewDeployment). */
  forceNewDeployment?: boolean;
}

/** Why a resource without our ownership tags is left alone, in the words plan and destroy print. */
export const NOT_OURS = "not tagged as owned by this service: left in place";

/** The `plan --json` document. */
export interface PlanDocument {
  changes: Change[];
  /** What was left alone on purpose. */
  skipped: LeftInPlace[];
  /** `plan` only: revisions of the spec not rolled out because their last rollout failed (AWS does not run the spec). */
  heldBack?: HeldBack[];
  summary: PlanSummary;
}

/** Counts the changes by action. */
export function summarize(changes: readonly Change[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const change of changes) if (change.action !== "noop") summary[change.action] += 1;
  return summary;
}

export function hasChanges(changes: readonly Change[]): boolean {
  return changes.some((change) => change.action !== "noop");
}

/** Stands for a value AWS assigns on creation (an ARN, a group id) while planning. */
export const KNOWN_AFTER_APPLY = "(known after apply)";
/** Replaces sensitive values (secret ARNs) in plans and logs. */
export const REDACTED = "(sensitive)";

/** Secrets Manager and SSM parameter ARNs anywhere in a text (AWS quotes them in task stop reasons). */
const SECRET_ARN = /arn:aws[a-z-]*:(?:secretsmanager|ssm):[^\s"',;)]+/g;

/** The text with every secret ARN replaced by `(sensitive)`. */
export function redactSecretArns(text: string): string {
  return text.replace(SECRET_ARN, REDACTED);
}
