/**
 * What the listener kind observes: the load balancer's listeners, and the rules of only those
 * listeners whose rules decide a deletion apply plans (a converged pass reads no rules).
 */
import type { StackContext } from "../../engine/context.ts";
import type { ObservedLoadBalancer } from "../load-balancer/load-balancer.ts";
import { observationPart } from "../observation-part.ts";
import { desiredTargetGroup, type ObservedTargetGroup } from "../target-group/target-group.ts";
import { listenerServingSpec, type ObservedListener, observeListeners } from "./listener.ts";
import { observeRulesOf, type RulesByListener } from "./rules.ts";

export const listenersObservation = observationPart({
  field: "listeners",
  needs: ["loadBalancer"],
  async observe(
    { reads, elbTags, document },
    { loadBalancer }: { loadBalancer: ObservedLoadBalancer | undefined },
  ): Promise<ObservedListener[]> {
    if (!loadBalancer) return [];
    return observeListeners(reads, elbTags, document.metadata.name, loadBalancer.arn);
  },
});

/**
 * Listeners whose rules apply must know before deleting something: a listener of ours it would delete
 * (its rules go with it), and every listener when an old target group of ours would be deleted (a
 * rule forwarding to it keeps it). Otherwise none.
 */
function listenersWhoseRulesDecide(
  context: StackContext,
  listeners: readonly ObservedListener[],
  targetGroups: readonly ObservedTargetGroup[],
): ObservedListener[] {
  const desiredGroup = desiredTargetGroup(context.document, context.network).name;
  if (targetGroups.some((group) => group.ownership === "ours" && group.name !== desiredGroup))
    return [...listeners];
  const owned = listeners.filter((listener) => listener.ownership === "ours");
  const serving = listenerServingSpec(owned, context.document.spec.loadBalancer.listenerPort);
  return owned.filter((listener) => listener !== serving);
}

/**
 * The rules of the listeners whose rules decide a deletion apply plans: a listener of ours it would
 * delete, or, when an old target group of ours would be deleted, every listener of the load balancer.
 * Destroy reads the rest itself.
 */
export const rulesObservation = observationPart({
  field: "rules",
  needs: ["listeners", "targetGroups"],
  observe: (
    context,
    { listeners, targetGroups }: { listeners: ObservedListener[]; targetGroups: ObservedTargetGroup[] },
  ): Promise<RulesByListener> =>
    observeRulesOf(
      context.clients,
      context.elbTags,
      context.document.metadata.name,
      listenersWhoseRulesDecide(context, listeners, targetGroups).map((listener) => listener.arn),
    ),
});
