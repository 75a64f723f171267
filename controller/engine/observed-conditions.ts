/**
 * The daemon's three conditions (Ready, Synced, Degraded) as one look at AWS can tell them, for
 * `status`: what an on-call engineer would read on the daemon's `/status`, with the same types and
 * reasons, computed from the plan and the rollout rather than from a history of passes.
 */
import type { RolloutState } from "./rollout.ts";

export interface ObservedCondition {
  type: "Ready" | "Synced" | "Degraded";
  status: "True" | "False";
  reason: string;
  message: string;
}

export interface ObservedFacts {
  /** The ECS service exists. */
  deployed: boolean;
  /** Changes the plan would make now. */
  pendingChanges: number;
  /** Why the spec's revision is held back, if it is. */
  heldBack: string | undefined;
  /** Steps of a change waiting for AWS (a replaced target group's later passes). */
  waitingSteps: number;
  rollout: RolloutState | undefined;
}

/** Ready, Synced and Degraded with the reasons the daemon uses for the same situations. */
export function observedConditions(facts: ObservedFacts): ObservedCondition[] {
  const { rollout } = facts;
  const ready: ObservedCondition =
    !facts.deployed || !rollout
      ? {
          type: "Ready",
          status: "False",
          reason: "ServiceMissing",
          message: "the ECS service does not exist",
        }
      : rollout.failure && !rollout.steady
        ? { type: "Ready", status: "False", reason: "RolloutFailed", message: rollout.failure }
        : rollout.steady
          ? {
              type: "Ready",
              status: "True",
              reason: "Available",
              message: `${rollout.running} task(s) running, all targets healthy`,
            }
          : {
              type: "Ready",
              status: "False",
              reason: "RolloutInProgress",
              message: `${rollout.running}/${rollout.desired} running, ${rollout.targets.healthy ?? 0} healthy targets`,
            };
  const synced: ObservedCondition = facts.heldBack
    ? { type: "Synced", status: "False", reason: "RevisionHeldBack", message: facts.heldBack }
    : facts.pendingChanges > 0
      ? {
          type: "Synced",
          status: "False",
          reason: "ChangesPending",
          message: `${facts.pendingChanges} change(s) not applied`,
        }
      : facts.waitingSteps > 0
        ? {
            type: "Synced",
            status: "False",
            reason: "StepsWaiting",
            message: `${facts.waitingSteps} step(s) of a change wait for AWS`,
          }
        : { type: "Synced", status: "True", reason: "ReconcileSuccess", message: "AWS matches the spec" };
  const failure = facts.heldBack ?? rollout?.failure;
  const degraded: ObservedCondition = failure
    ? { type: "Degraded", status: "True", reason: "RolloutFailed", message: failure }
    : { type: "Degraded", status: "False", reason: "Healthy", message: "" };
  return [ready, synced, degraded];
}
