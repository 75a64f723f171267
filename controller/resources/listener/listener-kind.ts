/**
 * The listener as a kind: forwards to the spec's target group (during a replacement, to the group
 * still serving, with the others attached at weight 0: see target-group/transition.ts). Our other
 * listeners are deleted, unless one holds a rule that is not ours: deleting the listener would
 * delete the rule, so both stay.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import type { Change, LeftInPlace } from "../../engine/plan.ts";
import type { Refs } from "../../engine/refs.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope } from "../kind-contract.ts";
import { claimedTargetGroups, targetGroupTransition } from "../target-group/transition.ts";
import { claimedListener, listenerName, ownedListeners } from "./claimed-listener.ts";
import {
  createListener,
  deleteListener,
  desiredListener,
  diffListener,
  type ObservedListener,
  updateListener,
} from "./listener.ts";
import { foreignRules, ruleName } from "./rules.ts";

interface Claimed {
  listener: ObservedListener | undefined;
  /** Our listeners the spec does not need: deleted, or left in place with why. */
  extra: { deleted: ObservedListener[]; skipped: LeftInPlace[] };
}

function extraListeners(scope: PassScope, serving: ObservedListener | undefined): Claimed["extra"] {
  const service = scope.context.document.metadata.name;
  const extra: Claimed["extra"] = { deleted: [], skipped: [] };
  for (const candidate of scope.decide(ownedListeners).filter((owned) => owned !== serving)) {
    const held = foreignRules(new Map([[candidate.arn, scope.observation.rules.get(candidate.arn) ?? []]]));
    if (held.length === 0) {
      extra.deleted.push(candidate);
      continue;
    }
    const names = held.map((rule) => ruleName(listenerName(service, candidate), rule));
    extra.skipped.push(
      ...held.map(
        (rule, index): LeftInPlace => ({
          resource: "ListenerRule",
          name: names[index] ?? rule.arn,
          reason: notOursReason(rule),
        }),
      ),
      {
        resource: "Listener",
        name: listenerName(service, candidate),
        reason: `holds rules ecs-converge did not create (${names.join(", ")}); deleting the listener would delete them: left in place`,
      },
    );
  }
  return extra;
}

const deletion = (service: string, extra: ObservedListener): Change => ({
  action: "delete",
  resource: "Listener",
  name: listenerName(service, extra),
  reason: "not in the spec",
  diff: [],
});

/** The spec's listener after this pass, and its plan line with why a transition step changes it. */
function planned(listener: ObservedListener | undefined, refs: Refs, scope: PassScope) {
  const { document } = scope.context;
  const transition = scope.decide(targetGroupTransition);
  const { desiredName, current } = scope.decide(claimedTargetGroups);
  const { stillServing } = transition;
  // Groups the listener names at weight 0 after this pass: the spec's while it takes no traffic yet, and old ones still needed.
  const attached = [
    ...(stillServing ? [refs.targetGroupArn] : []),
    ...transition.kept.filter((group) => group !== stillServing).map((group) => group.arn),
  ];
  const desired = desiredListener(
    document,
    refs.loadBalancerArn,
    stillServing?.arn ?? refs.targetGroupArn,
    attached,
  );
  const change = changeFor(
    "Listener",
    listenerName(document.metadata.name, desired),
    diffListener(desired, listener),
  );
  const because = (reason: string): Change => ({ ...change, reason });
  if (change.action !== "update") return { desired, change };
  if (transition.moves)
    return {
      desired,
      change: because(
        `traffic moves to ${desiredName}: the service's rollout onto it is complete and its targets are healthy`,
      ),
    };
  if (transition.retired.length > 0 && change.diff.some((field) => field.path === "attached"))
    return {
      desired,
      change: because(
        `detaches ${transition.retired.map((group) => group.name).join(", ")}: the service is stable without it`,
      ),
    };
  if (stillServing && !current)
    return {
      desired,
      change: because(
        `attaches ${desiredName} at weight 0 (no traffic yet), so the service can register tasks in it`,
      ),
    };
  return { desired, change };
}

/** The listener serving the spec, and our listeners it does not need. */
export const listenerKind: KindContract<Claimed> = {
  id: "listener",
  dependsOn: ["loadBalancer", "targetGroup"],
  claim(scope) {
    const listener = scope.decide(claimedListener);
    return { listener, extra: extraListeners(scope, listener) };
  },
  plan({ listener, extra }, refs, scope) {
    const service = scope.context.document.metadata.name;
    return {
      changes: [
        planned(listener, refs, scope).change,
        ...extra.deleted.map((found) => deletion(service, found)),
      ],
      skipped: extra.skipped,
      waiting: scope.decide(targetGroupTransition).waiting.filter((step) => step.resource === "Listener"),
    };
  },
  async apply({ listener, extra }, refs, scope, emit) {
    const { clients, document } = scope.context;
    const { desired, change } = planned(listener, refs, scope);
    if (change.action === "create") await mutate(change, emit, () => createListener(clients, desired));
    else if (change.action === "update" && listener)
      await mutate(change, emit, () => updateListener(clients, desired, listener));
    for (const found of extra.deleted)
      await mutate(deletion(document.metadata.name, found), emit, () => deleteListener(clients, found.arn));
    return {};
  },
};
