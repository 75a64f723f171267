/**
 * The load balancer on destroy: ours goes once its listeners are gone. Deleting a load balancer
 * deletes its listeners, so one holding a listener that stays, stays; and one left in place keeps its
 * security group.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import { type DestroyScope, deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { listenerRemoval } from "../listener/listener-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteLoadBalancer } from "./load-balancer.ts";

/** Why the load balancer stays, or undefined when it goes (or is not there). */
async function keptBecause(scope: DestroyScope): Promise<string | undefined> {
  const { loadBalancer } = scope.observation;
  if (!loadBalancer) return undefined;
  if (loadBalancer.ownership !== "ours") return notOursReason(loadBalancer);
  const usedByService = usedByKeptService(scope);
  if (usedByService) return usedByService;
  const { keptListeners, listenerName } = await scope.decide(listenerRemoval);
  const held = keptListeners[0];
  return held
    ? `holds listener ${listenerName(held)}, which is left in place; deleting the load balancer would delete it`
    : undefined;
}

/** A decision (see DestroyScope.decide): whether the load balancer goes. */
export async function loadBalancerRemoval(scope: DestroyScope): Promise<KindRemoval & { kept: boolean }> {
  const { loadBalancer } = scope.observation;
  const kept = await keptBecause(scope);
  if (!loadBalancer) return { deletions: [], skipped: [], kept: false };
  if (kept)
    return {
      deletions: [],
      skipped: [{ resource: "LoadBalancer", name: loadBalancer.name, reason: kept }],
      kept: true,
    };
  return {
    deletions: [
      {
        change: deletion("LoadBalancer", loadBalancer.name),
        run: () => deleteLoadBalancer(scope.context.clients, loadBalancer.arn),
      },
    ],
    skipped: [],
    kept: false,
  };
}

export const loadBalancerDestroy: KindDestroy = {
  id: "loadBalancer",
  after: ["listener"],
  plan: (scope) => scope.decide(loadBalancerRemoval),
};
