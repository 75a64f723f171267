/**
 * The two security groups as kinds: the load balancer's, then the tasks', which names the load
 * balancer's as the only source and keeps the ports of replaced target groups open until they go.
 */
import { loadBalancerSecurityGroupName, taskSecurityGroupName } from "../../../specs/index.ts";
import type { Refs } from "../../engine/refs.ts";
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope, provide } from "../kind-contract.ts";
import { retiredTargetGroups, targetGroupTransition } from "../target-group/transition.ts";
import {
  createSecurityGroup,
  type DesiredSecurityGroup,
  desiredLoadBalancerGroup,
  desiredTaskGroup,
  diffSecurityGroup,
  type ObservedSecurityGroup,
  updateSecurityGroup,
} from "./security-groups.ts";

type DesiredFor = (refs: Refs, scope: PassScope) => DesiredSecurityGroup;

/** A group found in the spec's VPC under its name: ours first, else the first, claimed. */
function claimGroup({ claims, observation, context }: PassScope, name: string) {
  const candidates = observation.securityGroups.filter(
    (group) => group.vpcId === context.network.vpcId && group.name === name,
  );
  const found = candidates.find((group) => group.ownership === "ours") ?? candidates[0];
  return claims.claim(found, "SecurityGroup", name, (group) => group.groupId);
}

function securityGroupKind(
  id: string,
  dependsOn: readonly string[],
  nameOf: (service: string) => string,
  desiredFor: DesiredFor,
  ref: "albSecurityGroupId" | "taskSecurityGroupId",
): KindContract<ObservedSecurityGroup | undefined> {
  const changeOf = (observed: ObservedSecurityGroup | undefined, refs: Refs, scope: PassScope) => {
    const desired = desiredFor(refs, scope);
    return {
      desired,
      change: changeFor("SecurityGroup", desired.name, diffSecurityGroup(desired, observed)),
    };
  };
  return {
    id,
    dependsOn,
    claim: (scope) => claimGroup(scope, nameOf(scope.context.document.metadata.name)),
    plan(observed, refs, scope) {
      const { change } = changeOf(observed, refs, scope);
      return { changes: [change], provides: provide(ref, observed?.groupId, change.action === "create") };
    },
    async apply(observed, refs, scope, emit) {
      const { clients } = scope.context;
      const { desired, change } = changeOf(observed, refs, scope);
      if (change.action === "create")
        return { [ref]: await mutate(change, emit, () => createSecurityGroup(clients, desired)) };
      if (observed && change.action !== "noop")
        await mutate(change, emit, () => updateSecurityGroup(clients, desired, observed));
      return { [ref]: observed?.groupId };
    },
  };
}

/** The load balancer's group: the listener port open to the internet. */
export const loadBalancerSecurityGroupKind = securityGroupKind(
  "albSecurityGroup",
  [],
  loadBalancerSecurityGroupName,
  (_refs, { context }) => desiredLoadBalancerGroup(context.document, context.network),
  "albSecurityGroupId",
);

/** The tasks' group: the container port open to the load balancer's group only. */
export const taskSecurityGroupKind = securityGroupKind(
  "taskSecurityGroup",
  ["albSecurityGroup"],
  taskSecurityGroupName,
  (refs, scope) =>
    desiredTaskGroup(
      scope.context.document,
      scope.context.network,
      refs.albSecurityGroupId,
      // Open until the group is gone: a group deleted this pass closes its port in the next.
      [...scope.decide(targetGroupTransition).kept, ...scope.decide(retiredTargetGroups).deleted].map(
        (group) => group.port,
      ),
    ),
  "taskSecurityGroupId",
);
