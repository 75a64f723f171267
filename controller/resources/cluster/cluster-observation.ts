/** What the cluster's kind observes: the spec's cluster, on the slow tier. */
import { observationPart } from "../observation-part.ts";
import { type ObservedCluster, observeCluster } from "./cluster.ts";

export const clusterObservation = observationPart({
  field: "cluster",
  needs: [],
  // Slow tier: while the service is ACTIVE its cluster exists (ECS refuses to delete a cluster
  // with services), so only the cluster's tags can drift unseen between reads.
  observe: ({ reads, document, slow }): Promise<ObservedCluster | undefined> =>
    slow.read(`cluster:${document.spec.cluster}`, () =>
      observeCluster(reads, document.metadata.name, document.spec.cluster),
    ),
});
