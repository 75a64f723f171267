/**
 * A service moved to another cluster is replaced: created in the new cluster (the service kind's
 * `replace`), then the old copy goes once the new one is stable, so traffic never lacks a task. Only
 * then does the load balancer's cluster tag say where the service runs: until that tag moves, a
 * rerun still finds the old service to delete.
 */
import { addElbTags } from "../../aws/elb-tags.ts";
import type { Change, Waiting } from "../../engine/plan.ts";
import { CLUSTER_TAG } from "../../ownership.ts";
import { type KindContract, mutate, type PassScope } from "../kind-contract.ts";
import { claimedLoadBalancer } from "../load-balancer/claimed-load-balancer.ts";
import { claimedService } from "./claimed-service.ts";
import { deleteService, isServiceStable, type ObservedService } from "./service.ts";

interface ServiceMove {
  /** Ours in the cluster the load balancer says the service ran in, when the spec names another. */
  previous: ObservedService | undefined;
  /** The old copy goes this pass: the service in the spec's cluster is stable. */
  goes: boolean;
}

/** A decision (see PassScope.decide): whether the service moved, and whether its old copy goes this pass. */
export function serviceMove(scope: PassScope): ServiceMove {
  const previous = scope.observation.previousService;
  return { previous, goes: previous !== undefined && isServiceStable(scope.decide(claimedService)) };
}

const previousServiceDeletion = (previous: ObservedService): Change => ({
  action: "delete",
  resource: "Service",
  name: `${previous.cluster}/${previous.name}`,
  reason: "replaced in another cluster",
  diff: [],
});

/** The old copy of a moved service, deleted once the new one is stable. */
export const previousServiceKind: KindContract<ServiceMove> = {
  id: "previousService",
  dependsOn: ["service", "listener", "scaling"],
  claim: (scope) => scope.decide(serviceMove),
  plan({ previous, goes }, _refs, scope) {
    if (!previous) return { changes: [] };
    if (goes) return { changes: [previousServiceDeletion(previous)] };
    const waiting: Waiting = {
      resource: "Service",
      name: `${previous.cluster}/${previous.name}`,
      reason: `deleted once the service in cluster ${scope.context.document.spec.cluster} is stable`,
    };
    return { changes: [], waiting: [waiting] };
  },
  async apply({ previous, goes }, _refs, scope, emit) {
    if (previous && goes)
      await mutate(previousServiceDeletion(previous), emit, () =>
        deleteService(scope.context.clients, previous.cluster, previous.name),
      );
    return {};
  },
};

/** The load balancer's cluster tag, when it names another cluster than the spec's and no old copy is left. */
function clusterTagUpdate(scope: PassScope): Change | undefined {
  const loadBalancer = scope.decide(claimedLoadBalancer);
  const { previous, goes } = scope.decide(serviceMove);
  const recorded = loadBalancer?.tags[CLUSTER_TAG];
  const cluster = scope.context.document.spec.cluster;
  if (!loadBalancer || recorded === cluster || (previous && !goes)) return undefined;
  return {
    action: "update",
    resource: "LoadBalancer",
    name: scope.context.document.metadata.name,
    reason: "records the service's cluster",
    diff: [{ path: `tags.${CLUSTER_TAG}`, desired: cluster, observed: recorded }],
  };
}

/** Records the service's cluster on the load balancer once the old copy is gone. */
export const serviceClusterRecordKind: KindContract<undefined> = {
  id: "serviceClusterRecord",
  dependsOn: ["previousService"],
  claim: () => undefined,
  plan: (_claimed, _refs, scope) => {
    const change = clusterTagUpdate(scope);
    return { changes: change ? [change] : [] };
  },
  async apply(_claimed, _refs, scope, emit) {
    const change = clusterTagUpdate(scope);
    const loadBalancer = scope.decide(claimedLoadBalancer);
    if (change && loadBalancer)
      await mutate(change, emit, () =>
        addElbTags(scope.context.clients, loadBalancer.arn, {
          [CLUSTER_TAG]: scope.context.document.spec.cluster,
        }),
      );
    return {};
  },
};
