/**
 * Ownership decides what the controller may touch. A resource holding one of our names without our
 * tags is never changed: planning stops with an error naming it, unless the spec opts into adoption
 * (`metadata.adopt: true`), in which case it is tagged and then managed like one of ours.
 */
import { type Ownership, SERVICE_TAG } from "../ownership.ts";
import { NOT_OURS, type ResourceKind } from "./plan.ts";

export interface OwnershipConflict {
  resource: ResourceKind;
  name: string;
  id: string;
  ownership: Exclude<Ownership, "ours">;
}

export class OwnershipConflictError extends Error {
  readonly conflicts: readonly OwnershipConflict[];

  constructor(conflicts: readonly OwnershipConflict[]) {
    super(
      conflicts
        .map(
          (conflict) =>
            `${conflict.resource} ${conflict.name} (${conflict.id}) exists but is ${conflict.ownership === "unowned" ? "not managed by ecs-converge" : "managed for another service"}`,
        )
        .join("; "),
    );
    this.name = "OwnershipConflictError";
    this.conflicts = conflicts;
  }
}

/** Collects conflicts while the stack claims what it found. */
export class OwnershipClaims {
  readonly #adopt: boolean;
  /** Set once every kind has claimed: a conflict found later (a claim made while planning) throws at once. */
  #settled = false;
  readonly conflicts: OwnershipConflict[] = [];

  constructor(adopt: boolean) {
    this.#adopt = adopt;
  }

  /** The resource, if the controller may manage it; otherwise records a conflict and returns undefined. */
  claim<T extends { ownership: Ownership }>(
    found: T | undefined,
    resource: ResourceKind,
    name: string,
    id: (found: T) => string,
  ): T | undefined {
    if (!found || found.ownership === "ours") return found;
    if (this.#adopt && found.ownership === "unowned") return found;
    this.conflicts.push({ resource, name, id: id(found), ownership: found.ownership });
    if (this.#settled) this.assertNone();
    return undefined;
  }

  /** Throws when anything we need is held by someone else. */
  assertNone(): void {
    this.#settled = true;
    if (this.conflicts.length > 0) throw new OwnershipConflictError(this.conflicts);
  }
}

/** Why a resource that is not ours is left in place, naming its owner when another service has it. */
export function notOursReason(found: { ownership: Ownership; tags?: Record<string, string> }): string {
  const owner = found.tags?.[SERVICE_TAG];
  return found.ownership === "another-service" && owner
    ? `owned by ecs-converge service ${owner}: left in place`
    : NOT_OURS;
}
