/**
 * What the service kinds observe: the service in the spec's cluster, and, when the load balancer's
 * cluster tag names another cluster, our copy still there (a move to another cluster deletes it once
 * the new one is stable: see service-move.ts).
 */
import { CLUSTER_TAG } from "../../ownership.ts";
import type { ObservedLoadBalancer } from "../load-balancer/load-balancer.ts";
import { observationPart } from "../observation-part.ts";
import { type ObservedService, observeService } from "./service.ts";

export const serviceObservation = observationPart({
  field: "service",
  needs: [],
  observe: ({ reads, document }): Promise<ObservedService | undefined> =>
    observeService(reads, document.metadata.name, document.spec.cluster, document.metadata.name),
});

/** Ours (not yet INACTIVE) in the cluster the load balancer says the service ran in, when the spec names another. */
export const previousServiceObservation = observationPart({
  field: "previousService",
  needs: ["loadBalancer"],
  async observe(
    { reads, document },
    { loadBalancer }: { loadBalancer: ObservedLoadBalancer | undefined },
  ): Promise<ObservedService | undefined> {
    const previousCluster = loadBalancer?.tags[CLUSTER_TAG];
    // Looked up even when the service already runs in the new cluster: a run that crashed before
    // deleting the old one must still delete it.
    if (!previousCluster || previousCluster === document.spec.cluster) return undefined;
    const service = document.metadata.name;
    const previous = await observeService(reads, service, previousCluster, service);
    return previous?.ownership === "ours" ? previous : undefined;
  },
});
