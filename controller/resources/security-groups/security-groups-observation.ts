/**
 * What the two security groups' kinds observe: ours by tag (any VPC), plus any group holding our
 * names in the spec's VPC when one of ours is missing there (adoptable, or a conflict). The name
 * check costs a call, so a pass that finds both of ours skips it.
 */
import { loadBalancerSecurityGroupName, taskSecurityGroupName } from "../../../specs/index.ts";
import { observationPart } from "../observation-part.ts";
import {
  type ObservedSecurityGroup,
  observeOwnedSecurityGroups,
  observeSecurityGroupsNamed,
} from "./security-groups.ts";

export const securityGroupsObservation = observationPart({
  field: "securityGroups",
  needs: [],
  async observe({ clients, document, network, reads }): Promise<ObservedSecurityGroup[]> {
    const service = document.metadata.name;
    const groupNames = [loadBalancerSecurityGroupName(service), taskSecurityGroupName(service)];
    const owned = await observeOwnedSecurityGroups(reads, service);
    const ownedInVpc = owned.filter(
      (group) => group.vpcId === network.vpcId && groupNames.includes(group.name),
    );
    if (ownedInVpc.length === groupNames.length) return owned;
    const named = await observeSecurityGroupsNamed(clients, service, network.vpcId, groupNames);
    const known = new Set(owned.map((group) => group.groupId));
    return [...owned, ...named.filter((group) => !known.has(group.groupId))];
  },
});
