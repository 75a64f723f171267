/**
 * Simulated time. The emulator's lifecycles (an ALB provisioning, a task booting, a target turning
 * healthy) run on a Clock: a manual one that tests advance deterministically, or real time sped up
 * for demos, so a three-minute ALB provisioning can take three seconds.
 */

export interface Clock {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Jumps simulated time forward. */
  advance(ms: number): void;
  /** Whether time moves by itself (then the emulator steps its world on a timer). */
  readonly automatic: boolean;
}

/** A fixed start, so state dumps and ids of tests do not depend on the day they run. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Time that moves only when told to. */
export class ManualClock implements Clock {
  readonly automatic = false;
  #now: number;

  constructor(start = DEFAULT_EPOCH_MS) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.#now += ms;
  }
}

/** Real time multiplied by `speed` (1 = real time, 60 = a minute per second). */
export class ScaledClock implements Clock {
  readonly automatic = true;
  readonly speed: number;
  readonly #realStart = performance.now();
  readonly #simulatedStart: number;
  #offset = 0;

  constructor(speed: number, start = Date.now()) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be positive, got ${speed}`);
    this.speed = speed;
    this.#simulatedStart = start;
  }

  now(): number {
    return Math.floor(
      this.#simulatedStart + (performance.now() - this.#realStart) * this.speed + this.#offset,
    );
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.#offset += ms;
  }
}
