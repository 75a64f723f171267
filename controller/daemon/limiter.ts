/**
 * Runs at most `limit` passes at once (services reconcile in parallel, up to a limit). Waiting passes
 * are served by priority, in arrival order within a priority:
 *
 * - `urgent`, a pass someone asked for (a spec that changed, a service added while the daemon runs),
 *   goes ahead of everything queued behind the slots, so an edit is applied within seconds even while
 *   a large fleet resyncs or a restarted daemon reads it for the first time. Overtaking is bounded:
 *   after `maxOvertakes` urgent passes in a row while others wait, one of the others goes next, so a
 *   stream of edits cannot starve the rest of the fleet.
 * - `first`, a service's first pass in this daemon (a restart's first round, services taken over from
 *   another replica), and `resync` share the slots: while both wait, first passes hold at most half of
 *   them. A thousand services' first round lasts minutes (their first reads wait for ELB's rate limit,
 *   holding their slots meanwhile); the half left keeps the services already read on their interval,
 *   so drift is still noticed during a restart, and the round still has slots enough to use every ELB
 *   call it may make. With nothing else waiting, either takes every slot.
 */

/** `urgent`: asked for (spec changed); `first`: a service's first pass; `resync`: the periodic look, or a requeue. */
export type PassPriority = "urgent" | "first" | "resync";

/** Urgent passes served in a row while others wait, before one of the others gets its turn. */
export const DEFAULT_MAX_OVERTAKES = 16;

/** A pass waiting for a slot, told which class it was served from. */
interface Waiter {
  priority: PassPriority;
  resolve: () => void;
}

/** What `run` tells a pass that has to wait for a slot. */
export interface SlotWait {
  /** Moves the pass up to `urgent` (its spec changed while it waited); a no-op once it has its slot. */
  promote(): void;
}

export class ConcurrencyLimiter {
  readonly #limit: number;
  readonly #maxOvertakes: number;
  /** The most slots first passes hold while resyncs wait for one. */
  readonly #firstShare: number;
  #running = 0;
  #runningFirst = 0;
  #lastHandoverAt = performance.now();
  /** Urgent passes served in a row while others waited. */
  #overtakes = 0;
  readonly #waiting: Record<PassPriority, Waiter[]> = { urgent: [], first: [], resync: [] };

  constructor(limit: number, maxOvertakes = DEFAULT_MAX_OVERTAKES) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
    if (!(maxOvertakes >= 1)) throw new RangeError(`maxOvertakes must be at least 1, got ${maxOvertakes}`);
    this.#limit = limit;
    this.#maxOvertakes = maxOvertakes;
    this.#firstShare = Math.max(1, Math.floor(limit / 2));
  }

  /** `performance.now()` when a pass last got a slot: while passes queue, the queue moves as long as this does. */
  get lastHandoverAt(): number {
    return this.#lastHandoverAt;
  }

  /** Passes waiting for a slot, by priority. */
  get waiting(): Record<PassPriority, number> {
    const { urgent, first, resync } = this.#waiting;
    return { urgent: urgent.length, first: first.length, resync: resync.length };
  }

  /**
   * Runs `task` once a slot is free, telling it the priority it was served as (a promoted pass is
   * `urgent`). `onWait` is called if it has to wait, with a way to move it up.
   */
  async run<T>(
    task: (servedAs: PassPriority) => Promise<T>,
    priority: PassPriority = "resync",
    onWait?: (wait: SlotWait) => void,
  ): Promise<T> {
    let servedAs = priority;
    if (this.#running >= this.#limit) {
      const waiter: Waiter = { priority, resolve: () => {} };
      const served = new Promise<void>((resolve) => {
        waiter.resolve = resolve;
      });
      this.#waiting[priority].push(waiter);
      onWait?.({ promote: () => this.#promote(waiter) });
      await served;
      servedAs = waiter.priority;
    } else {
      this.#take(priority);
    }
    try {
      return await task(servedAs);
    } finally {
      if (servedAs === "first") this.#runningFirst -= 1;
      this.#running -= 1;
      this.#serveNext();
    }
  }

  #promote(waiter: Waiter): void {
    const queue = this.#waiting[waiter.priority];
    const index = queue.indexOf(waiter);
    if (index < 0 || waiter.priority === "urgent") return;
    queue.splice(index, 1);
    waiter.priority = "urgent";
    this.#waiting.urgent.push(waiter);
  }

  /** Hands the slot just freed to the next waiter, if any: it counts as running from now, not from when it resumes. */
  #serveNext(): void {
    const waiter = this.#next();
    if (!waiter) return;
    this.#take(waiter.priority);
    waiter.resolve();
  }

  #take(priority: PassPriority): void {
    this.#lastHandoverAt = performance.now();
    this.#running += 1;
    if (priority === "first") this.#runningFirst += 1;
  }

  #next(): Waiter | undefined {
    const { urgent, first, resync } = this.#waiting;
    const othersWait = first.length > 0 || resync.length > 0;
    if (urgent.length > 0 && (!othersWait || this.#overtakes < this.#maxOvertakes)) {
      this.#overtakes = othersWait ? this.#overtakes + 1 : 0;
      return urgent.shift();
    }
    this.#overtakes = 0;
    if (first.length > 0 && (resync.length === 0 || this.#runningFirst < this.#firstShare))
      return first.shift();
    return resync.shift() ?? first.shift();
  }
}
