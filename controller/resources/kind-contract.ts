/**
 * The one contract every resource kind implements, in the spirit of crossplane-runtime's external
 * client: claim what was observed (ours, adoptable, or a conflict), plan its changes from a diff of
 * desired and observed (up to date, or create / update / replace / delete, and what is left in place
 * and why), and apply them through the kind's own create, update and delete. What it observes
 * (observation-part.ts) and how destroy removes it (kind-destroy.ts) complete the contract, each in
 * the kind's folder. The engine runs kinds through this contract alone; the stack lists them with
 * their dependencies.
 */
import type { StackContext } from "../engine/context.ts";
import type { Observation } from "../engine/observe.ts";
import type { OwnershipClaims } from "../engine/ownership-check.ts";
import {
  type Change,
  type HeldBack,
  KNOWN_AFTER_APPLY,
  type LeftInPlace,
  type PlanOptions,
  type Waiting,
} from "../engine/plan.ts";
import type { Refs } from "../engine/refs.ts";

/** What apply reports as it goes: each mutation before and after it happens. */
export type ApplyEvent =
  | { phase: "start" | "done"; change: Change }
  | { phase: "waiting"; change: Change; reason: string };

export type Emit = (event: ApplyEvent) => void;

/** What every kind sees of one pass: the spec, the observation, the operator's options and the claims. */
export interface PassScope {
  context: StackContext;
  observation: Observation;
  options: PlanOptions;
  /** Where a kind claims what it found; conflicts stop the pass once every kind has claimed. */
  claims: OwnershipClaims;
  /**
   * A decision drawn from this pass's observation (a claim, a target group transition), made once
   * and shared by every kind that needs it, whichever asks first.
   */
  decide<T>(decision: (scope: PassScope) => T): T;
}

/** One kind's part of the plan. */
export interface KindPlan {
  changes: Change[];
  /** References later kinds read while planning (an ARN, or KNOWN_AFTER_APPLY when created). */
  provides?: Partial<Refs>;
  /** What it leaves alone on purpose, and why. */
  skipped?: LeftInPlace[];
  /** Revisions of the spec it does not roll out. */
  heldBack?: HeldBack[];
  /** Steps a later pass takes, once AWS is ready for them. */
  waiting?: Waiting[];
}

/**
 * A resource kind. `claim` runs once per pass, before anything is planned, and may read other kinds'
 * decisions through `scope.decide`; `plan` and `apply` share their code (apply recomputes the change
 * with the references known by then), so the dry-run is the apply minus the mutations.
 */
export interface KindContract<Claimed> {
  /** Unique in the stack; what others name in `dependsOn`. */
  readonly id: string;
  /** Kinds whose references this one needs, or that must be applied before it. */
  readonly dependsOn: readonly string[];
  /** What was observed that this kind may manage (conflicts go to `scope.claims`), and what it decided from it. */
  claim(scope: PassScope): Claimed;
  /** The changes that would bring the claimed resources to the spec. */
  plan(claimed: Claimed, refs: Refs, scope: PassScope): KindPlan;
  /** Makes the planned changes; returns the references now known. */
  apply(claimed: Claimed, refs: Refs, scope: PassScope, emit: Emit): Promise<Partial<Refs>>;
}

/** A reference for later kinds: unknown until apply when the resource is created (or changes identity). */
export const provide = <K extends keyof Refs>(
  key: K,
  value: string | undefined,
  willChange: boolean,
): Partial<Refs> => ({
  [key]: willChange || value === undefined ? KNOWN_AFTER_APPLY : value,
});

/** Runs one mutation between its start and done events. */
export async function mutate<T>(change: Change, emit: Emit, action: () => Promise<T>): Promise<T> {
  emit({ phase: "start", change });
  const result = await action();
  emit({ phase: "done", change });
  return result;
}

/** How long apply waits for an expected condition (ENIs draining, a listener settling) per call. */
const EXPECTED_WAIT_MS = 10 * 60_000;

/** Retry options for a mutation that may meet an expected wait: each wait is reported against its change. */
export const waitOptions = (change: Change, emit: Emit, timeoutMs = EXPECTED_WAIT_MS) => ({
  timeoutMs,
  onWait: (error: unknown) => emit({ phase: "waiting", change, reason: (error as Error).message }),
});
