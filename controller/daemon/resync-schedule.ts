/**
 * When a service in sync is next re-read. Fixed-rate, from when its last pass fell due rather than from
 * when it ended: a pass that ran or queued for a concurrency slot a long time does not push every
 * later one back, so a fleet's full resync fits in the interval (`--resync`) as long as the daemon
 * keeps up. The jitter only shortens the wait, by at most a tenth: services that became due together
 * drift apart, and none falls due later than one interval after the last.
 */
export interface ResyncClock {
  /** When the pass that just ended fell due (ms, same clock as `now`). */
  dueAt: number;
  now: number;
  resyncMs: number;
  /** A number in [0, 1): `Math.random` unless a test fixes it. */
  random?: () => number;
}

/** The delay (ms) before the next resync pass. */
export function nextResyncDelayMs({ dueAt, now, resyncMs, random = Math.random }: ResyncClock): number {
  const interval = resyncMs * (0.9 + 0.1 * random());
  // A pass that ran (or queued) nearly the whole interval or longer: a tenth of the interval's rest,
  // so that one slow service never reads AWS back to back, and no catching up on passes missed.
  return Math.round(Math.max(resyncMs / 10, dueAt + interval - now));
}
