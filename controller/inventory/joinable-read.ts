/**
 * A read that callers arriving while it is under way share, each only when it was issued no earlier
 * than the caller needs: for a caller that must see AWS as it is since `notBefore` (a pass that began
 * then), a call made after that moment is as good as its own. What it saves: a fleet's passes that
 * each list every target group of the region (a direct read cannot know which old groups a service
 * left behind) make one listing between them while it is under way, not one each — during a
 * thousand services' convergence, the difference between one page set in flight and sixteen.
 */
export class JoinableRead<T> {
  readonly #now: () => number;
  #inFlight: { at: number; result: Promise<T> } | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The read under way if it was issued at or after `notBefore`, else `read()` issued now (and shared). */
  get(notBefore: number, read: () => Promise<T>): Promise<T> {
    const inFlight = this.#inFlight;
    if (inFlight && inFlight.at >= notBefore) return inFlight.result;
    const started = { at: this.#now(), result: read() };
    this.#inFlight = started;
    // Settled reads are never served again: the next caller issues its own.
    const forget = () => {
      if (this.#inFlight === started) this.#inFlight = undefined;
    };
    started.result.then(forget, forget);
    return started.result;
  }
}
