/**
 * A listener and its rules live and die together: creating a listener creates its default rule,
 * and deleting it (directly or with its load balancer) deletes every rule it holds.
 */
import { createHash } from "node:crypto";
import { routingChanged } from "./associations.ts";
import { ruleArn } from "./names.ts";
import type { Elbv2State, Listener } from "./state.ts";

/**
 * The default rule's ARN, derived from the listener's so that adding rules to the emulator did not
 * shift the seeded random ids every other resource gets.
 */
export const defaultRuleArn = (listenerArn: string) =>
  ruleArn(listenerArn, createHash("sha256").update(listenerArn).digest("hex").slice(0, 16));

/** Stores a new listener with its default rule. */
export function addListener(state: Elbv2State, listener: Listener): void {
  state.listeners.set(listener.arn, listener);
  const arn = defaultRuleArn(listener.arn);
  state.rules.set(arn, { arn, listenerArn: listener.arn, tags: new Map(), isDefault: true });
  routingChanged(state);
}

/** Removes a listener and every rule it holds. */
export function removeListener(state: Elbv2State, listenerArn: string): void {
  for (const rule of [...state.rules.values()])
    if (rule.listenerArn === listenerArn) state.rules.delete(rule.arn);
  state.listeners.delete(listenerArn);
  routingChanged(state);
}
