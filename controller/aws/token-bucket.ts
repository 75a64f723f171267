/**
 * A token bucket as AWS documents its API throttling: `burst` tokens at most, refilled at `perSecond`
 * tokens a second, one token per request. Callers reserve a token and wait until it exists, so waiting
 * callers are served in the order they asked (a later caller never overtakes an earlier one). Time is
 * whatever clock the caller passes in, in milliseconds: tests use a fake one.
 */

export interface BucketLimit {
  /** The bucket's capacity: requests allowed at once after a quiet spell. */
  burst: number;
  /** Tokens added per second: the sustained rate. */
  perSecond: number;
}

export class TokenBucket {
  readonly limit: BucketLimit;
  /** Tokens available at `#updatedAt`; negative while callers wait for tokens they have reserved. */
  #tokens: number;
  #updatedAt: number;

  constructor(limit: BucketLimit, now: number) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0) || !Number.isFinite(limit.perSecond))
      throw new RangeError(`a token bucket needs burst >= 1 and perSecond > 0, got ${JSON.stringify(limit)}`);
    this.limit = limit;
    this.#tokens = limit.burst;
    this.#updatedAt = now;
  }

  /** Tokens available now (negative: owed to callers already waiting). */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** How long a reservation made now would wait, without making it. */
  waitFor(now: number): number {
    this.#refill(now);
    return this.#waitAfterTaking(this.#tokens - 1);
  }

  /** Reserves one token and returns how many milliseconds until it exists (0: at once). */
  reserve(now: number): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#waitAfterTaking(this.#tokens);
  }

  /** Gives back a reserved token that will not be used (its caller gave up waiting). */
  cancel(now: number): void {
    this.#refill(now);
    this.#tokens = Math.min(this.limit.burst, this.#tokens + 1);
  }

  #waitAfterTaking(tokens: number): number {
    return tokens >= 0 ? 0 : Math.ceil((-tokens / this.limit.perSecond) * 1000);
  }

  #refill(now: number): void {
    // A clock that steps back (a fake one reset by a test) adds nothing rather than removing tokens.
    const elapsedMs = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsedMs / 1000) * this.limit.perSecond);
    this.#updatedAt = Math.max(this.#updatedAt, now);
  }
}
