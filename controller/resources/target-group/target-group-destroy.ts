/**
 * The target groups on destroy: ours go, once the listeners and the service are off them, unless
 * something left in place still forwards to one (a listener, or a rule that is not ours: waiting
 * would not help, DeleteTargetGroup fails with ResourceInUse until the rule's owner moves it).
 */

import { notOursReason } from "../../engine/ownership-check.ts";
import { retryExpected } from "../../engine/retry.ts";
import {
  type DestroyScope,
  deletion,
  destroyWaitOptions,
  type KindDestroy,
  type KindRemoval,
} from "../kind-destroy.ts";
import { listenerRemoval } from "../listener/listener-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteTargetGroup, type ObservedTargetGroup } from "./target-group.ts";

/** Why a group stays, or undefined when it goes. */
async function keptBecause(scope: DestroyScope, group: ObservedTargetGroup): Promise<string | undefined> {
  if (group.ownership !== "ours") return notOursReason(group);
  const usedByService = usedByKeptService(scope);
  if (usedByService) return usedByService;
  const { keptListeners, keptRules, listenerName, ruleName } = await scope.decide(listenerRemoval);
  const forwarding = keptListeners.find(
    (listener) => listener.forwardTo === group.arn || listener.attached.includes(group.arn),
  );
  if (forwarding) return `listener ${listenerName(forwarding)}, which is left in place, forwards to it`;
  const rule = keptRules.find((candidate) => candidate.forwardTo.includes(group.arn));
  if (rule) return `rule ${ruleName(rule)}, which is left in place, forwards to it`;
  return undefined;
}

export const targetGroupDestroy: KindDestroy = {
  id: "targetGroup",
  after: ["listener", "service"],
  async plan(scope) {
    const { clients } = scope.context;
    const removal: KindRemoval = { deletions: [], skipped: [] };
    for (const group of scope.observation.targetGroups) {
      const kept = await keptBecause(scope, group);
      if (kept) {
        removal.skipped.push({ resource: "TargetGroup", name: group.name, reason: kept });
        continue;
      }
      const change = deletion("TargetGroup", group.name);
      removal.deletions.push({
        change,
        run: (emit) =>
          retryExpected(() => deleteTargetGroup(clients, group.arn), destroyWaitOptions(scope, change, emit)),
      });
    }
    return removal;
  },
};
