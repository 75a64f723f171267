/**
 * The cluster on destroy: ours is deleted unless another service uses it (see deleteCluster: tasks
 * still stopping are waited out), and kept while our service stays in it.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import { retryExpected } from "../../engine/retry.ts";
import { deletion, destroyWaitOptions, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteCluster } from "./cluster.ts";

export const clusterDestroy: KindDestroy = {
  id: "cluster",
  after: ["service"],
  plan(scope) {
    const removal: KindRemoval = { deletions: [], skipped: [] };
    const { cluster } = scope.observation;
    if (!cluster) return removal;
    const service = scope.context.document.metadata.name;
    const kept =
      cluster.ownership !== "ours"
        ? notOursReason(cluster)
        : usedByKeptService(scope) && `holds service ${service}, which is left in place`;
    if (kept) {
      removal.skipped.push({ resource: "Cluster", name: cluster.name, reason: kept });
      return removal;
    }
    const change = deletion("Cluster", cluster.name, "if no other service uses it");
    removal.deletions.push({
      change,
      run: (emit) =>
        retryExpected(
          () => deleteCluster(scope.context.clients, cluster.name),
          destroyWaitOptions(scope, change, emit),
        ),
    });
    return removal;
  },
};
