/**
 * The target group as kinds: the spec's group (a new one, with a fresh name, when an immutable field
 * changes: see transition.ts), and the replaced groups deleted once nothing needs them.
 */
import type { Change } from "../../engine/plan.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { retryExpected } from "../../engine/retry.ts";
import { type KindContract, mutate, type PassScope, provide, waitOptions } from "../kind-contract.ts";
import {
  createTargetGroup,
  deleteTargetGroup,
  desiredTargetGroup,
  diffReplacement,
  diffTargetGroup,
  type ObservedTargetGroup,
  replacedBecause,
  updateTargetGroup,
} from "./target-group.ts";
import { claimedTargetGroups, retiredTargetGroups, targetGroupTransition } from "./transition.ts";

type Claimed = ReturnType<typeof claimedTargetGroups>;

const planned = ({ current, previous }: Claimed, { context }: PassScope) => {
  const desired = desiredTargetGroup(context.document, context.network);
  // The first pass of a replacement names the group it replaces; that one goes in a later pass.
  const replaced = !current ? previous[0] : undefined;
  const change: Change = replaced
    ? {
        action: "replace",
        resource: "TargetGroup",
        name: desired.name,
        reason: `${replacedBecause(desired, replaced)} is immutable; replaces ${replaced.name}`,
        diff: diffReplacement(desired, replaced),
      }
    : changeFor("TargetGroup", desired.name, diffTargetGroup(desired, current));
  return { desired, change };
};

/** The spec's target group; provides its ARN to the listener and the service. */
export const targetGroupKind: KindContract<Claimed> = {
  id: "targetGroup",
  dependsOn: [],
  claim: (scope) => scope.decide(claimedTargetGroups),
  plan: (claimed, _refs, scope) => ({
    changes: [planned(claimed, scope).change],
    provides: provide("targetGroupArn", claimed.current?.arn, !claimed.current),
  }),
  async apply(claimed, _refs, scope, emit) {
    const { clients } = scope.context;
    const { desired, change } = planned(claimed, scope);
    const { current } = claimed;
    if (!current)
      return { targetGroupArn: await mutate(change, emit, () => createTargetGroup(clients, desired)) };
    if (change.action === "update")
      await mutate(change, emit, () => updateTargetGroup(clients, desired, current));
    return { targetGroupArn: current.arn };
  },
};

const deletion = (group: ObservedTargetGroup): Change => ({
  action: "delete",
  resource: "TargetGroup",
  name: group.name,
  reason: "replaced; nothing uses it any more",
  diff: [],
});

/** Replaced groups nothing of ours uses any more, deleted once the service and listener have moved off them. */
export const retiredTargetGroupsKind: KindContract<{
  retired: ReturnType<typeof retiredTargetGroups>;
  /** Listed by the replacement's own line in the pass that replaces it. */
  namedByReplacement: ObservedTargetGroup | undefined;
}> = {
  id: "retiredTargetGroups",
  dependsOn: ["service", "listener", "scaling"],
  claim(scope) {
    const { current, previous } = scope.decide(claimedTargetGroups);
    return {
      retired: scope.decide(retiredTargetGroups),
      namedByReplacement: current ? undefined : previous[0],
    };
  },
  plan: ({ retired, namedByReplacement }, _refs, scope) => ({
    changes: retired.deleted.filter((old) => old !== namedByReplacement).map(deletion),
    skipped: retired.skipped,
    // The listener's step is listed with the listener.
    waiting: scope.decide(targetGroupTransition).waiting.filter((step) => step.resource !== "Listener"),
  }),
  async apply({ retired }, _refs, scope, emit) {
    for (const old of retired.deleted) {
      const change = deletion(old);
      await mutate(change, emit, () =>
        retryExpected(() => deleteTargetGroup(scope.context.clients, old.arn), waitOptions(change, emit)),
      );
    }
    return {};
  },
};
