/**
 * Runs at most `limit` passes at once (services reconcile in parallel, up to a limit). Waiting passes
 * are served by priority, in arrival order within a priority: a pass someone asked for (a spec that
 * changed, a service's first pass) goes ahead of the resyncs queued behind the slots, so an edit is
 * applied within seconds even while a large fleet resyncs. Overtaking is bounded: after
 * `maxOvertakes` urgent passes in a row while a resync waits, the oldest resync goes next, so a
 * stream of edits cannot starve the rest of the fleet.
 */

/** `urgent`: asked for (spec changed, first pass); `resync`: the periodic look, or a requeue. */
export type PassPriority = "urgent" | "resync";

/** Urgent passes served in a row while a resync waits, before that resync gets its turn. */
export const DEFAULT_MAX_OVERTAKES = 16;

export class ConcurrencyLimiter {
  readonly #limit: number;
  readonly #maxOvertakes: number;
  #running = 0;
  /** Urgent passes served in a row while a resync was waiting. */
  #overtakes = 0;
  readonly #waiting: Record<PassPriority, Array<() => void>> = { urgent: [], resync: [] };

  constructor(limit: number, maxOvertakes = DEFAULT_MAX_OVERTAKES) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
    if (!(maxOvertakes >= 1)) throw new RangeError(`maxOvertakes must be at least 1, got ${maxOvertakes}`);
    this.#limit = limit;
    this.#maxOvertakes = maxOvertakes;
  }

  /** Passes waiting for a slot, by priority. */
  get waiting(): Record<PassPriority, number> {
    return { urgent: this.#waiting.urgent.length, resync: this.#waiting.resync.length };
  }

  async run<T>(task: () => Promise<T>, priority: PassPriority = "resync"): Promise<T> {
    if (this.#running >= this.#limit)
      await new Promise<void>((resolve) => this.#waiting[priority].push(resolve));
    this.#running += 1;
    try {
      return await task();
    } finally {
      this.#running -= 1;
      this.#next()?.();
    }
  }

  #next(): (() => void) | undefined {
    const { urgent, resync } = this.#waiting;
    if (urgent.length > 0 && (resync.length === 0 || this.#overtakes < this.#maxOvertakes)) {
      this.#overtakes = resync.length > 0 ? this.#overtakes + 1 : 0;
      return urgent.shift();
    }
    this.#overtakes = 0;
    return resync.shift();
  }
}
