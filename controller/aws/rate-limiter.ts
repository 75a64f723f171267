/**
 * Client-side rate limits: before each attempt of each AWS call, a token from every bucket AWS would
 * take one from (aws-rate-limits.ts), scaled below AWS's account limits. AWS throttles per account and
 * region, so one limiter serves every client of the process, and its buckets are keyed by region: a
 * thousand services share the same ECS "service read" bucket, as they do at AWS. A call waits its turn
 * for a bounded time, or until its work is cancelled: first come, first served, except that an urgent
 * call (a spec edit's pass) goes ahead of routine ones (resyncs), so an edit is not stuck behind a
 * fleet's reads while the fleet uses the whole limit.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type DocumentedBucket, documentedBuckets, type LimitedService } from "./aws-rate-limits.ts";
import { TokenBucket } from "./token-bucket.ts";

/** How far below AWS's documented limits the controller stays: the rest is left to consoles and other tools. */
export const DEFAULT_RATE_LIMIT_SCALE = 0.8;

/** A call would wait longer than this for a token: it fails as throttled instead (the pass backs off). */
export const DEFAULT_MAX_WAIT_MS = 30_000;

export interface RateLimitSettings {
  /** A factor on every documented limit; 0 turns client-side limits off. */
  scale: number;
  /** A factor per AWS API, instead of `scale`. */
  perService?: Partial<Record<LimitedService, number>>;
  /**
   * Whether clients pointed at an explicit endpoint (the built-in emulator) are limited too. Off by
   * default: the emulator has no limits unless told to, and tests make bursts of calls on purpose.
   */
  limitExplicitEndpoints?: boolean;
}

export const DEFAULT_RATE_LIMIT_SETTINGS: RateLimitSettings = { scale: DEFAULT_RATE_LIMIT_SCALE };

export interface RateLimiterClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

const REAL_CLOCK: RateLimiterClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
};

/** Time one call spent waiting for tokens, for `ecs_converge_aws_rate_limit_wait_seconds_total`. */
export interface RateLimitWait {
  service: LimitedService;
  operation: string;
  seconds: number;
  /** Whether the call went in the urgent queue (a pass someone asked for). */
  urgent: boolean;
}

/** A call would have waited past the limiter's bound for a token: treated like AWS's own throttling. */
export class ClientRateLimitError extends Error {
  readonly operation: string;
  readonly waitMs: number;
  constructor(call: string, waitMs: number, maxWaitMs: number) {
    super(
      `${call} not sent: the client-side rate limit would hold it for ${Math.round(waitMs / 1000)} s (at most ${Math.round(maxWaitMs / 1000)} s)`,
    );
    this.name = "ClientRateLimitExceeded";
    this.operation = call;
    this.waitMs = waitMs;
  }
}

export interface AwsRateLimiterOptions {
  settings?: RateLimitSettings;
  clock?: RateLimiterClock;
  maxWaitMs?: number;
  /** Which buckets a call draws from; default: AWS's documented ones. */
  bucketsFor?: (service: LimitedService, operation: string) => DocumentedBucket[];
}

/** How a call waits: `urgent` ones (a spec edit's pass) go ahead of every routine one still waiting. */
export interface AcquireOptions {
  /** The call's work: cancelled while waiting, the call gives up its place. */
  signal?: AbortSignal | undefined;
  urgent?: boolean | undefined;
}

/** A call waiting for a token from each of its buckets. */
interface Waiter {
  readonly buckets: readonly TokenBucket[];
  readonly since: number;
  readonly grant: (waitedMs: number) => void;
}

export class AwsRateLimiter {
  readonly #clock: RateLimiterClock;
  readonly #maxWaitMs: number;
  readonly #bucketsFor: (service: LimitedService, operation: string) => DocumentedBucket[];
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #observers = new Set<(wait: RateLimitWait) => void>();
  /** Calls waiting, urgent ones first, each kind in the order it came. */
  readonly #waiting: Record<"urgent" | "routine", Waiter[]> = { urgent: [], routine: [] };
  /** Cancels the sleep until the first waiter's tokens exist, when the queue changes. */
  #wake: AbortController | undefined;
  #settings: RateLimitSettings;

  constructor(options: AwsRateLimiterOptions = {}) {
    this.#settings = options.settings ?? DEFAULT_RATE_LIMIT_SETTINGS;
    this.#clock = options.clock ?? REAL_CLOCK;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.#bucketsFor = options.bucketsFor ?? documentedBuckets;
  }

  get settings(): RateLimitSettings {
    return this.#settings;
  }

  /** New limits from now on; buckets start full again (calls already waiting are served at once). */
  configure(settings: RateLimitSettings): void {
    this.#settings = settings;
    this.#buckets.clear();
    for (const waiter of this.#takeAll()) waiter.grant(this.#clock.now() - waiter.since);
  }

  /** Tells `observer` every wait; returns the function that stops it. */
  onWait(observer: (wait: RateLimitWait) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** The scaled buckets one call of `operation` in `region` draws from (none when limits are off). */
  bucketsOf(service: LimitedService, operation: string, region: string): TokenBucket[] {
    const scale = this.#settings.perService?.[service] ?? this.#settings.scale;
    if (!(scale > 0)) return [];
    return this.#bucketsFor(service, operation).map((documented) => {
      const key = `${region}/${documented.name}`;
      let bucket = this.#buckets.get(key);
      if (!bucket) {
        bucket = new TokenBucket(
          // A bucket scaled below one token could never serve a call.
          { burst: Math.max(1, documented.burst * scale), perSecond: documented.perSecond * scale },
          this.#clock.now(),
        );
        this.#buckets.set(key, bucket);
      }
      return bucket;
    });
  }

  /**
   * Waits until one call may be sent: a token from each of its buckets, after every call ahead of it
   * that shares one of them (urgent calls before routine ones, each in the order they came). Throws
   * ClientRateLimitError (taking nothing) when that would take longer than the bound, or the signal's
   * reason when the call's work is cancelled while it waits. Resolves to the time waited.
   */
  async acquire(
    service: LimitedService,
    operation: string,
    region: string,
    options: AcquireOptions = {},
  ): Promise<number> {
    const buckets = this.bucketsOf(service, operation, region);
    if (buckets.length === 0) return 0;
    const { signal, urgent = false } = options;
    signal?.throwIfAborted();
    const now = this.#clock.now();
    const queue = urgent ? this.#waiting.urgent : this.#waiting.routine;
    let grant: (waitedMs: number) => void = () => {};
    const granted = new Promise<number>((resolve) => {
      grant = resolve;
    });
    const waiter: Waiter = { buckets, since: now, grant };
    queue.push(waiter);
    const wouldWait = this.#schedule(now).get(waiter) ?? 0;
    if (wouldWait > this.#maxWaitMs) {
      this.#remove(waiter);
      this.#dispatch();
      throw new ClientRateLimitError(`${service}:${operation}`, wouldWait, this.#maxWaitMs);
    }
    this.#dispatch();
    const cancelled = signal
      ? new Promise<never>((_, reject) => {
          const onAbort = () => {
            if (this.#remove(waiter)) this.#dispatch();
            reject(signal.reason);
          };
          signal.addEventListener("abort", onAbort, { once: true });
          void granted.then(() => signal.removeEventListener("abort", onAbort));
        })
      : undefined;
    const waitMs = await (cancelled ? Promise.race([granted, cancelled]) : granted);
    if (waitMs === 0) return 0;
    for (const observer of this.#observers) {
      try {
        observer({ service, operation, seconds: waitMs / 1000, urgent });
      } catch {
        // A metric that fails to count must not fail the call that waited.
      }
    }
    return waitMs;
  }

  /** Calls waiting now, by kind. */
  get waiting(): { urgent: number; routine: number } {
    return { urgent: this.#waiting.urgent.length, routine: this.#waiting.routine.length };
  }

  /**
   * When each waiter's tokens will exist, in queue order: a waiter needs one token from each bucket
   * beyond those owed to the waiters ahead of it that share the bucket. Milliseconds from `now`.
   */
  #schedule(now: number): Map<Waiter, number> {
    const owed = new Map<TokenBucket, number>();
    const waits = new Map<Waiter, number>();
    for (const waiter of [...this.#waiting.urgent, ...this.#waiting.routine]) {
      let waitMs = 0;
      for (const bucket of waiter.buckets) {
        const ahead = owed.get(bucket) ?? 0;
        owed.set(bucket, ahead + 1);
        const missing = ahead + 1 - bucket.tokens(now);
        if (missing > 0) waitMs = Math.max(waitMs, Math.ceil((missing / bucket.limit.perSecond) * 1000));
      }
      waits.set(waiter, waitMs);
    }
    return waits;
  }

  /** Serves every waiter whose tokens exist now, in order; sleeps until the next one's exist. */
  #dispatch(): void {
    this.#wake?.abort();
    this.#wake = undefined;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [waiter, waitMs] of this.#schedule(now)) {
      if (waitMs > 0) {
        next = Math.min(next, waitMs);
        continue;
      }
      // Its tokens exist beyond those owed to every waiter ahead: taking them delays none of those.
      for (const bucket of waiter.buckets) bucket.take(now);
      this.#remove(waiter);
      waiter.grant(now - waiter.since);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    const wake = new AbortController();
    this.#wake = wake;
    this.#clock.sleep(next, wake.signal).then(
      () => {
        if (this.#wake === wake) this.#dispatch();
      },
      () => {
        // Woken early: the queue changed and was dispatched again.
      },
    );
  }

  #remove(waiter: Waiter): boolean {
    for (const queue of [this.#waiting.urgent, this.#waiting.routine]) {
      const index = queue.indexOf(waiter);
      if (index >= 0) {
        queue.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  #takeAll(): Waiter[] {
    this.#wake?.abort();
    this.#wake = undefined;
    return [...this.#waiting.urgent.splice(0), ...this.#waiting.routine.splice(0)];
  }
}

/** The limiter every client of this process shares (clients.ts), configured by the CLI's options. */
export const sharedRateLimiter = new AwsRateLimiter();
