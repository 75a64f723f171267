/**
 * The ECS service as a kind: created once the listener exists, registered in the spec's target group
 * (and, during a replacement, in the group still serving), replaced when the spec moves it to another
 * cluster (the old copy goes in service-move.ts).
 */
import { createHash } from "node:crypto";
import type { Change } from "../../engine/plan.ts";
import type { Refs } from "../../engine/refs.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { retryExpected } from "../../engine/retry.ts";
import { type KindContract, mutate, type PassScope, waitOptions } from "../kind-contract.ts";
import { targetGroupTransition } from "../target-group/transition.ts";
import { chooseRevision } from "../task-definition/revision-choice.ts";
import { claimedService } from "./claimed-service.ts";
import {
  createService,
  type DesiredService,
  desiredService,
  diffService,
  type ObservedService,
  updateService,
} from "./service.ts";
import { serviceMove } from "./service-move.ts";

/** Right after a listener moves, ECS may not see it yet ("does not have an associated load balancer"). */
const listenerNotSettled = (error: unknown) => /associated load balancer/.test((error as Error).message);

function desiredFor(service: ObservedService | undefined, refs: Refs, scope: PassScope): DesiredService {
  const { document, network } = scope.context;
  const { stillServing } = scope.decide(targetGroupTransition);
  return desiredService(document, network, {
    taskDefinitionArn: refs.taskDefinitionArn,
    // While the listener still forwards to a group being replaced, new tasks register there too.
    targetGroupArns: stillServing ? [stillServing.arn, refs.targetGroupArn] : [refs.targetGroupArn],
    taskSecurityGroupId: refs.taskSecurityGroupId,
    // A held-back revision keeps the service on what it runs, bindings included: the running
    // revision may not even have the spec's container port.
    ...(scope.decide(chooseRevision).heldBack && service
      ? { keepLoadBalancers: service.settings.loadBalancers }
      : {}),
  });
}

function changeOf(service: ObservedService | undefined, desired: DesiredService, scope: PassScope): Change {
  const { previous } = scope.decide(serviceMove);
  if (!previous || service) {
    const change = changeFor("Service", desired.name, diffService(desired, service));
    // An operator's explicit ask: a new deployment even when nothing differs (fresh tasks, a re-pulled tag).
    if (
      scope.options.forceNewDeployment &&
      service &&
      (change.action === "noop" || change.action === "update")
    )
      return { ...change, action: "update", reason: "starts a new deployment (--force-new-deployment)" };
    return change;
  }
  return {
    action: "replace",
    resource: "Service",
    name: desired.name,
    reason: `cluster is immutable; replaces the service in cluster ${previous.cluster}`,
    diff: [
      { path: "cluster", desired: desired.cluster, observed: previous.cluster },
      ...diffService(desired, previous).fields,
    ],
  };
}

/** The spec's ECS service. */
export const serviceKind: KindContract<ObservedService | undefined> = {
  id: "service",
  dependsOn: ["cluster", "taskDefinition", "listener", "taskSecurityGroup", "targetGroup"],
  claim: (scope) => scope.decide(claimedService),
  plan: (service, refs, scope) => ({ changes: [changeOf(service, desiredFor(service, refs, scope), scope)] }),
  async apply(service, refs, scope, emit) {
    const { clients } = scope.context;
    const desired = desiredFor(service, refs, scope);
    const change = changeOf(service, desired, scope);
    if (change.action === "create" || change.action === "replace") {
      // Same service, cluster and revision → same token: a create retried after a crash is not a second service.
      const token = createHash("sha256")
        .update(`${desired.cluster}/${desired.name}/${desired.settings.taskDefinition}`)
        .digest("hex")
        .slice(0, 32);
      await mutate(change, emit, () =>
        retryExpected(() => createService(clients, desired, token), {
          ...waitOptions(change, emit),
          isExpected: listenerNotSettled,
        }),
      );
    } else if (change.action === "update" && service) {
      await mutate(change, emit, () =>
        retryExpected(
          () =>
            updateService(clients, desired, service, {
              forceNewDeployment: scope.options.forceNewDeployment === true,
            }),
          { ...waitOptions(change, emit), isExpected: listenerNotSettled },
        ),
      );
    }
    return {};
  },
};
