/**
 * Client-side rate limits: before each attempt of each AWS call, a token from every bucket AWS would
 * take one from (aws-rate-limits.ts), scaled below AWS's account limits. AWS throttles per account and
 * region, so one limiter serves every client of the process, and its buckets are keyed by region: a
 * thousand services share the same ECS "service read" bucket, as they do at AWS. A call waits its turn
 * (first come, first served) for a bounded time, or until its work is cancelled.
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

export class AwsRateLimiter {
  readonly #clock: RateLimiterClock;
  readonly #maxWaitMs: number;
  readonly #bucketsFor: (service: LimitedService, operation: string) => DocumentedBucket[];
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #observers = new Set<(wait: RateLimitWait) => void>();
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

  /** New limits from now on; buckets start full again. */
  configure(settings: RateLimitSettings): void {
    this.#settings = settings;
    this.#buckets.clear();
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
   * Waits until one call may be sent: a token from each of its buckets. Throws ClientRateLimitError
   * (reserving nothing) when that would take longer than the bound, or the signal's reason when the
   * call's work is cancelled while it waits (its tokens are given back). Resolves to the time waited.
   */
  async acquire(
    service: LimitedService,
    operation: string,
    region: string,
    signal?: AbortSignal,
  ): Promise<number> {
    const buckets = this.bucketsOf(service, operation, region);
    if (buckets.length === 0) return 0;
    const now = this.#clock.now();
    const wouldWait = Math.max(...buckets.map((bucket) => bucket.waitFor(now)));
    if (wouldWait > this.#maxWaitMs)
      throw new ClientRateLimitError(`${service}:${operation}`, wouldWait, this.#maxWaitMs);
    const waitMs = Math.max(...buckets.map((bucket) => bucket.reserve(now)));
    if (waitMs === 0) return 0;
    try {
      await this.#clock.sleep(waitMs, signal);
    } catch (error) {
      for (const bucket of buckets) bucket.cancel(this.#clock.now());
      throw signal?.aborted ? signal.reason : error;
    }
    for (const observer of this.#observers) {
      try {
        observer({ service, operation, seconds: waitMs / 1000 });
      } catch {
        // A metric that fails to count must not fail the call that waited.
      }
    }
    return waitMs;
  }
}

/** The limiter every client of this process shares (clients.ts), configured by the CLI's options. */
export const sharedRateLimiter = new AwsRateLimiter();
