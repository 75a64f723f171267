/**
 * The delete step of the kind contract, for destroy: each kind's folder says which of its resources
 * to delete and which to leave in place and why (never one that is not ours, nor one of ours that
 * something left in place uses or would lose with it), and whose deletions must finish before its own
 * (the kinds that use it: creation's order reversed). What one kind leaves in place often keeps
 * another's (a service left in place keeps everything it runs on): such decisions are made once per
 * destroy and read through `scope.decide`. The engine (engine/destroy.ts) runs the kinds without
 * knowing any.
 */
import type { StackContext } from "../engine/context.ts";
import type { DestroyOptions } from "../engine/destroy.ts";
import type { Observation } from "../engine/observe.ts";
import type { Change, LeftInPlace, ResourceKind } from "../engine/plan.ts";
import { type Emit, waitOptions } from "./kind-contract.ts";

/** What every kind sees of one destroy: the spec, the observation, the options and the shared decisions. */
export interface DestroyScope {
  context: StackContext;
  observation: Observation;
  options: DestroyOptions;
  /** A decision drawn from the observation, made once and shared by every kind that reads it. */
  decide<T>(decision: (scope: DestroyScope) => T): T;
}

/** One deletion: its plan line, and the calls that make it (reporting expected waits against the line). */
export interface Deletion {
  change: Change;
  run(emit: Emit): Promise<unknown>;
}

/** One kind's part of destroy: what goes, in order, and what stays with why. */
export interface KindRemoval {
  deletions: Deletion[];
  skipped: LeftInPlace[];
}

/** A kind as destroy sees it. */
export interface KindDestroy {
  /** The kind's id in the stack; what others name in `after`. */
  readonly id: string;
  /** Kinds whose deletions must be done before this kind's start. */
  readonly after: readonly string[];
  /** Reads what the observation does not hold if it must; deletes nothing. */
  plan(scope: DestroyScope): KindRemoval | Promise<KindRemoval>;
}

/** A delete line of the destroy plan. */
export const deletion = (resource: ResourceKind, name: string, reason?: string): Change => ({
  action: "delete",
  resource,
  name,
  ...(reason ? { reason } : {}),
  diff: [],
});

/** Retry options for a deletion that waits on AWS (ENIs released, a cluster emptied), up to destroy's timeout. */
export const destroyWaitOptions = (scope: DestroyScope, change: Change, emit: Emit) =>
  waitOptions(change, emit, scope.options.timeoutMs);
