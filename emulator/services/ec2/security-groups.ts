/**
 * Security groups: CreateSecurityGroup, DeleteSecurityGroup, DescribeSecurityGroups. A group belongs
 * to one VPC, its name is unique there, and it cannot go while an ENI or another group's rule uses it.
 */
import { AwsError } from "../../errors.ts";
import { ACCOUNT_ID, arn, ec2Id } from "../../identity.ts";
import type { Random } from "../../random.ts";
import type { Operation } from "../service-definition.ts";
import { invalidParameterValue, missingParameter } from "./errors.ts";
import { type FilterFields, readFilters } from "./filters.ts";
import { read } from "./input.ts";
import { defaultVpcOf, groupNamed, requireDefaultVpcGroup, requireGroup, requireVpc } from "./lookup.ts";
import { paginate } from "./pagination.ts";
import { ALL_TRAFFIC_OUT, ipPermissionsOf, newRule } from "./permissions.ts";
import type { Ec2State, SecurityGroup, SecurityGroupRule, Tags } from "./state.ts";
import { readTagSpecifications, tagSetOf } from "./tags.ts";

/** What AWS allows in a VPC security group's name and description. */
const GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
const ALLOWED_TEXT = "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*";

export interface NewSecurityGroup {
  groupName: string;
  description: string;
  vpcId: string;
  tags: Tags;
}

/** Adds a group with AWS's starting rule (all traffic out); the caller has validated everything. */
export function addSecurityGroup(state: Ec2State, spec: NewSecurityGroup, random: Random): SecurityGroup {
  const groupId = ec2Id("sg", random);
  const group: SecurityGroup = { ...spec, groupId, rules: [], tags: new Map(spec.tags) };
  group.rules.push(newRule(ALL_TRAFFIC_OUT, groupId, new Map(), random));
  state.securityGroups.set(groupId, group);
  return group;
}

function checkGroupText(value: string, what: "name" | "description"): void {
  if (!GROUP_TEXT.test(value)) {
    throw invalidParameterValue(
      `Invalid security group ${what}. Valid ${what}s are non-empty strings less than 256 characters from the following set:  ${ALLOWED_TEXT}`,
    );
  }
}

/** The group a request names by `GroupId`, or by `GroupName` in the default VPC. */
export function groupOfRequest(state: Ec2State, groupId: string | undefined, groupName: string | undefined) {
  if (groupId !== undefined) return requireGroup(state, groupId);
  if (groupName !== undefined) return requireDefaultVpcGroup(state, groupName);
  throw missingParameter("GroupId");
}

/** Why a group cannot be deleted now, if it cannot: an ENI in it, or a rule of another group naming it. */
function dependentOf(state: Ec2State, group: SecurityGroup): string | undefined {
  for (const networkInterface of state.networkInterfaces.values()) {
    if (networkInterface.groupIds.includes(group.groupId)) return networkInterface.networkInterfaceId;
  }
  for (const other of state.securityGroups.values()) {
    if (other.groupId === group.groupId) continue;
    const reference = other.rules.find(
      (rule) => rule.peer.kind === "group" && rule.peer.groupId === group.groupId,
    );
    if (reference) return other.groupId;
  }
  return undefined;
}

/** A group's ingress (false) or egress (true) rules. */
export function rulesOf(group: SecurityGroup, isEgress: boolean): SecurityGroupRule[] {
  return group.rules.filter((rule) => rule.isEgress === isEgress);
}

function groupArn(region: string, groupId: string): string {
  return arn("ec2", region, `security-group/${groupId}`);
}

function groupView(group: SecurityGroup, region: string) {
  return {
    ownerId: ACCOUNT_ID,
    groupName: group.groupName,
    groupId: group.groupId,
    groupDescription: group.description,
    vpcId: group.vpcId,
    ipPermissions: ipPermissionsOf(rulesOf(group, false)),
    ipPermissionsEgress: ipPermissionsOf(rulesOf(group, true)),
    tagSet: tagSetOf(group.tags),
    securityGroupArn: groupArn(region, group.groupId),
  };
}

/** The filters DescribeSecurityGroups understands, `ip-permission.*` and `egress.ip-permission.*` included. */
function groupFilters(state: Ec2State): FilterFields<SecurityGroup> {
  const permissionFields = (isEgress: boolean): FilterFields<SecurityGroup> => {
    const rules = (group: SecurityGroup) => rulesOf(group, isEgress);
    const prefix = isEgress ? "egress.ip-permission" : "ip-permission";
    return {
      [`${prefix}.protocol`]: (group) => rules(group).map((rule) => rule.protocol),
      [`${prefix}.from-port`]: (group) => rules(group).map((rule) => rule.fromPort),
      [`${prefix}.to-port`]: (group) => rules(group).map((rule) => rule.toPort),
      [`${prefix}.cidr`]: (group) =>
        rules(group).map((rule) => (rule.peer.kind === "cidr-ipv4" ? rule.peer.cidrIpv4 : undefined)),
      [`${prefix}.ipv6-cidr`]: (group) =>
        rules(group).map((rule) => (rule.peer.kind === "cidr-ipv6" ? rule.peer.cidrIpv6 : undefined)),
      [`${prefix}.prefix-list-id`]: (group) =>
        rules(group).map((rule) => (rule.peer.kind === "prefix-list" ? rule.peer.prefixListId : undefined)),
      [`${prefix}.group-id`]: (group) =>
        rules(group).map((rule) => (rule.peer.kind === "group" ? rule.peer.groupId : undefined)),
      [`${prefix}.group-name`]: (group) =>
        rules(group).map((rule) =>
          rule.peer.kind === "group" ? state.securityGroups.get(rule.peer.groupId)?.groupName : undefined,
        ),
    };
  };
  return {
    description: (group) => group.description,
    "group-id": (group) => group.groupId,
    "group-name": (group) => group.groupName,
    "owner-id": () => ACCOUNT_ID,
    "vpc-id": (group) => group.vpcId,
    ...permissionFields(false),
    ...permissionFields(true),
  };
}

export const securityGroupOperations: Record<string, Operation> = {
  CreateSecurityGroup(input, context) {
    const state = context.region.ec2;
    const args = read(input);
    const groupName = args.string("GroupName");
    const description = args.string("GroupDescription");
    checkGroupText(groupName, "name");
    checkGroupText(description, "description");
    if (groupName.toLowerCase().startsWith("sg-"))
      throw invalidParameterValue("Group names may not be in the format sg-*.");
    if (groupName === "default") {
      throw new AwsError(
        "InvalidGroup.Reserved",
        "The name 'default' is reserved, and cannot be used to create a new security group.",
      );
    }
    const vpcId = args.optionalString("VpcId");
    const vpc = vpcId === undefined ? defaultVpcOf(state) : requireVpc(state, vpcId);
    if (!vpc) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user");
    if (groupNamed(state, vpc.vpcId, groupName)) {
      throw new AwsError(
        "InvalidGroup.Duplicate",
        `The security group '${groupName}' already exists for VPC '${vpc.vpcId}'`,
      );
    }
    const tags = readTagSpecifications(input, "security-group");
    const group = addSecurityGroup(state, { groupName, description, vpcId: vpc.vpcId, tags }, context.random);
    return {
      groupId: group.groupId,
      tagSet: tagSetOf(group.tags),
      securityGroupArn: groupArn(state.region, group.groupId),
    };
  },

  DeleteSecurityGroup(input, context) {
    const state = context.region.ec2;
    const args = read(input);
    const group = groupOfRequest(state, args.optionalString("GroupId"), args.optionalString("GroupName"));
    if (group.groupName === "default") {
      throw new AwsError(
        "CannotDelete",
        `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
      );
    }
    if (dependentOf(state, group) !== undefined) {
      throw new AwsError("DependencyViolation", `resource ${group.groupId} has a dependent object`);
    }
    state.securityGroups.delete(group.groupId);
    return { return: true, groupId: group.groupId };
  },

  DescribeSecurityGroups(input, context) {
    const state = context.region.ec2;
    const args = read(input);
    const ids = args.stringList("GroupId");
    const names = args.stringList("GroupName");
    const matches = readFilters(input, groupFilters(state));
    const named = [
      ...ids.map((groupId) => requireGroup(state, groupId)),
      ...names.map((groupName) => requireDefaultVpcGroup(state, groupName)),
    ];
    const candidates =
      ids.length + names.length === 0 ? [...state.securityGroups.values()] : [...new Set(named)];
    const { page, nextToken } = paginate(input, candidates.filter(matches), (group) => group.groupId);
    return { securityGroupInfo: page.map((group) => groupView(group, state.region)), nextToken };
  },
};
