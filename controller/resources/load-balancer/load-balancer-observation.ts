/** What the load balancer's kind observes: the load balancer named after the service, with its tags. */
import { observationPart } from "../observation-part.ts";
import { type ObservedLoadBalancer, observeLoadBalancer } from "./load-balancer.ts";

export const loadBalancerObservation = observationPart({
  field: "loadBalancer",
  needs: [],
  observe: ({ reads, elbTags, document }): Promise<ObservedLoadBalancer | undefined> =>
    observeLoadBalancer(reads, elbTags, document.metadata.name, document.metadata.name),
});
