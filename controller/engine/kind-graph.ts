/**
 * Runs a stack of resource kinds through their contract: every kind claims what the observation
 * holds (conflicts stop the pass before anything is planned), then the kinds become nodes that plan
 * in list order, references flowing from node to node, and apply as soon as their dependencies are
 * done. Nothing here knows a kind: `plan` and `apply` share this code, the dry-run stops after planning.
 */
import type { ApplyEvent, KindContract, KindPlan, PassScope } from "../resources/kind-contract.ts";
import type { StackContext } from "./context.ts";
import { decisionsOf } from "./decisions.ts";
import type { Observation } from "./observe.ts";
import { OwnershipClaims } from "./ownership-check.ts";
import type { Change, HeldBack, LeftInPlace, PlanOptions, Waiting } from "./plan.ts";
import { type Refs, unknownRefs } from "./refs.ts";

/** One kind bound to this pass's claims: what `plan` prints and `apply` executes. */
export interface StackNode {
  id: string;
  dependsOn: readonly string[];
  plan(refs: Refs): KindPlan;
  /** Makes the changes; returns the references now known. */
  apply(refs: Refs, emit: (event: ApplyEvent) => void): Promise<Partial<Refs>>;
}

/** A stack's kinds, whatever each claims: the engine sees only the contract. */
export type AnyKind = KindContract<unknown>;

/** The shared scope of one pass; each decision is made once (see decisions.ts). */
function passScope(context: StackContext, observation: Observation, options: PlanOptions): PassScope {
  const scope: PassScope = {
    context,
    observation,
    options,
    claims: new OwnershipClaims(context.document.metadata.adopt),
    decide: decisionsOf(() => scope),
  };
  return scope;
}

/** Claims for every kind, then binds each to its claims; throws OwnershipConflictError when a name is taken by someone else. */
export function bindKinds(
  kinds: readonly AnyKind[],
  context: StackContext,
  observation: Observation,
  options: PlanOptions = {},
): StackNode[] {
  const scope = passScope(context, observation, options);
  const claimed = kinds.map((kind) => ({ kind, claimed: kind.claim(scope) }));
  scope.claims.assertNone();
  return claimed.map(({ kind, claimed }) => ({
    id: kind.id,
    dependsOn: kind.dependsOn,
    plan: (refs) => kind.plan(claimed, refs, scope),
    apply: (refs, emit) => kind.apply(claimed, refs, scope, emit),
  }));
}

/**
 * The plan: every node's changes, in list order, with references flowing from node to node, and
 * what the nodes leave alone on purpose.
 */
export function planStack(nodes: readonly StackNode[]): {
  changes: Change[];
  skipped: LeftInPlace[];
  heldBack: HeldBack[];
  waiting: Waiting[];
} {
  const refs = unknownRefs();
  const changes: Change[] = [];
  const waiting: Waiting[] = [];
  const skipped: LeftInPlace[] = [];
  const heldBack: HeldBack[] = [];
  for (const node of nodes) {
    const planned = node.plan(refs);
    Object.assign(refs, planned.provides);
    changes.push(...planned.changes);
    skipped.push(...(planned.skipped ?? []));
    heldBack.push(...(planned.heldBack ?? []));
    waiting.push(...(planned.waiting ?? []));
  }
  return { changes, skipped, heldBack, waiting };
}

/**
 * Applies every node as soon as its dependencies are done, so independent resources converge in
 * parallel and the plan's critical path, not its length, sets the time. A failed node stops its
 * dependents; the others finish before the first error is thrown.
 */
export async function applyNodes(
  nodes: readonly StackNode[],
  emit: (event: ApplyEvent) => void,
): Promise<Refs> {
  const refs = unknownRefs();
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const running = new Map<string, Promise<void>>();
  const run = (node: StackNode): Promise<void> => {
    let done = running.get(node.id);
    if (!done) {
      done = (async () => {
        await Promise.all(node.dependsOn.map((id) => run(byId.get(id) ?? missingNode(id))));
        Object.assign(refs, await node.apply(refs, emit));
      })();
      running.set(node.id, done);
    }
    return done;
  };
  const outcomes = await Promise.allSettled(nodes.map(run));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return refs;
}

function missingNode(id: string): never {
  throw new Error(`stack node ${id} is a dependency but not part of the stack`);
}
