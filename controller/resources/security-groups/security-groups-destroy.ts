/**
 * The two security groups on destroy: the tasks' first (once the tasks' network interfaces are
 * released), then the load balancer's, which the tasks' rules reference. A group stays when it is
 * not ours, when the service stays, when the load balancer left in place uses it, or when a rule of a
 * group left in place references it.
 */
import { loadBalancerSecurityGroupName } from "../../../specs/index.ts";
import { notOursReason } from "../../engine/ownership-check.ts";
import { retryExpected } from "../../engine/retry.ts";
import {
  type DestroyScope,
  deletion,
  destroyWaitOptions,
  type KindDestroy,
  type KindRemoval,
} from "../kind-destroy.ts";
import { loadBalancerRemoval } from "../load-balancer/load-balancer-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteSecurityGroup, type ObservedSecurityGroup } from "./security-groups.ts";

/** Whether any rule of `group` (ingress or egress) names `groupId` as its source. */
const references = (group: ObservedSecurityGroup, groupId: string) =>
  [...group.ingress, ...group.egress].some(
    (permission) => "groupId" in permission.source && permission.source.groupId === groupId,
  );

/**
 * A decision (see DestroyScope.decide): which of each kind's groups go. The tasks' groups are
 * decided first: a rule of one left in place keeps the load balancer's group it references.
 */
export async function securityGroupRemovals(
  scope: DestroyScope,
): Promise<{ tasks: KindRemoval; loadBalancer: KindRemoval }> {
  const { context, observation } = scope;
  const service = context.document.metadata.name;
  const usedByService = usedByKeptService(scope);
  const kept: ObservedSecurityGroup[] = [];
  const removal = (
    groups: ObservedSecurityGroup[],
    keptBecause: (group: ObservedSecurityGroup) => string | undefined,
    waitReason: string,
  ): KindRemoval => {
    const result: KindRemoval = { deletions: [], skipped: [] };
    for (const group of groups) {
      const reason = keptBecause(group);
      if (reason) {
        kept.push(group);
        result.skipped.push({ resource: "SecurityGroup", name: group.name, reason });
        continue;
      }
      const change = deletion("SecurityGroup", group.name, waitReason);
      result.deletions.push({
        change,
        run: (emit) =>
          retryExpected(
            () => deleteSecurityGroup(context.clients, group.groupId),
            destroyWaitOptions(scope, change, emit),
          ),
      });
    }
    return result;
  };
  const isLoadBalancerGroup = (group: ObservedSecurityGroup) =>
    group.ownership === "ours"
      ? group.role === "alb-security-group"
      : group.name === loadBalancerSecurityGroupName(service);
  const tasks = removal(
    observation.securityGroups.filter((group) => !isLoadBalancerGroup(group)),
    (group) => (group.ownership !== "ours" ? notOursReason(group) : usedByService),
    "once the tasks' network interfaces are released",
  );
  const { loadBalancer } = observation;
  const loadBalancerKept = (await scope.decide(loadBalancerRemoval)).kept;
  const forLoadBalancer = removal(
    observation.securityGroups.filter(isLoadBalancerGroup),
    (group) => {
      if (group.ownership !== "ours") return notOursReason(group);
      if (usedByService) return usedByService;
      if (loadBalancerKept && loadBalancer?.securityGroups.includes(group.groupId))
        return `used by load balancer ${loadBalancer.name}, which is left in place`;
      const referencing = kept.find((other) => references(other, group.groupId));
      if (referencing)
        return `referenced by a rule of security group ${referencing.name}, which is left in place`;
      return undefined;
    },
    "once the load balancer's network interfaces are released",
  );
  return { tasks, loadBalancer: forLoadBalancer };
}

export const taskSecurityGroupDestroy: KindDestroy = {
  id: "taskSecurityGroup",
  after: ["service"],
  plan: async (scope) => (await scope.decide(securityGroupRemovals)).tasks,
};

export const loadBalancerSecurityGroupDestroy: KindDestroy = {
  id: "albSecurityGroup",
  after: ["loadBalancer", "taskSecurityGroup"],
  plan: async (scope) => (await scope.decide(securityGroupRemovals)).loadBalancer,
};
