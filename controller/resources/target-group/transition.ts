/**
 * A target group replaced (a new container port) without a moment with no healthy target behind the
 * listener: make before break, one step per pass, each decided from what AWS holds now.
 *
 * 1. The new group is created and attached to the listener at weight 0: no traffic, but ELB checks
 *    its targets and ECS accepts it (ECS refuses a group no load balancer uses).
 * 2. The service registers its new tasks in the old group (on the new port) as well as the new one.
 *    ECS stops an old task only once new ones are healthy in every group they serve, so the group
 *    the listener forwards to never runs out of healthy targets, however fast the rollout goes.
 * 3. Once that rollout is complete and the new group has a healthy target, the listener forwards to
 *    the new group (the old one stays attached at weight 0) and the service drops the old group: a
 *    second rolling deployment, whose new tasks register in the new group only.
 * 4. Once the service is stable without the old group, nothing can roll back into it: it leaves the
 *    listener and is deleted, and the tasks' security group closes its port.
 *
 * Nothing here is remembered between passes: a crash anywhere is picked up by the next pass.
 */
import type { LeftInPlace, Waiting } from "../../engine/plan.ts";
import type { PassScope } from "../kind-contract.ts";
import { claimedListener, listenerName } from "../listener/claimed-listener.ts";
import type { ObservedListener } from "../listener/listener.ts";
import { foreignRules, ruleName } from "../listener/rules.ts";
import { claimedService } from "../service/claimed-service.ts";
import { isServiceStable, type ObservedService } from "../service/service.ts";
import { chooseRevision } from "../task-definition/revision-choice.ts";
import { desiredTargetGroup, type ObservedTargetGroup } from "./target-group.ts";

export interface TransitionInput {
  listenerName: string;
  /** The spec's group's name, and the group when it exists. */
  desiredName: string;
  desiredGroup: ObservedTargetGroup | undefined;
  /** Our groups with other names: replaced ones. */
  oldGroups: readonly ObservedTargetGroup[];
  listener: ObservedListener | undefined;
  service: ObservedService | undefined;
  /** The service in the cluster the spec moved away from, until it is deleted. */
  previousService: ObservedService | undefined;
  /** The spec's group's targets by state; read only while the listener forwards elsewhere. */
  desiredGroupHealth: Record<string, number> | undefined;
  /** A revision of the spec is held back: the service stays on what it runs. */
  heldBack: boolean;
}

export interface TargetGroupTransition {
  /** An old group the listener keeps forwarding to after this pass: the new one is not ready. */
  stillServing: ObservedTargetGroup | undefined;
  /** This pass moves the listener from an old group to the spec's. */
  moves: boolean;
  /** Old groups still needed after this pass: attached to the listener (or serving), their ports open. */
  kept: ObservedTargetGroup[];
  /** Old groups nothing needs any more: they leave the listener and are deleted this pass. */
  retired: ObservedTargetGroup[];
  /** The steps a later pass takes, and what they wait for. */
  waiting: Waiting[];
}

const usesGroup = (service: ObservedService | undefined, arn: string) =>
  service?.settings.loadBalancers.some((binding) => binding.targetGroupArn === arn) ?? false;

/** What the listener still waits for before it moves to the spec's group. */
function notReadyBecause(input: TransitionInput, stable: boolean, healthy: number): string | undefined {
  const { desiredGroup, service, heldBack } = input;
  if (!desiredGroup) return `${input.desiredName} is created this pass`;
  if (heldBack) return "the spec's revision is held back";
  if (!service) return "the service is created this pass";
  if (!usesGroup(service, desiredGroup.arn)) return "the service registers its tasks in it from this pass";
  if (!stable) return "the service's rollout is in progress";
  if (healthy === 0 && service.desiredCount > 0) return "it has no healthy target yet";
  return undefined;
}

/** Decides this pass's step of a target group replacement (nothing, when none is in progress). */
export function planTargetGroupTransition(input: TransitionInput): TargetGroupTransition {
  const { listener, service, previousService, oldGroups } = input;
  const stable = isServiceStable(service);
  const healthy = input.desiredGroupHealth?.healthy ?? 0;
  const servingOld = oldGroups.find((group) => group.arn === listener?.forwardTo);
  const waitingFor = servingOld ? notReadyBecause(input, stable, healthy) : undefined;
  const stillServing = waitingFor !== undefined ? servingOld : undefined;
  const moves = servingOld !== undefined && waitingFor === undefined;

  const waiting: Waiting[] = [];
  if (stillServing && waitingFor)
    waiting.push({
      resource: "Listener",
      name: input.listenerName,
      reason: `keeps forwarding to ${stillServing.name}; moves to ${input.desiredName} once the service's rollout onto it is complete and it has a healthy target (now: ${waitingFor})`,
    });

  const kept: ObservedTargetGroup[] = [];
  const retired: ObservedTargetGroup[] = [];
  for (const group of oldGroups) {
    const why =
      group === stillServing
        ? "the listener still forwards to it"
        : usesGroup(service, group.arn) || usesGroup(previousService, group.arn)
          ? "the service still registers tasks in it"
          : service && !stable
            ? "a deployment in progress may still use it or roll back to it"
            : undefined;
    if (why === undefined) {
      retired.push(group);
      continue;
    }
    kept.push(group);
    waiting.push({
      resource: "TargetGroup",
      name: group.name,
      reason: `deleted once the service is stable without it (now: ${why})`,
    });
  }
  return { stillServing, moves, kept, retired, waiting };
}

/** A decision (see PassScope.decide): the spec's group, claimed, and our groups with other names (replaced ones). */
export function claimedTargetGroups({ claims, observation, context }: PassScope): {
  desiredName: string;
  current: ObservedTargetGroup | undefined;
  previous: ObservedTargetGroup[];
} {
  const desiredName = desiredTargetGroup(context.document, context.network).name;
  const current = claims.claim(
    observation.targetGroups.find((group) => group.name === desiredName),
    "TargetGroup",
    desiredName,
    (group) => group.arn,
  );
  const previous = observation.targetGroups.filter(
    (group) => group.name !== desiredName && group.ownership === "ours",
  );
  return { desiredName, current, previous };
}

/** A decision (see PassScope.decide): this pass's step of a replacement, from the observation alone. */
export function targetGroupTransition(scope: PassScope): TargetGroupTransition {
  const { context, observation } = scope;
  const { desiredName, current, previous } = scope.decide(claimedTargetGroups);
  return planTargetGroupTransition({
    listenerName: listenerName(context.document.metadata.name, {
      port: context.document.spec.loadBalancer.listenerPort,
    }),
    desiredName,
    desiredGroup: current,
    oldGroups: previous,
    listener: scope.decide(claimedListener),
    service: scope.decide(claimedService),
    previousService: observation.previousService,
    desiredGroupHealth: observation.desiredGroupHealth,
    heldBack: scope.decide(chooseRevision).heldBack !== undefined,
  });
}

/**
 * A decision (see PassScope.decide): the retired groups deleted this pass, and those left in place
 * because a rule that is not ours forwards to them (deleting one would only fail with ResourceInUse
 * until its owner moves the rule).
 */
export function retiredTargetGroups(scope: PassScope): {
  deleted: ObservedTargetGroup[];
  skipped: LeftInPlace[];
} {
  const { observation, context } = scope;
  const listenerNamed = (arn: string) => {
    const found = observation.listeners.find((candidate) => candidate.arn === arn);
    return found ? listenerName(context.document.metadata.name, found) : arn;
  };
  const deleted: ObservedTargetGroup[] = [];
  const skipped: LeftInPlace[] = [];
  for (const old of scope.decide(targetGroupTransition).retired) {
    const forwarding = foreignRules(observation.rules).find((rule) => rule.forwardTo.includes(old.arn));
    if (!forwarding) deleted.push(old);
    else
      skipped.push({
        resource: "TargetGroup",
        name: old.name,
        reason: `rule ${ruleName(listenerNamed(forwarding.listenerArn), forwarding)}, which is not ours, forwards to it: left in place`,
      });
  }
  return { deleted, skipped };
}
