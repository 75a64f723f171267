/**
 * What one folder under resources/ adds to a service's stack: the parts of the observation it reads,
 * its kinds, and how destroy removes them. The stack lists folders, not kinds, so a kind added to a
 * folder is one line in that folder, and a new folder is one line in the stack.
 */
import type { AnyKind } from "../engine/kind-graph.ts";
import type { KindDestroy } from "./kind-destroy.ts";
import type { AnyObservationPart } from "./observation-part.ts";

/**
 * A folder's declaration. Its parts are typed in full (`KindFolder<typeof observe>`, with `observe` a
 * tuple declared `as const` beside it): the observation's type is built from them, and kinds read that
 * type, so the folder's type must not be inferred from its kinds.
 */
export interface KindFolder<Parts extends readonly AnyObservationPart[]> {
  /** What it reads of AWS, one part per field of the observation. */
  readonly observe: Parts;
  /** Its kinds, in the order plans list them; each after the kinds (of any folder) it depends on. */
  readonly kinds: readonly AnyKind[];
  /**
   * Kinds that delete what the spec no longer needs (a retired target group, a superseded revision).
   * Plans list them after every folder's `kinds`: a resource goes only once what replaced it is in use.
   */
  readonly cleanup?: readonly AnyKind[];
  /** How destroy removes its resources, in the order destroy lists them. */
  readonly destroy: readonly KindDestroy[];
}
