/**
 * Which revision the service runs after apply: the one it runs when it matches the spec, a matching
 * newer one (a retry after a crash), or a new one registered now. A matching revision whose rollout
 * failed is held back: the service stays where the circuit breaker put it until the spec changes, or
 * an operator asks for it again (--retry-failed).
 */
import type { Change, HeldBack } from "../../engine/plan.ts";
import { ownershipOf } from "../../ownership.ts";
import type { PassScope } from "../kind-contract.ts";
import { claimedService } from "../service/claimed-service.ts";
import {
  type DesiredTaskDefinition,
  desiredTaskDefinition,
  diffTaskDefinition,
  FAILED_ROLLOUT_TAG,
  isFailedRevision,
  type ObservedRevision,
  revisionName,
} from "./task-definition.ts";

export interface RevisionChoice {
  desired: DesiredTaskDefinition;
  /** The revision the service runs after apply, when it exists already. */
  reusable: ObservedRevision | undefined;
  change: Change;
  heldBack?: HeldBack;
  /** A held-back revision rolled out again: its failed mark is cleared first. */
  retried?: ObservedRevision;
}

/** A decision (see PassScope.decide): the revision the spec's service runs, and the plan line for it. */
export function chooseRevision(scope: PassScope): RevisionChoice {
  const { context, observation, options } = scope;
  const service = context.document.metadata.name;
  const desired = desiredTaskDefinition(context.document, context.clients.region);
  const { current, latest } = observation.taskDefinitions;
  const currentDiff = diffTaskDefinition(desired, current);
  const ours = (revision: typeof current) => revision && ownershipOf(revision.tags, service) === "ours";
  // A newer revision that already matches (a retry after a crash) is reused, not registered again.
  // Only revisions we registered are reused: one someone else registered is never taken as ours.
  const reusable =
    current && ours(current) && currentDiff.length === 0
      ? current
      : latest &&
          ownershipOf(latest.tags, service) === "ours" &&
          diffTaskDefinition(desired, latest).length === 0
        ? latest
        : undefined;
  // A rollout ECS reports FAILED counts before the revision is tagged: the tag comes after this pass.
  const failedNow = (arn: string) =>
    (scope.decide(claimedService)?.deployments ?? []).some(
      (deployment) => deployment.taskDefinition === arn && deployment.rolloutState === "FAILED",
    );
  if (
    reusable &&
    current &&
    reusable !== current &&
    (isFailedRevision(reusable) || failedNow(reusable.arn))
  ) {
    if (!options.retryFailed) {
      const heldBack: HeldBack = {
        resource: "TaskDefinition",
        name: revisionName(reusable.arn),
        arn: reusable.arn,
        running: revisionName(current.arn),
        reason: `its last rollout failed; ${revisionName(current.arn)} keeps running until the spec changes (or apply --retry-failed, once the cause is fixed)`,
      };
      const change: Change = {
        action: "noop",
        resource: "TaskDefinition",
        name: heldBack.running,
        diff: [],
      };
      return { desired, reusable: current, change, heldBack };
    }
    if (isFailedRevision(reusable)) {
      const change: Change = {
        action: "update",
        resource: "TaskDefinition",
        name: revisionName(reusable.arn),
        reason: "rolled out again (--retry-failed): its failed mark is cleared",
        diff: [{ path: `tags.${FAILED_ROLLOUT_TAG}`, desired: "retried", observed: "failed" }],
      };
      return { desired, reusable, change, retried: reusable };
    }
  }
  const baseline = current ?? latest;
  const change: Change = reusable
    ? { action: "noop", resource: "TaskDefinition", name: revisionName(reusable.arn), diff: [] }
    : {
        action: baseline ? "update" : "create",
        resource: "TaskDefinition",
        name: desired.content.family,
        ...(baseline ? { reason: "registers a new revision" } : {}),
        diff: diffTaskDefinition(desired, baseline),
      };
  return { desired, reusable, change };
}
