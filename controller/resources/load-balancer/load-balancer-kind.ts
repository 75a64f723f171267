/** The load balancer as a kind: created in the load-balancer subnets with its group; never replaced by apply. */
import type { Refs } from "../../engine/refs.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope, provide } from "../kind-contract.ts";
import { claimedLoadBalancer } from "./claimed-load-balancer.ts";
import {
  createLoadBalancer,
  desiredLoadBalancer,
  diffLoadBalancer,
  type ObservedLoadBalancer,
  updateLoadBalancer,
} from "./load-balancer.ts";

const planned = (observed: ObservedLoadBalancer | undefined, refs: Refs, { context }: PassScope) => {
  const desired = desiredLoadBalancer(context.document, context.network, refs.albSecurityGroupId);
  return { desired, change: changeFor("LoadBalancer", desired.name, diffLoadBalancer(desired, observed)) };
};

export const loadBalancerKind: KindContract<ObservedLoadBalancer | undefined> = {
  id: "loadBalancer",
  dependsOn: ["albSecurityGroup"],
  claim: (scope) => scope.decide(claimedLoadBalancer),
  plan(observed, refs, scope) {
    const { change } = planned(observed, refs, scope);
    return {
      changes: [change],
      provides: provide("loadBalancerArn", observed?.arn, change.action === "create"),
    };
  },
  async apply(observed, refs, scope, emit) {
    const { clients } = scope.context;
    const { desired, change } = planned(observed, refs, scope);
    if (change.action === "replace") {
      throw new Error(
        `load balancer ${desired.name}: ${change.reason}; delete it by hand or choose another service name`,
      );
    }
    if (!observed)
      return { loadBalancerArn: await mutate(change, emit, () => createLoadBalancer(clients, desired)) };
    if (change.action === "update")
      await mutate(change, emit, () => updateLoadBalancer(clients, desired, observed));
    return { loadBalancerArn: observed.arn };
  },
};
