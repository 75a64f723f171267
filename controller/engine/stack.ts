/**
 * One service's stack: the folders under resources/ that make it, in dependency order. Each folder
 * declares what it observes, its kinds and how destroy removes them (resources/kind-folder.ts, over the
 * one contract: observation-part.ts, kind-contract.ts, kind-destroy.ts); the engine observes
 * (observe.ts), claims, plans and applies (kind-graph.ts) and destroys (destroy.ts) them without
 * knowing any. Adding a kind is a line in its folder; adding a folder is a line here. Plans list
 * changes in folder order (cleanup kinds last); apply runs each kind once its dependencies are done;
 * destroy lists folders in reverse, the kinds that use a resource before it.
 */

import { clusterFolder } from "../resources/cluster/cluster-folder.ts";
import type { ApplyEvent } from "../resources/kind-contract.ts";
import type { KindDestroy } from "../resources/kind-destroy.ts";
import { listenerFolder } from "../resources/listener/listener-folder.ts";
import { loadBalancerFolder } from "../resources/load-balancer/load-balancer-folder.ts";
import { logGroupFolder } from "../resources/log-group/log-group-folder.ts";
import { scalingFolder } from "../resources/scaling/scaling-folder.ts";
import { securityGroupsFolder } from "../resources/security-groups/security-groups-folder.ts";
import { serviceFolder } from "../resources/service/service-folder.ts";
import { targetGroupFolder } from "../resources/target-group/target-group-folder.ts";
import { taskDefinitionFolder } from "../resources/task-definition/task-definition-folder.ts";
import type { StackContext } from "./context.ts";
import { bindDestroyKinds, type DestroyOptions } from "./destroy.ts";
import { type AnyKind, bindKinds, type StackNode } from "./kind-graph.ts";
import { type ObservationOf, observeParts } from "./observe.ts";
import type { PlanOptions } from "./plan.ts";

export type { ApplyEvent };

/** The folders of a service's stack, each after the folders whose kinds it depends on. */
const STACK_FOLDERS = [
  securityGroupsFolder,
  logGroupFolder,
  targetGroupFolder,
  loadBalancerFolder,
  listenerFolder,
  clusterFolder,
  taskDefinitionFolder,
  serviceFolder,
  scalingFolder,
] as const;

/** A part of what a pass reads, of any folder. */
type StackObservationPart = (typeof STACK_FOLDERS)[number]["observe"][number];

/** What a pass reads, one part per field of the observation; each runs once the parts it needs are in. */
const STACK_OBSERVATION: readonly StackObservationPart[] = STACK_FOLDERS.flatMap(
  (folder): readonly StackObservationPart[] => folder.observe,
);

/** What one pass found of a service's stack, by field of the parts that read it. */
export type Observation = ObservationOf<readonly StackObservationPart[]>;

/** Reads everything the service owns (or collides with). */
export const observeStack = (context: StackContext): Promise<Observation> =>
  observeParts(STACK_OBSERVATION, context);

/** The kinds of a service's stack in the order plans list them; deletes of what the spec no longer needs come last. */
export const STACK_KINDS: readonly AnyKind[] = [
  ...STACK_FOLDERS.flatMap((folder) => folder.kinds),
  ...STACK_FOLDERS.flatMap((folder) => folder.cleanup ?? []),
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
 * The kinds destroy deletes, in the order its plan lists them: folders in reverse, so the kinds that
 * use a resource come before it. Each waits for the deletions of the kinds that use it (its `after`).
 */
export const DESTROY_KINDS: readonly KindDestroy[] = STACK_FOLDERS.toReversed().flatMap(
  (folder) => folder.destroy,
);

/** Binds destroy's kinds to one observation, reading what they need beyond it; deletes nothing. */
export function buildDestroy(
  context: StackContext,
  observation: Observation,
  options: DestroyOptions,
): Promise<StackNode[]> {
  return bindDestroyKinds(DESTROY_KINDS, context, observation, options);
}
