/**
 * A token bucket as AWS documents its API throttling: `burst` tokens at most, refilled at `perSecond`
 * tokens a second, one token per request. Who waits for a token, and in what order, is the rate
 * limiter's business (rate-limiter.ts). Time is whatever clock the caller passes in, in milliseconds:
 * tests use a fake one.
 */

export interface BucketLimit {
  /** The bucket's capacity: requests allowed at once after a quiet spell. */
  burst: number;
  /** Tokens added per second: the sustained rate. */
  perSecond: number;
}

export class TokenBucket {
  readonly limit: BucketLimit;
  /** Tokens available at `#updatedAt`. */
  #tokens: number;
  #updatedAt: number;

  constructor(limit: BucketLimit, now: number) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0) || !Number.isFinite(limit.perSecond))
      throw new RangeError(`a token bucket needs burst >= 1 and perSecond > 0, got ${JSON.stringify(limit)}`);
    this.limit = limit;
    this.#tokens = limit.burst;
    this.#updatedAt = now;
  }

  /** Tokens available now. */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Takes one token, which must be there (tokens(now) >= 1). */
  take(now: number): void {
    this.#refill(now);
    if (this.#tokens < 1) throw new RangeError("a token was taken from an empty bucket");
    this.#tokens -= 1;
  }

  #refill(now: number): void {
    // A clock that steps back (a fake one reset by a test) adds nothing rather than removing tokens.
    const elapsedMs = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsedMs / 1000) * this.limit.perSecond);
    this.#updatedAt = Math.max(this.#updatedAt, now);
  }
}
