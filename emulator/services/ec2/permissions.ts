/**
 * Security group rules between the wire and the state. Requests describe rules as `IpPermissions`
 * (a protocol and port range with several peers); AWS stores one rule per peer, each with its own
 * `sgr-` id, and merges them back into IpPermissions per (protocol, from, to) when describing a group.
 */

import { AwsError } from "../../errors.ts";
import { ACCOUNT_ID, arn, ec2Id } from "../../identity.ts";
import type { Input } from "../../protocols/input.ts";
import type { Random } from "../../random.ts";
import { formatIpv4Block, normaliseIpv6Block, parseIpv4Block } from "./cidr.ts";
import { groupNotFound, invalidParameterValue, missingParameter } from "./errors.ts";
import { structureList } from "./input.ts";
import { groupNamed, requireGroup } from "./lookup.ts";
import type { Ec2State, RulePeer, SecurityGroup, SecurityGroupRule, Tags } from "./state.ts";
import { tagSetOf } from "./tags.ts";

/** A rule as a request describes it, before it has an id. */
export interface RuleSpec {
  isEgress: boolean;
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  peer: RulePeer;
  description: string | undefined;
}

const PROTOCOL_NUMBERS: Record<string, string> = { "1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6" };
const NAMED_PROTOCOLS = new Set(["tcp", "udp", "icmp", "icmpv6", "-1"]);
const DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

/** The rule everything but a default group starts with: all traffic out to anywhere. */
export const ALL_TRAFFIC_OUT: RuleSpec = {
  isEgress: true,
  protocol: "-1",
  fromPort: undefined,
  toPort: undefined,
  peer: { kind: "cidr-ipv4", cidrIpv4: "0.0.0.0/0" },
  description: undefined,
};

/** What makes two rules the same rule: everything but the description. */
export function ruleKey(rule: RuleSpec): string {
  return JSON.stringify([rule.isEgress, rule.protocol, rule.fromPort, rule.toPort, peerText(rule.peer)]);
}

function peerText(peer: RulePeer): string {
  switch (peer.kind) {
    case "cidr-ipv4":
      return peer.cidrIpv4;
    case "cidr-ipv6":
      return peer.cidrIpv6;
    case "prefix-list":
      return peer.prefixListId;
    case "group":
      return peer.groupId;
  }
}

/** How AWS names a rule in `InvalidPermission.Duplicate`. */
export function describeRule(rule: RuleSpec): string {
  const protocol = rule.protocol === "-1" ? "ALL" : rule.protocol.toUpperCase();
  const ports = rule.fromPort === undefined ? "" : `, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${peerText(rule.peer)}, ${protocol}${ports}, ALLOW`;
}

export function newRule(spec: RuleSpec, groupId: string, tags: Tags, random: Random): SecurityGroupRule {
  return { ...spec, ruleId: ec2Id("sgr", random), groupId, tags: new Map(tags) };
}

function readProtocol(value: unknown): string {
  if (typeof value !== "string" || value === "") throw missingParameter("IpProtocol");
  const lower = value.toLowerCase();
  if (NAMED_PROTOCOLS.has(lower)) return lower;
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) {
    const number = String(Number(lower));
    return PROTOCOL_NUMBERS[number] ?? number;
  }
  throw invalidParameterValue(`Invalid value '${value}' for IP protocol. Unknown protocol.`);
}

function readPort(value: unknown, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || !/^-?\d+$/.test(value))
    throw invalidParameterValue(`Invalid value '${String(value)}' for ${name}`);
  return Number(value);
}

/** Ports as AWS keeps them: required for TCP/UDP, type and code (default -1) for ICMP, none otherwise. */
function readPorts(protocol: string, from: unknown, to: unknown) {
  const fromPort = readPort(from, "fromPort");
  const toPort = readPort(to, "toPort");
  if (protocol === "tcp" || protocol === "udp") {
    if (fromPort === undefined || toPort === undefined) {
      throw invalidParameterValue(
        "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.",
      );
    }
    if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw invalidParameterValue(`Invalid value '${fromPort}-${toPort}' for portRange.`);
    }
    return { fromPort, toPort };
  }
  if (protocol === "icmp" || protocol === "icmpv6") {
    const type = fromPort ?? -1;
    const code = toPort ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255)
      throw invalidParameterValue(`Invalid value '${type}' for ICMP type or '${code}' for ICMP code.`);
    return { fromPort: type, toPort: code };
  }
  // All traffic and the other protocols allow every port: AWS ignores any ports given.
  return { fromPort: undefined, toPort: undefined };
}

function readDescription(value: unknown): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || !DESCRIPTION.test(value)) {
    throw invalidParameterValue(
      "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
    );
  }
  return value;
}

function readCidrIpv4(value: unknown): string {
  if (typeof value !== "string" || value === "") throw missingParameter("CidrIp");
  const block = parseIpv4Block(value);
  if (!block) throw invalidParameterValue(`CIDR block ${value} is malformed`);
  return formatIpv4Block(block);
}

function readCidrIpv6(value: unknown): string {
  if (typeof value !== "string" || value === "") throw missingParameter("CidrIpv6");
  const block = normaliseIpv6Block(value);
  if (!block) throw invalidParameterValue(`CIDR block ${value} is malformed`);
  return block;
}

/** A peer group by id or by name (in the rule's VPC); groups reference only groups of their own VPC. */
function readPeerGroup(state: Ec2State, group: SecurityGroup, pair: Input): string {
  const { GroupId: groupId, GroupName: groupName } = pair;
  let peer: SecurityGroup | undefined;
  if (typeof groupId === "string" && groupId !== "") peer = requireGroup(state, groupId);
  else if (typeof groupName === "string" && groupName !== "") {
    peer = groupNamed(state, group.vpcId, groupName);
    if (!peer) throw groupNotFound(groupName);
  } else throw missingParameter("GroupId");
  if (peer.vpcId !== group.vpcId) {
    throw new AwsError(
      "InvalidGroup.NotFound",
      "You have specified two resources that belong to different networks.",
    );
  }
  return peer.groupId;
}

/** `IpPermissions.N` → one rule spec per peer, validated against the group and its VPC. */
export function readIpPermissions(
  state: Ec2State,
  group: SecurityGroup,
  permissions: unknown,
  isEgress: boolean,
): RuleSpec[] {
  return structureList(permissions, "IpPermissions").flatMap((permission) => {
    const protocol = readProtocol(permission.IpProtocol);
    const ports = readPorts(protocol, permission.FromPort, permission.ToPort);
    const rule = (peer: RulePeer, description: unknown): RuleSpec => ({
      isEgress,
      protocol,
      ...ports,
      peer,
      description: readDescription(description),
    });
    const rules = [
      ...structureList(permission.IpRanges, "IpRanges").map((range) =>
        rule({ kind: "cidr-ipv4", cidrIpv4: readCidrIpv4(range.CidrIp) }, range.Description),
      ),
      ...structureList(permission.Ipv6Ranges, "Ipv6Ranges").map((range) =>
        rule({ kind: "cidr-ipv6", cidrIpv6: readCidrIpv6(range.CidrIpv6) }, range.Description),
      ),
      ...structureList(permission.PrefixListIds, "PrefixListIds").map((prefixList) => {
        const id = prefixList.PrefixListId;
        if (typeof id !== "string" || !/^pl-[0-9a-f]+$/.test(id))
          throw invalidParameterValue(`Invalid prefix list id: ${String(id ?? "")}`);
        return rule({ kind: "prefix-list", prefixListId: id }, prefixList.Description);
      }),
      ...structureList(permission.Groups, "Groups").map((pair) =>
        rule({ kind: "group", groupId: readPeerGroup(state, group, pair) }, pair.Description),
      ),
    ];
    if (rules.length === 0) {
      throw missingParameter("IpPermissions.N.IpRanges, Ipv6Ranges, PrefixListIds or Groups");
    }
    return rules;
  });
}

/** The ingress-only shorthand (`IpProtocol`, `FromPort`, `ToPort`, `CidrIp`, `SourceSecurityGroupName`). */
export function readShorthandIngress(state: Ec2State, group: SecurityGroup, input: Input): RuleSpec[] {
  const shorthand = ["IpProtocol", "FromPort", "ToPort", "CidrIp", "SourceSecurityGroupName"].filter(
    (name) => input[name] !== undefined && input[name] !== "",
  );
  const hasPermissions = structureList(input.IpPermissions, "IpPermissions").length > 0;
  if (hasPermissions && shorthand.length > 0) {
    throw new AwsError(
      "InvalidParameterCombination",
      `The parameter 'ipPermissions' may not be used in combination with '${shorthand[0]}'`,
    );
  }
  if (hasPermissions) return readIpPermissions(state, group, input.IpPermissions, false);
  if (shorthand.length === 0) throw missingParameter("IpPermissions");
  const permission: Input = { IpProtocol: input.IpProtocol, FromPort: input.FromPort, ToPort: input.ToPort };
  if (typeof input.SourceSecurityGroupName === "string" && input.SourceSecurityGroupName !== "") {
    if (input.CidrIp !== undefined && input.CidrIp !== "") {
      throw new AwsError(
        "InvalidParameterCombination",
        "The parameter 'cidrIp' may not be used in combination with 'sourceSecurityGroupName'",
      );
    }
    const source = [{ GroupName: input.SourceSecurityGroupName }];
    // Without a protocol, a source group is granted full TCP, UDP and ICMP access.
    const permissions =
      input.IpProtocol === undefined || input.IpProtocol === ""
        ? [
            { IpProtocol: "tcp", FromPort: "0", ToPort: "65535", Groups: source },
            { IpProtocol: "udp", FromPort: "0", ToPort: "65535", Groups: source },
            { IpProtocol: "icmp", FromPort: "-1", ToPort: "-1", Groups: source },
          ]
        : [{ ...permission, Groups: source }];
    return readIpPermissions(state, group, permissions, false);
  }
  return readIpPermissions(state, group, [{ ...permission, IpRanges: [{ CidrIp: input.CidrIp }] }], false);
}

export interface IpPermissionView {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  groups: { description?: string; userId: string; groupId: string }[];
  ipRanges: { description?: string; cidrIp: string }[];
  ipv6Ranges: { description?: string; cidrIpv6: string }[];
  prefixListIds: { description?: string; prefixListId: string }[];
}

/** Rules merged per (protocol, from, to) in the order first seen: the `ipPermissions` AWS returns. */
export function ipPermissionsOf(rules: readonly RuleSpec[]): IpPermissionView[] {
  const merged = new Map<string, IpPermissionView>();
  for (const rule of rules) {
    const key = JSON.stringify([rule.protocol, rule.fromPort, rule.toPort]);
    let permission = merged.get(key);
    if (!permission) {
      permission = {
        ipProtocol: rule.protocol,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        groups: [],
        ipRanges: [],
        ipv6Ranges: [],
        prefixListIds: [],
      };
      merged.set(key, permission);
    }
    const description = rule.description;
    const { peer } = rule;
    if (peer.kind === "cidr-ipv4") permission.ipRanges.push({ description, cidrIp: peer.cidrIpv4 });
    if (peer.kind === "cidr-ipv6") permission.ipv6Ranges.push({ description, cidrIpv6: peer.cidrIpv6 });
    if (peer.kind === "prefix-list")
      permission.prefixListIds.push({ description, prefixListId: peer.prefixListId });
    if (peer.kind === "group")
      permission.groups.push({ description, userId: ACCOUNT_ID, groupId: peer.groupId });
  }
  return [...merged.values()];
}

function peerFields(peer: RulePeer) {
  switch (peer.kind) {
    case "cidr-ipv4":
      return { cidrIpv4: peer.cidrIpv4 };
    case "cidr-ipv6":
      return { cidrIpv6: peer.cidrIpv6 };
    case "prefix-list":
      return { prefixListId: peer.prefixListId };
    case "group":
      return {};
  }
}

/** A rule as DescribeSecurityGroupRules and Authorize* return it (`-1` ports where there are none). */
export function securityGroupRuleView(rule: SecurityGroupRule, region: string) {
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: rule.groupId,
    groupOwnerId: ACCOUNT_ID,
    isEgress: rule.isEgress,
    ipProtocol: rule.protocol,
    fromPort: rule.fromPort ?? -1,
    toPort: rule.toPort ?? -1,
    ...peerFields(rule.peer),
    referencedGroupInfo:
      rule.peer.kind === "group" ? { groupId: rule.peer.groupId, userId: ACCOUNT_ID } : undefined,
    description: rule.description,
    tagSet: tagSetOf(rule.tags),
    securityGroupRuleArn: arn("ec2", region, `security-group-rule/${rule.ruleId}`),
  };
}

/** A rule as Revoke* reports it in `revokedSecurityGroupRuleSet`. */
export function revokedRuleView(rule: SecurityGroupRule) {
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: rule.groupId,
    isEgress: rule.isEgress,
    ipProtocol: rule.protocol,
    fromPort: rule.fromPort ?? -1,
    toPort: rule.toPort ?? -1,
    ...peerFields(rule.peer),
    referencedGroupId: rule.peer.kind === "group" ? rule.peer.groupId : undefined,
    description: rule.description,
  };
}
