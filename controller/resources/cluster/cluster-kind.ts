/** The cluster as a kind: used as found (never claimed: a shared cluster is normal), created when missing. */
import { singleResourceKind } from "../single-resource-kind.ts";
import { createCluster, desiredCluster, diffCluster, updateCluster } from "./cluster.ts";

/** The spec's cluster: created when missing, its tags kept in step when it is ours. */
export const clusterKind = singleResourceKind({
  id: "cluster",
  dependsOn: [],
  resource: "Cluster",
  noun: "cluster",
  claim: ({ observation }) => observation.cluster,
  desired: (_refs, { context }) => desiredCluster(context.document),
  diff: diffCluster,
  create: createCluster,
  update: updateCluster,
});
