/** Finding EC2 resources by id or name, raising the error AWS raises when one is not there. */
import {
  groupIdMalformed,
  groupNameNotFound,
  groupNotFound,
  invalidId,
  networkInterfaceNotFound,
  ruleIdNotFound,
  subnetNotFound,
  vpcNotFound,
} from "./errors.ts";
import type {
  Ec2State,
  NetworkInterface,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Tags,
  Vpc,
} from "./state.ts";

/** AWS's security group ids: `sg-` and 8 (older) or 17 hex digits. */
const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function requireVpc(state: Ec2State, vpcId: string): Vpc {
  const vpc = state.vpcs.get(vpcId);
  if (!vpc) throw vpcNotFound(vpcId);
  return vpc;
}

export function requireSubnet(state: Ec2State, subnetId: string): Subnet {
  const subnet = state.subnets.get(subnetId);
  if (!subnet) throw subnetNotFound(subnetId);
  return subnet;
}

export function requireGroup(state: Ec2State, groupId: string): SecurityGroup {
  const group = state.securityGroups.get(groupId);
  if (group) return group;
  throw GROUP_ID.test(groupId) ? groupNotFound(groupId) : groupIdMalformed(groupId);
}

export function requireNetworkInterface(state: Ec2State, networkInterfaceId: string): NetworkInterface {
  const networkInterface = state.networkInterfaces.get(networkInterfaceId);
  if (!networkInterface) throw networkInterfaceNotFound(networkInterfaceId);
  return networkInterface;
}

export function defaultVpcOf(state: Ec2State): Vpc | undefined {
  return [...state.vpcs.values()].find((vpc) => vpc.isDefault);
}

export function groupNamed(state: Ec2State, vpcId: string, groupName: string): SecurityGroup | undefined {
  return [...state.securityGroups.values()].find(
    (group) => group.vpcId === vpcId && group.groupName === groupName,
  );
}

/** A group by name, which the API allows only in the default VPC (EC2-Classic's legacy). */
export function requireDefaultVpcGroup(state: Ec2State, groupName: string): SecurityGroup {
  const vpcId = defaultVpcOf(state)?.vpcId ?? "none";
  const group = groupNamed(state, vpcId, groupName);
  if (!group) throw groupNameNotFound(groupName, vpcId);
  return group;
}

export function findRule(state: Ec2State, ruleId: string): SecurityGroupRule | undefined {
  for (const group of state.securityGroups.values()) {
    const rule = group.rules.find((candidate) => candidate.ruleId === ruleId);
    if (rule) return rule;
  }
  return undefined;
}

export function requireRule(state: Ec2State, ruleId: string): SecurityGroupRule {
  const rule = findRule(state, ruleId);
  if (!rule) throw ruleIdNotFound(ruleId);
  return rule;
}

/** The tags of any taggable resource, by its id; raises the resource's NotFound (or `InvalidID`). */
export function requireTagsOf(state: Ec2State, resourceId: string): Tags {
  const prefix = resourceId.slice(0, resourceId.indexOf("-"));
  switch (prefix) {
    case "vpc":
      return requireVpc(state, resourceId).tags;
    case "subnet":
      return requireSubnet(state, resourceId).tags;
    case "sg":
      return requireGroup(state, resourceId).tags;
    case "sgr":
      return requireRule(state, resourceId).tags;
    case "eni":
      return requireNetworkInterface(state, resourceId).tags;
    default:
      throw invalidId(resourceId);
  }
}
