/**
 * The two security groups as kinds: the load balancer's, then the tasks', which names the load
 * balancer's as the only source and keeps the ports of replaced target groups open until they go.
 */
import { loadBalancerSecurityGroupName, taskSecurityGroupName } from "../../../specs/index.ts";
import type { PassScope } from "../kind-contract.ts";
import { singleResourceKind } from "../single-resource-kind.ts";
import { retiredTargetGroups, targetGroupTransition } from "../target-group/transition.ts";
import {
  createSecurityGroup,
  desiredLoadBalancerGroup,
  desiredTaskGroup,
  diffSecurityGroup,
  updateSecurityGroup,
} from "./security-groups.ts";

/** A group found in the spec's VPC under its name: ours first, else the first, claimed. */
function claimGroup({ claims, observation, context }: PassScope, name: string) {
  const candidates = observation.securityGroups.filter(
    (group) => group.vpcId === context.network.vpcId && group.name === name,
  );
  const found = candidates.find((group) => group.ownership === "ours") ?? candidates[0];
  return claims.claim(found, "SecurityGroup", name, (group) => group.groupId);
}

const securityGroup = {
  resource: "SecurityGroup",
  noun: "security group",
  diff: diffSecurityGroup,
  create: createSecurityGroup,
  update: updateSecurityGroup,
} as const;

/** The load balancer's group: the listener port open to the internet. */
export const loadBalancerSecurityGroupKind = singleResourceKind({
  ...securityGroup,
  id: "albSecurityGroup",
  dependsOn: [],
  claim: (scope) => claimGroup(scope, loadBalancerSecurityGroupName(scope.context.document.metadata.name)),
  desired: (_refs, { context }) => desiredLoadBalancerGroup(context.document, context.network),
  reference: { key: "albSecurityGroupId", of: (group) => group.groupId },
});

/** The tasks' group: the container port open to the load balancer's group only. */
export const taskSecurityGroupKind = singleResourceKind({
  ...securityGroup,
  id: "taskSecurityGroup",
  dependsOn: ["albSecurityGroup"],
  claim: (scope) => claimGroup(scope, taskSecurityGroupName(scope.context.document.metadata.name)),
  desired: (refs, scope) =>
    desiredTaskGroup(
      scope.context.document,
      scope.context.network,
      refs.albSecurityGroupId,
      // Open until the group is gone: a group deleted this pass closes its port in the next.
      [...scope.decide(targetGroupTransition).kept, ...scope.decide(retiredTargetGroups).deleted].map(
        (group) => group.port,
      ),
    ),
  reference: { key: "taskSecurityGroupId", of: (group) => group.groupId },
});
