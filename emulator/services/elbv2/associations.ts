/**
 * Which load balancers use a target group. AWS derives it from the listeners and rules that forward
 * to the group, so it is derived here rather than stored with the group: an index by target group,
 * built from the listeners and rules once and rebuilt only after one of them changed
 * (`routingChanged`). Health checks ask whether each group is in use on every simulated second, and
 * DescribeTargetGroups asks it of every group: scanning every listener and rule for each question
 * made a fleet's cost grow with the square of its size.
 */

import { wakeAllTargetGroups } from "./health-check-schedule.ts";
import type { Elbv2State, Listener, ListenerAction, ListenerRule } from "./state.ts";
import { noteAllTargetsChanged } from "./target-changes.ts";

/** The target groups an action forwards to. */
export const forwardedGroups = (action: ListenerAction): string[] =>
  action.type === "forward" ? action.targetGroups.map((tuple) => tuple.targetGroupArn) : [];

/** Who forwards to one target group, each list in creation order (the order Describe* returns). */
interface GroupRouting {
  /** Listeners whose default actions forward to the group. */
  byDefaultActions: Listener[];
  /** Rules (not default ones) whose actions forward to the group. */
  rules: ListenerRule[];
  /** Listeners routing to the group through their default actions or one of their rules. */
  listeners: Listener[];
}

interface RoutingIndex {
  byGroup: Map<string, GroupRouting>;
  /** The sizes it was built from: a listener or rule added or removed without telling is still seen. */
  listenerCount: number;
  ruleCount: number;
}

const NOT_ROUTED: GroupRouting = { byDefaultActions: [], rules: [], listeners: [] };

const indexes = new WeakMap<Elbv2State, RoutingIndex>();

/**
 * Call after any change to listeners, rules or their actions: the index is rebuilt on next use, and
 * every target may have changed state (a group in use or not any more).
 */
export function routingChanged(state: Elbv2State): void {
  indexes.delete(state);
  servingChanged(state);
}

/**
 * Call when which groups receive traffic may have changed (routing, a load balancer turning active):
 * every target's state may have changed, and every group's health checks start or stop.
 */
export function servingChanged(state: Elbv2State): void {
  noteAllTargetsChanged(state);
  wakeAllTargetGroups(state);
}

function buildIndex(state: Elbv2State): RoutingIndex {
  const byGroup = new Map<string, GroupRouting>();
  const entry = (arn: string) => {
    let routing = byGroup.get(arn);
    if (!routing) {
      routing = { byDefaultActions: [], rules: [], listeners: [] };
      byGroup.set(arn, routing);
    }
    return routing;
  };
  const groupsOf = (actions: readonly ListenerAction[]) => new Set(actions.flatMap(forwardedGroups));
  const position = new Map<string, number>();
  for (const listener of state.listeners.values()) {
    position.set(listener.arn, position.size);
    for (const arn of groupsOf(listener.defaultActions)) entry(arn).byDefaultActions.push(listener);
  }
  const listenersOf = new Map<string, Set<Listener>>();
  for (const rule of state.rules.values()) {
    if (rule.isDefault) continue;
    const listener = state.listeners.get(rule.listenerArn);
    for (const arn of groupsOf(rule.actions)) {
      entry(arn).rules.push(rule);
      if (!listener) continue;
      const listeners = listenersOf.get(arn) ?? new Set<Listener>();
      listenersOf.set(arn, listeners.add(listener));
    }
  }
  for (const [arn, routing] of byGroup) {
    const listeners = new Set([...routing.byDefaultActions, ...(listenersOf.get(arn) ?? [])]);
    routing.listeners = [...listeners].sort(
      (a, b) => (position.get(a.arn) ?? 0) - (position.get(b.arn) ?? 0),
    );
  }
  return { byGroup, listenerCount: state.listeners.size, ruleCount: state.rules.size };
}

function routingOf(state: Elbv2State, targetGroupArn: string): GroupRouting {
  let index = indexes.get(state);
  if (!index || index.listenerCount !== state.listeners.size || index.ruleCount !== state.rules.size) {
    if (index) servingChanged(state);
    index = buildIndex(state);
    indexes.set(state, index);
  }
  return index.byGroup.get(targetGroupArn) ?? NOT_ROUTED;
}

/** The ARNs of the listeners and rules whose actions forward to the group: what DeleteTargetGroup waits for. */
export function referencesTo(state: Elbv2State, targetGroupArn: string): string[] {
  const { byDefaultActions, rules } = routingOf(state, targetGroupArn);
  return [...byDefaultActions.map((listener) => listener.arn), ...rules.map((rule) => rule.arn)];
}

/** The listeners routing to the group, through their default actions or one of their rules. */
export function listenersForwardingTo(state: Elbv2State, targetGroupArn: string): Listener[] {
  return [...routingOf(state, targetGroupArn).listeners];
}

/** The load balancers routing to the group (for an ALB group, at most one). */
export function loadBalancerArnsOf(state: Elbv2State, targetGroupArn: string): string[] {
  return [...new Set(routingOf(state, targetGroupArn).listeners.map((listener) => listener.loadBalancerArn))];
}

/** Whether the group receives traffic: a listener (or rule) of an active load balancer forwards to it. */
export function isServing(state: Elbv2State, targetGroupArn: string): boolean {
  return routingOf(state, targetGroupArn).listeners.some(
    (listener) => state.loadBalancers.get(listener.loadBalancerArn)?.state === "active",
  );
}
