/**
 * Which load balancers use a target group. AWS derives it from the listeners (and rules) that forward
 * to the group, so it is computed here rather than stored.
 */
import type { Elbv2State, Listener, ListenerAction } from "./state.ts";

/** The target groups an action forwards to. */
export const forwardedGroups = (action: ListenerAction): string[] =>
  action.type === "forward" ? action.targetGroups.map((tuple) => tuple.targetGroupArn) : [];

/** The listeners with an action forwarding to the group. */
export function listenersForwardingTo(state: Elbv2State, targetGroupArn: string): Listener[] {
  return [...state.listeners.values()].filter((listener) =>
    listener.defaultActions.some((action) => forwardedGroups(action).includes(targetGroupArn)),
  );
}

/** The load balancers routing to the group (for an ALB group, at most one). */
export function loadBalancerArnsOf(state: Elbv2State, targetGroupArn: string): string[] {
  return [
    ...new Set(listenersForwardingTo(state, targetGroupArn).map((listener) => listener.loadBalancerArn)),
  ];
}

/** Whether the group receives traffic: a listener of an active load balancer forwards to it. */
export function isServing(state: Elbv2State, targetGroupArn: string): boolean {
  return loadBalancerArnsOf(state, targetGroupArn).some(
    (arn) => state.loadBalancers.get(arn)?.state === "active",
  );
}
