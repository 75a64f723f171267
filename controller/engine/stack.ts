/**
 * One service's stack: its resource kinds in dependency order. Each kind lives in its own folder
 * under resources/ and implements the one contract (resources/kind-contract.ts); the engine
 * (kind-graph.ts) claims, plans and applies them without knowing any. Adding a kind is a folder and
 * a line here. Plans list changes in this order; apply runs each kind once its dependencies are done.
 */
import { clusterKind } from "../resources/cluster/cluster-kind.ts";
import type { ApplyEvent } from "../resources/kind-contract.ts";
import { listenerKind } from "../resources/listener/listener-kind.ts";
import { loadBalancerKind } from "../resources/load-balancer/load-balancer-kind.ts";
import { logGroupKind } from "../resources/log-group/log-group-kind.ts";
import { scalingKind } from "../resources/scaling/scaling-kind.ts";
import {
  loadBalancerSecurityGroupKind,
  taskSecurityGroupKind,
} from "../resources/security-groups/security-group-kinds.ts";
import { serviceKind } from "../resources/service/service-kind.ts";
import { previousServiceKind, serviceClusterRecordKind } from "../resources/service/service-move.ts";
import { retiredTargetGroupsKind, targetGroupKind } from "../resources/target-group/target-group-kind.ts";
import { staleRevisionsKind, taskDefinitionKind } from "../resources/task-definition/task-definition-kind.ts";
import type { StackContext } from "./context.ts";
import { type AnyKind, bindKinds, type StackNode } from "./kind-graph.ts";
import type { Observation } from "./observe.ts";
import type { PlanOptions } from "./plan.ts";

export type { ApplyEvent };

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
