/**
 * Rules of security groups: Authorize/Revoke for ingress and egress, and DescribeSecurityGroupRules.
 * A request's rules are all checked before any is added or removed, so a failed call changes nothing.
 */
import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import {
  invalidParameterCombination,
  invalidParameterValue,
  missingParameter,
  ruleIdNotFound,
} from "./errors.ts";
import { readFilters } from "./filters.ts";
import { read, structureList } from "./input.ts";
import { requireGroup, requireRule, requireVpc } from "./lookup.ts";
import { paginate } from "./pagination.ts";
import {
  describeRule,
  ipPermissionsOf,
  newRule,
  type RuleSpec,
  readIpPermissions,
  readShorthandIngress,
  revokedRuleView,
  ruleKey,
  securityGroupRuleView,
} from "./permissions.ts";
import { groupOfRequest, rulesOf } from "./security-groups.ts";
import type { Ec2State, SecurityGroup, SecurityGroupRule } from "./state.ts";
import { readTagSpecifications } from "./tags.ts";

/** AWS's default quota: 60 inbound and 60 outbound rules per group. */
const MAX_RULES_PER_DIRECTION = 60;

/** Ingress names its group by id or (default VPC) name; egress only by id. */
function targetGroup(state: Ec2State, input: Input, isEgress: boolean): SecurityGroup {
  const args = read(input);
  if (isEgress) return requireGroup(state, args.string("GroupId"));
  return groupOfRequest(state, args.optionalString("GroupId"), args.optionalString("GroupName"));
}

/** The rules a request names by properties: `IpPermissions`, or for ingress also the shorthand fields. */
function requestedRules(state: Ec2State, group: SecurityGroup, input: Input, isEgress: boolean): RuleSpec[] {
  if (!isEgress) return readShorthandIngress(state, group, input);
  const specs = readIpPermissions(state, group, input.IpPermissions, true);
  if (specs.length === 0) throw missingParameter("IpPermissions");
  return specs;
}

function authorize(input: Input, context: OperationContext, isEgress: boolean) {
  const state = context.region.ec2;
  const group = targetGroup(state, input, isEgress);
  const specs = requestedRules(state, group, input, isEgress);
  const keys = specs.map(ruleKey);
  if (new Set(keys).size !== keys.length)
    throw invalidParameterValue("The same permission must not appear multiple times");
  const existing = new Set(group.rules.map(ruleKey));
  const duplicate = specs.find((spec) => existing.has(ruleKey(spec)));
  if (duplicate) {
    throw new AwsError(
      "InvalidPermission.Duplicate",
      `the specified rule "${describeRule(duplicate)}" already exists`,
    );
  }
  if (rulesOf(group, isEgress).length + specs.length > MAX_RULES_PER_DIRECTION) {
    throw new AwsError(
      "RulesPerSecurityGroupLimitExceeded",
      "The maximum number of rules per security group has been reached.",
    );
  }
  const tags = readTagSpecifications(input, "security-group-rule");
  const added = specs.map((spec) => newRule(spec, group.groupId, tags, context.random));
  group.rules.push(...added);
  return {
    return: true,
    securityGroupRuleSet: added.map((rule) => securityGroupRuleView(rule, state.region)),
  };
}

/**
 * Removes rules named by id or by properties. Properties that match no rule fail the whole call with
 * `InvalidPermission.NotFound`, except in a default VPC, where AWS revokes what matches and reports
 * the rest in `unknownIpPermissionSet`.
 */
function revoke(input: Input, context: OperationContext, isEgress: boolean) {
  const state = context.region.ec2;
  const group = targetGroup(state, input, isEgress);
  const ruleIds = read(input).stringList("SecurityGroupRuleId");
  let revoked: SecurityGroupRule[];
  const unknown: RuleSpec[] = [];
  if (ruleIds.length > 0) {
    if (structureList(input.IpPermissions, "IpPermissions").length > 0) {
      throw invalidParameterCombination(
        "The parameter 'securityGroupRuleIds' may not be used in combination with 'ipPermissions'",
      );
    }
    revoked = ruleIds.map((ruleId) => {
      const rule = group.rules.find(
        (candidate) => candidate.ruleId === ruleId && candidate.isEgress === isEgress,
      );
      if (!rule) throw ruleIdNotFound(ruleId);
      return rule;
    });
  } else {
    const byKey = new Map(group.rules.map((rule) => [ruleKey(rule), rule]));
    revoked = [];
    for (const spec of requestedRules(state, group, input, isEgress)) {
      const rule = byKey.get(ruleKey(spec));
      if (rule) revoked.push(rule);
      else unknown.push(spec);
    }
    if (unknown.length > 0 && !requireVpc(state, group.vpcId).isDefault) {
      throw new AwsError(
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.",
      );
    }
  }
  const gone = new Set(revoked);
  group.rules = group.rules.filter((rule) => !gone.has(rule));
  return {
    return: true,
    unknownIpPermissionSet: unknown.length > 0 ? ipPermissionsOf(unknown) : undefined,
    revokedSecurityGroupRuleSet: [...gone].map(revokedRuleView),
  };
}

export const securityGroupRuleOperations: Record<string, Operation> = {
  AuthorizeSecurityGroupIngress: (input, context) => authorize(input, context, false),
  AuthorizeSecurityGroupEgress: (input, context) => authorize(input, context, true),
  RevokeSecurityGroupIngress: (input, context) => revoke(input, context, false),
  RevokeSecurityGroupEgress: (input, context) => revoke(input, context, true),

  DescribeSecurityGroupRules(input, context) {
    const state = context.region.ec2;
    const ruleIds = read(input).stringList("SecurityGroupRuleId");
    const matches = readFilters<SecurityGroupRule>(input, {
      "group-id": (rule) => rule.groupId,
      "security-group-rule-id": (rule) => rule.ruleId,
    });
    const rules =
      ruleIds.length > 0
        ? [...new Set(ruleIds.map((ruleId) => requireRule(state, ruleId)))]
        : [...state.securityGroups.values()].flatMap((group) => group.rules);
    const { page, nextToken } = paginate(input, rules.filter(matches), (rule) => rule.ruleId);
    return {
      securityGroupRuleSet: page.map((rule) => securityGroupRuleView(rule, state.region)),
      nextToken,
    };
  },
};
