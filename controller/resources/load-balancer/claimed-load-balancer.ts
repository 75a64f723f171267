/** The load balancer the stack may manage: ours, or adoptable; another's is a conflict. */
import type { PassScope } from "../kind-contract.ts";
import type { ObservedLoadBalancer } from "./load-balancer.ts";

/** A decision (see PassScope.decide): the spec's load balancer, claimed once per pass. */
export function claimedLoadBalancer({
  claims,
  observation,
  context,
}: PassScope): ObservedLoadBalancer | undefined {
  return claims.claim(
    observation.loadBalancer,
    "LoadBalancer",
    context.document.metadata.name,
    (balancer) => balancer.arn,
  );
}
