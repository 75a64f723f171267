/**
 * Crossplane-style conditions: each service is Ready (its rollout is stable), Synced (AWS matches its
 * spec) and possibly Degraded (its rollout failed or its reconciles fail), each with a reason and a
 * message, and the time it last changed.
 */

export type ConditionType = "Ready" | "Synced" | "Degraded";
export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** Holds the three conditions; `set` keeps the transition time when the status does not change. */
export class Conditions {
  readonly #conditions = new Map<ConditionType, Condition>();

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
    for (const type of ["Ready", "Synced", "Degraded"] as const) {
      this.#conditions.set(type, {
        type,
        status: "Unknown",
        reason: "Pending",
        message: "not reconciled yet",
        lastTransitionTime: now().toISOString(),
      });
    }
  }

  readonly #now: () => Date;

  set(type: ConditionType, status: ConditionStatus, reason: string, message = ""): void {
    const previous = this.#conditions.get(type);
    const lastTransitionTime =
      previous && previous.status === status ? previous.lastTransitionTime : this.#now().toISOString();
    this.#conditions.set(type, { type, status, reason, message, lastTransitionTime });
  }

  get(type: ConditionType): Condition | undefined {
    return this.#conditions.get(type);
  }

  list(): Condition[] {
    return [...this.#conditions.values()];
  }
}
