/**
 * Where a request goes: the listener's rules by priority, then its default action; for a forward
 * action, the target group by weight, then a target by round robin over the healthy ones. The
 * positions (round-robin counters, weighted-choice credits) are the data plane's own state, never
 * part of the API state the control plane holds.
 */
import { rulesOf } from "../rules.ts";
import type {
  Elbv2State,
  Listener,
  ListenerAction,
  Target,
  TargetGroup,
  TargetGroupTuple,
} from "../state.ts";
import { healthOf } from "../targets.ts";
import { conditionsMatch, type RequestFacts } from "./request-match.ts";

export interface RoutedAction {
  action: ListenerAction;
  /** The rule that matched (the default rule's ARN for the default action): weighted choices are kept per rule. */
  ruleArn: string;
}

/** The first rule whose conditions hold, else the listener's default action. */
export function routeRequest(
  state: Elbv2State,
  listener: Listener,
  request: RequestFacts,
): RoutedAction | undefined {
  for (const rule of rulesOf(state, listener.arn)) {
    if (rule.isDefault) {
      const action = listener.defaultActions[0];
      return action && { action, ruleArn: rule.arn };
    }
    const action = rule.actions[0];
    if (action && conditionsMatch(rule.conditions, request)) return { action, ruleArn: rule.arn };
  }
  const action = listener.defaultActions[0];
  return action && { action, ruleArn: listener.arn };
}

/** Why no target could be picked: the ALB answers 503 either way. */
export type NoTarget = "no-target-group" | "no-targets";

export class RoutingPositions {
  /** Smooth weighted round robin credits (nginx's), per rule: deterministic, and weight 0 never wins. */
  readonly #credits = new Map<string, Map<string, number>>();
  /** Round-robin positions per target group. */
  readonly #positions = new Map<string, number>();

  /** The target group of a weighted forward that takes this request, or undefined when every weight is 0. */
  pickTargetGroup(ruleArn: string, tuples: readonly TargetGroupTuple[]): string | undefined {
    const live = tuples.filter((tuple) => tuple.weight > 0);
    if (live.length <= 1) return live[0]?.targetGroupArn;
    let credits = this.#credits.get(ruleArn);
    if (!credits) {
      credits = new Map();
      this.#credits.set(ruleArn, credits);
    }
    const total = live.reduce((sum, tuple) => sum + tuple.weight, 0);
    let best: TargetGroupTuple | undefined;
    for (const tuple of live) {
      const credit = (credits.get(tuple.targetGroupArn) ?? 0) + tuple.weight;
      credits.set(tuple.targetGroupArn, credit);
      if (!best || credit > (credits.get(best.targetGroupArn) ?? 0)) best = tuple;
    }
    if (!best) return undefined;
    credits.set(best.targetGroupArn, (credits.get(best.targetGroupArn) ?? 0) - total);
    return best.targetGroupArn;
  }

  /**
   * The next target by round robin over the healthy ones; when none is healthy the load balancer fails
   * open to every registered target that is not draining. Draining targets take no new requests.
   */
  pickTarget(state: Elbv2State, group: TargetGroup): Target | NoTarget {
    const inService = [...group.targets.values()].filter(
      (target) => healthOf(state, group, target).State !== "draining",
    );
    if (inService.length === 0) return "no-targets";
    const healthy = inService.filter((target) => healthOf(state, group, target).State === "healthy");
    const candidates = healthy.length > 0 ? healthy : inService;
    const position = this.#positions.get(group.arn) ?? 0;
    this.#positions.set(group.arn, (position + 1) % 1_000_000_000);
    return candidates[position % candidates.length] ?? "no-targets";
  }

  /** Forgets positions of rules and groups that no longer exist. */
  prune(state: Elbv2State): void {
    for (const ruleArn of this.#credits.keys()) if (!state.rules.has(ruleArn)) this.#credits.delete(ruleArn);
    for (const groupArn of this.#positions.keys())
      if (!state.targetGroups.has(groupArn)) this.#positions.delete(groupArn);
  }
}
