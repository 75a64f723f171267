/**
 * One service's stack: what its kinds observe, its resource kinds in dependency order, and how
 * destroy takes them down. Each kind lives in its own folder under resources/ and implements the one
 * contract (observation-part.ts, kind-contract.ts, kind-destroy.ts); the engine observes
 * (observe.ts), claims, plans and applies (kind-graph.ts) and destroys (destroy.ts) them without
 * knowing any. Adding a kind is a folder and a line in each list here that it takes part in. Plans
 * list changes in list order; apply runs each kind once its dependencies are done.
 */
import { clusterDestroy } from "../resources/cluster/cluster-destroy.ts";
import { clusterKind } from "../resources/cluster/cluster-kind.ts";
import { clusterObservation } from "../resources/cluster/cluster-observation.ts";
import type { ApplyEvent } from "../resources/kind-contract.ts";
import type { KindDestroy } from "../resources/kind-destroy.ts";
import { listenerDestroy } from "../resources/listener/listener-destroy.ts";
import { listenerKind } from "../resources/listener/listener-kind.ts";
import { listenersObservation, rulesObservation } from "../resources/listener/listener-observation.ts";
import { loadBalancerDestroy } from "../resources/load-balancer/load-balancer-destroy.ts";
import { loadBalancerKind } from "../resources/load-balancer/load-balancer-kind.ts";
import { loadBalancerObservation } from "../resources/load-balancer/load-balancer-observation.ts";
import { logGroupDestroy } from "../resources/log-group/log-group-destroy.ts";
import { logGroupKind } from "../resources/log-group/log-group-kind.ts";
import { logGroupObservation } from "../resources/log-group/log-group-observation.ts";
import { scalingDestroy } from "../resources/scaling/scaling-destroy.ts";
import { scalingKind } from "../resources/scaling/scaling-kind.ts";
import { scalingObservation } from "../resources/scaling/scaling-observation.ts";
import {
  loadBalancerSecurityGroupKind,
  taskSecurityGroupKind,
} from "../resources/security-groups/security-group-kinds.ts";
import {
  loadBalancerSecurityGroupDestroy,
  taskSecurityGroupDestroy,
} from "../resources/security-groups/security-groups-destroy.ts";
import { securityGroupsObservation } from "../resources/security-groups/security-groups-observation.ts";
import { serviceDestroy } from "../resources/service/service-destroy.ts";
import { serviceKind } from "../resources/service/service-kind.ts";
import { previousServiceKind, serviceClusterRecordKind } from "../resources/service/service-move.ts";
import { previousServiceObservation, serviceObservation } from "../resources/service/service-observation.ts";
import { targetGroupDestroy } from "../resources/target-group/target-group-destroy.ts";
import { retiredTargetGroupsKind, targetGroupKind } from "../resources/target-group/target-group-kind.ts";
import {
  desiredGroupHealthObservation,
  targetGroupsObservation,
} from "../resources/target-group/target-group-observation.ts";
import { taskDefinitionDestroy } from "../resources/task-definition/task-definition-destroy.ts";
import { staleRevisionsKind, taskDefinitionKind } from "../resources/task-definition/task-definition-kind.ts";
import { taskDefinitionsObservation } from "../resources/task-definition/task-definition-observation.ts";
import type { StackContext } from "./context.ts";
import { bindDestroyKinds, type DestroyOptions } from "./destroy.ts";
import { type AnyKind, bindKinds, type StackNode } from "./kind-graph.ts";
import { type ObservationOf, observeParts } from "./observe.ts";
import type { PlanOptions } from "./plan.ts";

export type { ApplyEvent };

/** What a pass reads, one part per field of the observation; each runs once the parts it needs are in. */
export const STACK_OBSERVATION = [
  securityGroupsObservation,
  logGroupObservation,
  loadBalancerObservation,
  targetGroupsObservation,
  listenersObservation,
  rulesObservation,
  clusterObservation,
  serviceObservation,
  previousServiceObservation,
  taskDefinitionsObservation,
  scalingObservation,
  desiredGroupHealthObservation,
] as const;

/** What one pass found of a service's stack, by field of the parts that read it. */
export type Observation = ObservationOf<typeof STACK_OBSERVATION>;

/** Reads everything the service owns (or collides with). */
export const observeStack = (context: StackContext): Promise<Observation> =>
  observeParts(STACK_OBSERVATION, context);

/** The kinds of a service's stack; deletes of what the spec no longer needs come last. */
export const STACK_KINDS: readonly AnyKind[] = [
  loadBalancerSecurityGroupKind,
  taskSecurityGroupKind,
  logGroupKind,
  targetGroupKind,
  loadBalancerKind,
  listenerKind,
  clusterKind,
  taskDefinitionKind,
  serviceKind,
  scalingKind,
  previousServiceKind,
  retiredTargetGroupsKind,
  staleRevisionsKind,
  serviceClusterRecordKind,
];

/** Binds the stack's kinds to one observation; throws OwnershipConflictError when a name is taken by someone else. */
export function buildStack(
  context: StackContext,
  observation: Observation,
  options: PlanOptions = {},
): StackNode[] {
  return bindKinds(STACK_KINDS, context, observation, options);
}

/**
 * The kinds destroy deletes, in the order its plan lists them; each waits for the deletions of the
 * kinds that use it (its `after`), so the stack comes down in reverse dependency order.
 */
export const DESTROY_KINDS: readonly KindDestroy[] = [
  scalingDestroy,
  serviceDestroy,
  listenerDestroy,
  targetGroupDestroy,
  loadBalancerDestroy,
  taskSecurityGroupDestroy,
  loadBalancerSecurityGroupDestroy,
  logGroupDestroy,
  taskDefinitionDestroy,
  clusterDestroy,
];

/** Binds destroy's kinds to one observation, reading what they need beyond it; deletes nothing. */
export function buildDestroy(
  context: StackContext,
  observation: Observation,
  options: DestroyOptions,
): Promise<StackNode[]> {
  return bindDestroyKinds(DESTROY_KINDS, context, observation, options);
}
