/**
 * The slow tier of observation: attributes that drift rarely and matter little for safety (a target
 * group's deregistration delay and health-check settings, a log group's retention and existence) are
 * read at most once per `maxAgeMs` by a long-running daemon, not on every resync. Their worst-case
 * drift detection latency is therefore `maxAgeMs` plus one resync (see docs/freshness.md). An apply that
 * changes anything clears the tier, so what the controller itself wrote is read back on the next pass;
 * a failed read is not kept. `maxAgeMs` 0 (the CLI) reads every time. A refresh that is due may be put
 * off by the fleet's pace (slow-read-pace.ts): the value already read serves until a later pass.
 */
export class SlowReads {
  readonly maxAgeMs: number;
  readonly #now: () => number;
  readonly #kept = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(maxAgeMs = 0, now: () => number = () => performance.now()) {
    this.maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /**
   * `read()`'s value, from the tier when it was read less than `maxAgeMs` ago, or later when
   * `mayRefresh` (asked only once a refresh is due) says the fleet's slow reads are at their pace.
   */
  read<T>(key: string, read: () => Promise<T>, mayRefresh?: () => boolean): Promise<T> {
    const now = this.#now();
    const kept = this.#kept.get(key);
    if (kept && (now - kept.at < this.maxAgeMs || (mayRefresh && !mayRefresh())))
      return kept.value as Promise<T>;
    const value = read();
    if (this.maxAgeMs > 0) {
      const entry = { at: now, value };
      this.#kept.set(key, entry);
      value.catch(() => {
        if (this.#kept.get(key) === entry) this.#kept.delete(key);
      });
    }
    return value;
  }

  /** Forgets everything: the next read of every key goes to AWS. */
  clear(): void {
    this.#kept.clear();
  }

  get size(): number {
    return this.#kept.size;
  }
}
