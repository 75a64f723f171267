/**
 * Autoscaling as a kind: the scalable target and its CPU policy while the spec asks for them. With
 * autoscaling gone from the spec, our policy is deleted, and our target with it unless it holds
 * policies someone else made (deregistering would delete them); a target that is not ours stays.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import type { Change, LeftInPlace } from "../../engine/plan.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, type KindPlan, mutate } from "../kind-contract.ts";
import {
  deleteScalingPolicy,
  deregisterScalableTarget,
  desiredScaling,
  diffScalableTarget,
  diffScalingPolicy,
  type ObservedScalableTarget,
  type ObservedScaling,
  putScalingPolicy,
  registerScalableTarget,
  scalingResourceId,
  updateScalableTarget,
} from "./scaling.ts";

interface Claimed {
  desired: ReturnType<typeof desiredScaling>;
  resourceId: string;
  /** Claimed only while the spec wants autoscaling: without it, a target that is not ours is just left alone. */
  target: ObservedScalableTarget | undefined;
  observed: ObservedScaling;
}

function removal(resourceId: string, { target, policy, otherPolicies }: ObservedScaling): KindPlan {
  const changes: Change[] = [];
  const skipped: LeftInPlace[] = [];
  if (!target) return { changes, skipped };
  if (target.ownership !== "ours") {
    skipped.push({ resource: "ScalableTarget", name: resourceId, reason: notOursReason(target) });
    return { changes, skipped };
  }
  const removed = "autoscaling removed from the spec";
  if (policy)
    changes.push({
      action: "delete",
      resource: "ScalingPolicy",
      name: policy.name,
      reason: removed,
      diff: [],
    });
  if (otherPolicies.length === 0)
    changes.push({
      action: "delete",
      resource: "ScalableTarget",
      name: resourceId,
      reason: removed,
      diff: [],
    });
  else
    skipped.push({
      resource: "ScalableTarget",
      name: resourceId,
      reason: `holds scaling policies ecs-converge did not create (${otherPolicies.join(", ")}): left in place`,
    });
  return { changes, skipped };
}

function planned({ desired, resourceId, target, observed }: Claimed): KindPlan {
  if (!desired) return removal(resourceId, observed);
  // The policy with our name belongs to the target: ours when the target is ours (or adopted).
  const policy = target ? observed.policy : undefined;
  return {
    changes: [
      changeFor("ScalableTarget", resourceId, diffScalableTarget(desired.target, target)),
      changeFor("ScalingPolicy", desired.policy.name, diffScalingPolicy(desired.policy, policy)),
    ],
  };
}

/** The service's scalable target and CPU policy, or their removal. */
export const scalingKind: KindContract<Claimed> = {
  id: "scaling",
  dependsOn: ["service"],
  claim({ claims, observation, context }) {
    const { document } = context;
    const desired = desiredScaling(document);
    const resourceId = scalingResourceId(document.spec.cluster, document.metadata.name);
    const target = desired
      ? claims.claim(observation.scaling.target, "ScalableTarget", resourceId, (found) => found.arn)
      : undefined;
    return { desired, resourceId, target, observed: observation.scaling };
  },
  plan: (claimed) => planned(claimed),
  async apply(claimed, _refs, scope, emit) {
    const { clients } = scope.context;
    const { desired, resourceId, target } = claimed;
    for (const change of planned(claimed).changes) {
      if (change.action === "noop") continue;
      if (change.resource === "ScalingPolicy") {
        await mutate(change, emit, () =>
          desired
            ? putScalingPolicy(clients, desired.policy)
            : deleteScalingPolicy(clients, resourceId, change.name),
        );
      } else if (!desired) {
        await mutate(change, emit, () => deregisterScalableTarget(clients, resourceId));
      } else if (target) {
        await mutate(change, emit, () => updateScalableTarget(clients, desired.target, target));
      } else {
        await mutate(change, emit, () => registerScalableTarget(clients, desired.target));
      }
    }
    return {};
  },
};
