/** The cluster as a kind: used as found (never claimed: a shared cluster is normal), created when missing. */
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope } from "../kind-contract.ts";
import {
  createCluster,
  desiredCluster,
  diffCluster,
  type ObservedCluster,
  updateCluster,
} from "./cluster.ts";

const planned = (observed: ObservedCluster | undefined, { context }: PassScope) => {
  const desired = desiredCluster(context.document);
  return { desired, change: changeFor("Cluster", desired.name, diffCluster(desired, observed)) };
};

export const clusterKind: KindContract<ObservedCluster | undefined> = {
  id: "cluster",
  dependsOn: [],
  claim: ({ observation }) => observation.cluster,
  plan: (observed, _refs, scope) => ({ changes: [planned(observed, scope).change] }),
  async apply(observed, _refs, scope, emit) {
    const { clients } = scope.context;
    const { desired, change } = planned(observed, scope);
    if (change.action === "create") await mutate(change, emit, () => createCluster(clients, desired));
    else if (change.action === "update" && observed)
      await mutate(change, emit, () => updateCluster(clients, desired, observed));
    return {};
  },
};
