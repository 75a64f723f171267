/**
 * The observe step of the kind contract: each kind's folder says how to read its part of a pass's
 * observation (found by name or ownership tag through `context.reads`, so the daemon's fleet
 * inventory can serve it; normalised away from SDK shapes; reads only), and which parts it needs
 * first (the listeners need the load balancer's ARN). The engine (engine/observe.ts) runs every part
 * as soon as what it needs is observed and assembles the observation without knowing any kind.
 */
import type { StackContext } from "../engine/context.ts";

/** One field of the observation: what the kind finds in AWS, given the parts it needs. */
export interface ObservationPart<Field extends string, Found, Needs extends Record<string, unknown>> {
  /** The observation's field it fills; what other parts name in `needs`. */
  readonly field: Field;
  /** The fields it reads from, observed before it. */
  readonly needs: readonly (keyof Needs & string)[];
  observe(context: StackContext, needed: Needs): Promise<Found>;
}

/** A part of any field, type or needs: what the engine runs (it passes each part what it needs). */
export type AnyObservationPart = ObservationPart<string, unknown, never>;

/** Declares a part, inferring its field, what it finds and what it needs from `observe`. */
export const observationPart = <
  Field extends string,
  Found,
  Needs extends Record<string, unknown> = Record<never, never>,
>(
  part: ObservationPart<Field, Found, Needs>,
): ObservationPart<Field, Found, Needs> => part;
