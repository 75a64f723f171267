/**
 * When each of many things next has something to do, in simulated time: a lifecycle asks for the
 * ones due by now and skips the rest, so a tick's work follows what happens rather than how much
 * exists. A binary min-heap of (time, item); each item has at most one live due time, the earliest
 * it was woken for, and entries superseded by an earlier wake or taken are dropped when they surface.
 */

interface Entry<T> {
  at: number;
  item: T;
}

export class DueQueue<T> {
  readonly #heap: Entry<T>[] = [];
  /** Each waiting item's live due time: a heap entry for another time is stale. */
  readonly #dueAt = new Map<T, number>();

  /** How many items are waiting. */
  get size(): number {
    return this.#dueAt.size;
  }

  /** The item's due time, if it waits. */
  dueAt(item: T): number | undefined {
    return this.#dueAt.get(item);
  }

  /** Makes `item` due at `at`, unless it is already due earlier. Infinity (never) is not kept. */
  wake(item: T, at: number): void {
    if (!(at < Number.POSITIVE_INFINITY)) return;
    const current = this.#dueAt.get(item);
    if (current !== undefined && current <= at) return;
    this.#dueAt.set(item, at);
    this.#push({ at, item });
  }

  /** Stops waiting for `item` (e.g. it was deleted). */
  forget(item: T): void {
    this.#dueAt.delete(item);
  }

  /** Every item due at or before `now`, earliest first; they no longer wait. */
  takeDue(now: number): T[] {
    const due: T[] = [];
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.at > now) break;
      this.#pop();
      if (this.#dueAt.get(top.item) !== top.at) continue;
      this.#dueAt.delete(top.item);
      due.push(top.item);
    }
    // Stale entries pile up when items are woken earlier again and again: rebuild when they dominate.
    if (this.#heap.length > 64 && this.#heap.length > 4 * this.#dueAt.size) this.#rebuild();
    return due;
  }

  /** The earliest due time of any waiting item (Infinity when none). */
  nextDueAt(): number {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Entry<T>;
      if (this.#dueAt.get(top.item) === top.at) return top.at;
      this.#pop();
    }
    return Number.POSITIVE_INFINITY;
  }

  #rebuild(): void {
    this.#heap.length = 0;
    for (const [item, at] of this.#dueAt) this.#push({ at, item });
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as Entry<T>).at <= entry.at) break;
      heap[index] = heap[parent] as Entry<T>;
      index = parent;
    }
    heap[index] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as Entry<T>).at < (heap[left] as Entry<T>).at ? right : left;
      if ((heap[child] as Entry<T>).at >= last.at) break;
      heap[index] = heap[child] as Entry<T>;
      index = child;
    }
    heap[index] = last;
  }
}
