/**
 * Autoscaling on destroy: our policy goes; the scalable target only if it is ours and holds no one
 * else's policy (deregistering it would delete theirs). A target left in place keeps the service,
 * whose deletion would remove it.
 */
import { scalingPolicyName } from "../../../specs/index.ts";
import { notOursReason } from "../../engine/ownership-check.ts";
import { type DestroyScope, deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { deleteScalingPolicy, deregisterScalableTarget, scalingResourceId } from "./scaling.ts";

/** A decision (see DestroyScope.decide): what of autoscaling goes, and whether the target stays. */
export function scalingRemoval({
  context,
  observation,
}: DestroyScope): KindRemoval & { targetKept: boolean } {
  const { clients, document } = context;
  const service = document.metadata.name;
  const scalingId = scalingResourceId(document.spec.cluster, service);
  const removal: KindRemoval & { targetKept: boolean } = { deletions: [], skipped: [], targetKept: false };
  const { target, policy, otherPolicies } = observation.scaling;
  if (!target) return removal;
  if (target.ownership !== "ours") {
    removal.targetKept = true;
    removal.skipped.push({ resource: "ScalableTarget", name: scalingId, reason: notOursReason(target) });
    return removal;
  }
  if (policy)
    removal.deletions.push({
      change: deletion("ScalingPolicy", scalingPolicyName(service)),
      run: () => deleteScalingPolicy(clients, scalingId, scalingPolicyName(service)),
    });
  for (const name of otherPolicies)
    removal.skipped.push({
      resource: "ScalingPolicy",
      name,
      reason: "not created by ecs-converge: left in place",
    });
  if (otherPolicies.length > 0) {
    removal.targetKept = true;
    removal.skipped.push({
      resource: "ScalableTarget",
      name: scalingId,
      reason: `holds scaling policies ecs-converge did not create (${otherPolicies.join(", ")}): left in place`,
    });
  } else
    removal.deletions.push({
      change: deletion("ScalableTarget", scalingId),
      run: () => deregisterScalableTarget(clients, scalingId),
    });
  return removal;
}

export const scalingDestroy: KindDestroy = {
  id: "scaling",
  after: [],
  plan: (scope) => scope.decide(scalingRemoval),
};
