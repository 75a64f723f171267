/**
 * How fast the slow tier may re-read a fleet. Its per-resource reads (a target group's attributes, a
 * load balancer's listeners, a target group's health) do not batch: at a thousand services, reading
 * each every `--slow-resync` would take most of ELB's rate limit (10 calls a second per account), and
 * the resyncs' own reads, the ones safety depends on, would queue behind them. So a slow read that is
 * due is made only while the slow tier stays within its share of the operation's client-side limit;
 * past it, the value already read serves a little longer. The slow tier's age then grows with the
 * fleet (docs/freshness.md gives the figure), and the rest of the budget stays for every resync.
 *
 * A value never read is always read: pacing only ever delays a refresh.
 */
import type { LimitedService } from "../aws/aws-rate-limits.ts";
import type { AwsRateLimiter } from "../aws/rate-limiter.ts";
import { TokenBucket } from "../aws/token-bucket.ts";

/** The share of each client-side limit the slow tier's refreshes may take. */
export const SLOW_TIER_SHARE = 0.5;

export interface SlowReadPaceOptions {
  /** The share of each limit (default SLOW_TIER_SHARE). */
  share?: number;
  now?: () => number;
  /** Told each refresh put off (the daemon's `slow_reads_deferred_total`). */
  onDeferred?: (service: LimitedService, operation: string) => void;
}

export class SlowReadPace {
  readonly #limiter: AwsRateLimiter | undefined;
  readonly #region: string;
  readonly #share: number;
  readonly #now: () => number;
  readonly #onDeferred: ((service: LimitedService, operation: string) => void) | undefined;
  /** The slow tier's own bucket for each of the limiter's buckets, at `share` of its size and rate. */
  readonly #shares = new WeakMap<TokenBucket, TokenBucket>();

  /** `limiter`: the one the region's clients wait on (none: every refresh is made when due). */
  constructor(limiter: AwsRateLimiter | undefined, region: string, options: SlowReadPaceOptions = {}) {
    this.#limiter = limiter;
    this.#region = region;
    this.#share = options.share ?? SLOW_TIER_SHARE;
    this.#now = options.now ?? (() => performance.now());
    this.#onDeferred = options.onDeferred;
  }

  /**
   * Whether a due refresh by `operation` may be made now; when it may, it is counted against the slow
   * tier's share. It never waits: a refresh not made now is asked for again by a later pass.
   */
  mayRefresh(service: LimitedService, operation: string): boolean {
    const buckets = this.#limiter?.bucketsOf(service, operation, this.#region) ?? [];
    const now = this.#now();
    const shares = buckets.map((bucket) => this.#shareOf(bucket, now));
    if (shares.some((share) => share.tokens(now) < 1)) {
      this.#onDeferred?.(service, operation);
      return false;
    }
    for (const share of shares) share.take(now);
    return true;
  }

  #shareOf(bucket: TokenBucket, now: number): TokenBucket {
    let share = this.#shares.get(bucket);
    if (!share) {
      const { burst, perSecond } = bucket.limit;
      share = new TokenBucket(
        { burst: Math.max(1, burst * this.#share), perSecond: perSecond * this.#share },
        now,
      );
      this.#shares.set(bucket, share);
    }
    return share;
  }
}
