/**
 * Hands the memory V8 no longer uses back to the system. After a burst (a restart's first round, a
 * fleet's snapshot read at once), V8 keeps the heap pages it grew into resident in a pool for reuse,
 * and only its memory reducer releases them, which runs when the process goes idle: a daemon
 * resyncing a fleet never does. Measured at a thousand services, 30–40 MB of such pages stayed
 * resident for as long as the daemon ran. So when the process has grown well past its size after the
 * last release, a last-resort full GC (compaction, and the pool returned to the system) runs; at most
 * once a minute, each a pause of about 0.1–0.2 s at a thousand services.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = () => void;

export interface MemoryReleaseOptions {
  /** How often the process's size is looked at (ms). */
  checkEveryMs?: number;
  /** Growth past the size after the last release that is worth a release (bytes). */
  growthBytes?: number;
  /** The least time between two releases (ms). */
  minIntervalMs?: number;
  /** Resident set size now (bytes). */
  rss?: () => number;
  /** A last-resort full GC. */
  collect?: Collect;
  now?: () => number;
  onReleased?: (release: { fromBytes: number; toBytes: number; pauseMs: number }) => void;
}

const MiB = 2 ** 20;

/** V8's own GC entry point: the one exposed with --expose-gc, else exposed now (a flag V8 reads at any time). */
export function lastResortGc(): Collect {
  const exposed = (globalThis as { gc?: unknown }).gc;
  let gc = typeof exposed === "function" ? exposed : undefined;
  if (!gc) {
    setFlagsFromString("--expose-gc");
    // A new context gets the `gc` global the flag now exposes; this one was created before it.
    gc = runInNewContext("gc") as (options: unknown) => void;
  }
  const collect = gc as (options: unknown) => void;
  return () => collect({ type: "major", execution: "sync", flavor: "last-resort" });
}

export class MemoryRelease {
  readonly #checkEveryMs: number;
  readonly #growthBytes: number;
  readonly #minIntervalMs: number;
  readonly #rss: () => number;
  readonly #collect: Collect;
  readonly #now: () => number;
  readonly #onReleased: MemoryReleaseOptions["onReleased"];
  #baseline: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryReleaseOptions = {}) {
    this.#checkEveryMs = options.checkEveryMs ?? 30_000;
    this.#growthBytes = options.growthBytes ?? 20 * MiB;
    this.#minIntervalMs = options.minIntervalMs ?? 60_000;
    this.#rss = options.rss ?? (() => process.memoryUsage.rss());
    this.#collect = options.collect ?? lastResortGc();
    this.#now = options.now ?? (() => performance.now());
    this.#onReleased = options.onReleased;
    this.#baseline = this.#rss();
  }

  start(): void {
    this.#timer ??= setInterval(() => this.check(), this.#checkEveryMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Releases if the process grew enough since the last release and the last one is long enough ago. */
  check(): void {
    const fromBytes = this.#rss();
    if (fromBytes - this.#baseline < this.#growthBytes) return;
    if (this.#now() - this.#lastAt < this.#minIntervalMs) return;
    const started = this.#now();
    this.#collect();
    this.#lastAt = this.#now();
    // What the process holds once V8 has let go: what later growth is measured from.
    this.#baseline = this.#rss();
    this.#onReleased?.({ fromBytes, toBytes: this.#baseline, pauseMs: this.#lastAt - started });
  }
}
