/** The load balancer as a kind: created in the load-balancer subnets with its group; never replaced by apply. */
import { singleResourceKind } from "../single-resource-kind.ts";
import { claimedLoadBalancer } from "./claimed-load-balancer.ts";
import {
  createLoadBalancer,
  desiredLoadBalancer,
  diffLoadBalancer,
  updateLoadBalancer,
} from "./load-balancer.ts";

/** The spec's load balancer; provides its ARN to the listener. */
export const loadBalancerKind = singleResourceKind({
  id: "loadBalancer",
  dependsOn: ["albSecurityGroup"],
  resource: "LoadBalancer",
  noun: "load balancer",
  claim: (scope) => scope.decide(claimedLoadBalancer),
  desired: (refs, { context }) =>
    desiredLoadBalancer(context.document, context.network, refs.albSecurityGroupId),
  diff: diffLoadBalancer,
  create: createLoadBalancer,
  update: updateLoadBalancer,
  reference: { key: "loadBalancerArn", of: (balancer) => balancer.arn },
});
