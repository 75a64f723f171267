/**
 * Listener rules: create, describe (the default rule included), modify, reprioritise, delete.
 * A rule routes like a listener's default actions do, so a target group a rule forwards to is in
 * use and associated with the rule's load balancer (see associations.ts).
 */

import { AwsError } from "../../errors.ts";
import type { Input, InputReader } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { describeAction, readActions } from "./actions.ts";
import { routingChanged } from "./associations.ts";
import { describeCondition, readConditions } from "./conditions.ts";
import { optionalIntIn, read, ruleNotFound, structures, validationError } from "./errors.ts";
import { listenerByArn } from "./listeners.ts";
import { loadBalancerByArn } from "./load-balancers.ts";
import { ruleArn } from "./names.ts";
import { paginate } from "./pagination.ts";
import type { Elbv2State, Listener, ListenerRule } from "./state.ts";
import { readTags } from "./tags.ts";

/** The Application Load Balancer quota on rules per load balancer, default rules not counted. */
const MAX_RULES_PER_LOAD_BALANCER = 100;
const MAX_TAGS = 50;
const MIN_PRIORITY = 1;
const MAX_PRIORITY = 50_000;

type CustomRule = Extract<ListenerRule, { isDefault: false }>;

/** The rule an ARN names, or RuleNotFound. */
export function ruleByArn(region: RegionState, arn: string): ListenerRule {
  const rule = region.elbv2.rules.get(arn);
  if (!rule) throw ruleNotFound();
  return rule;
}

/** A listener's rules in the order AWS evaluates them: by priority, the default rule last. */
export function rulesOf(state: Elbv2State, listenerArn: string): ListenerRule[] {
  const rules = [...state.rules.values()].filter((rule) => rule.listenerArn === listenerArn);
  const rank = (rule: ListenerRule) => (rule.isDefault ? Number.POSITIVE_INFINITY : rule.priority);
  return rules.sort((a, b) => rank(a) - rank(b));
}

/** A rule as DescribeRules shows it; the default rule shows its listener's default actions. */
function describeRule(state: Elbv2State, rule: ListenerRule) {
  if (rule.isDefault) {
    const listener = state.listeners.get(rule.listenerArn);
    return {
      RuleArn: rule.arn,
      Priority: "default",
      Conditions: [],
      Actions: (listener?.defaultActions ?? []).map(describeAction),
      IsDefault: true,
    };
  }
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: rule.conditions.map(describeCondition),
    Actions: rule.actions.map(describeAction),
    IsDefault: false,
  };
}

function readPriority(args: InputReader): number {
  const priority = optionalIntIn(args, "Priority", MIN_PRIORITY, MAX_PRIORITY);
  if (priority === undefined) throw validationError("A rule priority must be specified");
  return priority;
}

const priorityInUse = (priority: number) =>
  new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);

const defaultRuleRefused = (message: string) => new AwsError("OperationNotPermitted", message);

/** Request transforms (URL and host header rewrites) are not emulated. */
function refuseTransforms(args: InputReader): void {
  if (args.has("Transforms") || args.optionalBool("ResetTransforms"))
    throw validationError("The emulator does not support rule transforms");
}

function customRulesOnLoadBalancer(state: Elbv2State, loadBalancerArn: string): number {
  return [...state.rules.values()].filter(
    (rule) => !rule.isDefault && state.listeners.get(rule.listenerArn)?.loadBalancerArn === loadBalancerArn,
  ).length;
}

function createRule(input: Input, context: OperationContext) {
  const { region } = context;
  const state = region.elbv2;
  const args = read(input);
  const listener = listenerByArn(region, args.string("ListenerArn"));
  const loadBalancer = loadBalancerByArn(region, listener.loadBalancerArn);
  const priority = readPriority(args);
  const conditions = readConditions(structures(args, "Conditions"));
  const actions = readActions(region, structures(args, "Actions"), loadBalancer, "rule");
  refuseTransforms(args);
  const tags = readTags(args);
  if (tags.size > MAX_TAGS) throw new AwsError("TooManyTags", `A rule can have at most ${MAX_TAGS} tags`);
  if (rulesOf(state, listener.arn).some((rule) => !rule.isDefault && rule.priority === priority))
    throw priorityInUse(priority);
  if (customRulesOnLoadBalancer(state, loadBalancer.arn) >= MAX_RULES_PER_LOAD_BALANCER)
    throw new AwsError(
      "TooManyRules",
      `A load balancer can have at most ${MAX_RULES_PER_LOAD_BALANCER} rules besides its default rules`,
    );

  const rule: CustomRule = {
    arn: ruleArn(listener.arn, context.random.hex(16)),
    listenerArn: listener.arn,
    tags,
    isDefault: false,
    priority,
    conditions,
    actions,
  };
  state.rules.set(rule.arn, rule);
  routingChanged(state);
  return { Rules: [describeRule(state, rule)] };
}

function modifyRule(input: Input, context: OperationContext) {
  const { region } = context;
  const args = read(input);
  const rule = ruleByArn(region, args.string("RuleArn"));
  const listener: Listener = listenerByArn(region, rule.listenerArn);
  const loadBalancer = loadBalancerByArn(region, listener.loadBalancerArn);
  refuseTransforms(args);
  // The default rule matches every request: only its actions, which are the listener's, can change.
  if (rule.isDefault && args.has("Conditions"))
    throw defaultRuleRefused("The conditions of a default rule cannot be modified");
  const conditions = args.has("Conditions") ? readConditions(structures(args, "Conditions")) : undefined;
  const actions = args.has("Actions")
    ? readActions(region, structures(args, "Actions"), loadBalancer, "rule")
    : undefined;
  if (rule.isDefault) {
    if (actions) listener.defaultActions = actions;
  } else {
    if (conditions) rule.conditions = conditions;
    if (actions) rule.actions = actions;
  }
  if (actions) routingChanged(region.elbv2);
  return { Rules: [describeRule(region.elbv2, rule)] };
}

function setRulePriorities(input: Input, context: OperationContext) {
  const { region } = context;
  const state = region.elbv2;
  const pairs = structures(read(input), "RulePriorities").map((pair) => {
    const pairArgs = read(pair);
    return { arn: pairArgs.string("RuleArn"), priority: readPriority(pairArgs) };
  });
  if (pairs.length === 0) throw validationError("At least one rule priority must be specified");
  if (new Set(pairs.map((pair) => pair.arn)).size !== pairs.length)
    throw validationError("A rule can appear only once in RulePriorities");
  const moved = pairs.map(({ arn, priority }) => {
    const rule = ruleByArn(region, arn);
    if (rule.isDefault) throw defaultRuleRefused("The priority of a default rule cannot be changed");
    return { rule, priority };
  });
  // Every listener touched must end with unique priorities; rules not named keep theirs.
  const newPriority = new Map(moved.map(({ rule, priority }) => [rule.arn, priority]));
  for (const listenerArn of new Set(moved.map(({ rule }) => rule.listenerArn))) {
    const seen = new Set<number>();
    for (const rule of rulesOf(state, listenerArn)) {
      if (rule.isDefault) continue;
      const priority = newPriority.get(rule.arn) ?? rule.priority;
      if (seen.has(priority)) throw priorityInUse(priority);
      seen.add(priority);
    }
  }
  for (const { rule, priority } of moved) rule.priority = priority;
  const rules = moved.map(({ rule }) => rule).sort((a, b) => a.priority - b.priority);
  return { Rules: rules.map((rule) => describeRule(state, rule)) };
}

export const ruleOperations: Record<string, Operation> = {
  CreateRule: createRule,
  ModifyRule: modifyRule,
  SetRulePriorities: setRulePriorities,

  DescribeRules(input, context) {
    const { region } = context;
    const args = read(input);
    const listenerArn = args.optionalString("ListenerArn");
    const arns = args.stringList("RuleArns");
    if ((listenerArn === undefined) === (arns.length === 0))
      throw validationError("You must specify either listener ARNs or rule ARNs, but not both");
    const selected =
      listenerArn !== undefined
        ? rulesOf(region.elbv2, listenerByArn(region, listenerArn).arn)
        : arns.map((arn) => ruleByArn(region, arn));
    const { page, nextMarker } = paginate(args, selected);
    return { Rules: page.map((rule) => describeRule(region.elbv2, rule)), NextMarker: nextMarker };
  },

  DeleteRule(input, context) {
    const rule = ruleByArn(context.region, read(input).string("RuleArn"));
    if (rule.isDefault) throw defaultRuleRefused("A default rule cannot be deleted");
    context.region.elbv2.rules.delete(rule.arn);
    routingChanged(context.region.elbv2);
    return {};
  },
};
