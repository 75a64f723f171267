/**
 * The listeners on destroy: ours go, unless one holds a rule that is not ours (deleting the listener
 * would delete the rule) or the service stays. Every listener's rules are read first: apply's
 * observation holds only those its own deletions needed. What stays here keeps the target groups it
 * forwards to and the load balancer it belongs to.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import { type DestroyScope, deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteListener, type ObservedListener } from "./listener.ts";
import { foreignRules, type ObservedRule, observeRulesOf, ruleName } from "./rules.ts";

export interface ListenerRemoval extends KindRemoval {
  /** Listeners left in place: what they forward to stays too. */
  keptListeners: ObservedListener[];
  /** Rules that are not ours, on any listener: what they forward to stays too. */
  keptRules: ObservedRule[];
  /** How destroy names a listener and a rule in its plan. */
  listenerName(listener: ObservedListener): string;
  ruleName(rule: ObservedRule): string;
}

/** A decision (see DestroyScope.decide): which listeners go, and which stay with the rules that keep them. */
export async function listenerRemoval(scope: DestroyScope): Promise<ListenerRemoval> {
  const { context, observation } = scope;
  const service = context.document.metadata.name;
  const listenerName = (listener: ObservedListener) =>
    `${observation.loadBalancer?.name ?? service}:${listener.port}`;
  // Every listener's rules: a rule that is not ours keeps its listener, and the group it forwards to.
  const unread = observation.listeners.filter((listener) => !observation.rules.has(listener.arn));
  const rules = new Map([
    ...observation.rules,
    ...(await observeRulesOf(
      context.clients,
      context.elbTags,
      service,
      unread.map((listener) => listener.arn),
    )),
  ]);
  const nameOf = (rule: ObservedRule) => {
    const listener = observation.listeners.find((candidate) => candidate.arn === rule.listenerArn);
    return ruleName(listener ? listenerName(listener) : rule.listenerArn, rule);
  };
  const removal: ListenerRemoval = {
    deletions: [],
    skipped: [],
    keptListeners: [],
    keptRules: foreignRules(rules),
    listenerName,
    ruleName: nameOf,
  };
  const usedByService = usedByKeptService(scope);
  const leave = (listener: ObservedListener, reason: string) => {
    removal.keptListeners.push(listener);
    removal.skipped.push({ resource: "Listener", name: listenerName(listener), reason });
  };
  for (const listener of observation.listeners) {
    const held = removal.keptRules.filter((rule) => rule.listenerArn === listener.arn);
    if (listener.ownership !== "ours") {
      leave(listener, notOursReason(listener));
      continue;
    }
    for (const rule of held)
      removal.skipped.push({ resource: "ListenerRule", name: nameOf(rule), reason: notOursReason(rule) });
    if (usedByService) leave(listener, usedByService);
    else if (held.length > 0)
      leave(
        listener,
        `holds rules ecs-converge did not create (${held.map(nameOf).join(", ")}); deleting the listener would delete them: left in place`,
      );
    else
      removal.deletions.push({
        change: deletion("Listener", listenerName(listener)),
        run: () => deleteListener(context.clients, listener.arn),
      });
  }
  return removal;
}

export const listenerDestroy: KindDestroy = {
  id: "listener",
  after: ["service"],
  plan: (scope) => scope.decide(listenerRemoval),
};
