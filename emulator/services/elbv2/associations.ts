/**
 * Which load balancers use a target group. AWS derives it from the listeners and rules that forward
 * to the group, so it is computed here rather than stored.
 */
import type { Elbv2State, Listener, ListenerAction } from "./state.ts";

/** The target groups an action forwards to. */
export const forwardedGroups = (action: ListenerAction): string[] =>
  action.type === "forward" ? action.targetGroups.map((tuple) => tuple.targetGroupArn) : [];

const forwardsTo = (actions: readonly ListenerAction[], targetGroupArn: string) =>
  actions.some((action) => forwardedGroups(action).includes(targetGroupArn));

/** The ARNs of the listeners and rules whose actions forward to the group: what DeleteTargetGroup waits for. */
export function referencesTo(state: Elbv2State, targetGroupArn: string): string[] {
  const listeners = [...state.listeners.values()].filter((listener) =>
    forwardsTo(listener.defaultActions, targetGroupArn),
  );
  const rules = [...state.rules.values()].filter(
    (rule) => !rule.isDefault && forwardsTo(rule.actions, targetGroupArn),
  );
  return [...listeners.map((listener) => listener.arn), ...rules.map((rule) => rule.arn)];
}

/** The listeners routing to the group, through their default actions or one of their rules. */
export function listenersForwardingTo(state: Elbv2State, targetGroupArn: string): Listener[] {
  return [...state.listeners.values()].filter(
    (listener) =>
      forwardsTo(listener.defaultActions, targetGroupArn) ||
      [...state.rules.values()].some(
        (rule) =>
          rule.listenerArn === listener.arn && !rule.isDefault && forwardsTo(rule.actions, targetGroupArn),
      ),
  );
}

/** The load balancers routing to the group (for an ALB group, at most one). */
export function loadBalancerArnsOf(state: Elbv2State, targetGroupArn: string): string[] {
  return [
    ...new Set(listenersForwardingTo(state, targetGroupArn).map((listener) => listener.loadBalancerArn)),
  ];
}

/** Whether the group receives traffic: a listener (or rule) of an active load balancer forwards to it. */
export function isServing(state: Elbv2State, targetGroupArn: string): boolean {
  return loadBalancerArnsOf(state, targetGroupArn).some(
    (arn) => state.loadBalancers.get(arn)?.state === "active",
  );
}
