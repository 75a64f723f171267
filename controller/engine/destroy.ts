/**
 * Removes everything a service owns, in reverse dependency order: each kind's folder says what of it
 * to delete and what to leave in place and why (resources/kind-destroy.ts), and whose deletions must
 * come first; this binds the kinds to one observation and turns them into the nodes `plan` prints and
 * `apply` runs, each kind once the kinds it waits for are done. Nothing here knows a kind: the stack
 * lists them.
 *
 * Nothing that is not ours is deleted, directly or as a side effect: a resource without our tags is
 * left in place, and so is one of ours whose deletion would take something not ours with it (a load
 * balancer deletes its listeners, a listener its rules, a service its scalable target, a target its
 * policies), or that something left in place still uses (a listener or rule forwarding to a target
 * group). Each kind lists what it leaves, with why.
 */
import { mutate } from "../resources/kind-contract.ts";
import type { DestroyScope, KindDestroy } from "../resources/kind-destroy.ts";
import type { StackContext } from "./context.ts";
import { decisionsOf } from "./decisions.ts";
import type { StackNode } from "./kind-graph.ts";
import type { Observation } from "./observe.ts";

export interface DestroyOptions {
  keepLogs: boolean;
  /** How long to wait for a draining service or lingering ENIs before giving up. */
  timeoutMs: number;
}

/** The delete nodes for what the observation shows we own; what stays is in each node's `skipped`. */
export async function bindDestroyKinds(
  kinds: readonly KindDestroy[],
  context: StackContext,
  observation: Observation,
  options: DestroyOptions,
): Promise<StackNode[]> {
  const scope: DestroyScope = { context, observation, options, decide: decisionsOf(() => scope) };
  const removals = await Promise.all(kinds.map((kind) => kind.plan(scope)));
  return kinds.map((kind, index): StackNode => {
    const { deletions, skipped } = removals[index] ?? { deletions: [], skipped: [] };
    return {
      id: kind.id,
      dependsOn: kind.after,
      plan: () => ({ changes: deletions.map((step) => step.change), skipped }),
      async apply(_refs, emit) {
        for (const step of deletions) await mutate(step.change, emit, () => step.run(emit));
        return {};
      },
    };
  });
}
