import { describe, expect, it } from "vitest";
import { nextResyncDelayMs } from "./resync-schedule.ts";

describe("nextResyncDelayMs", () => {
  it("counts the interval from when the pass fell due, not from when it ended", () => {
    // Due at 1,000, ran until 4,000 (queued for a slot, then read AWS): the next is due at 31,000.
    expect(nextResyncDelayMs({ dueAt: 1_000, now: 4_000, resyncMs: 30_000, random: () => 0.999_999 })).toBe(
      27_000,
    );
  });

  it("jitters only downwards, by at most a tenth of the interval", () => {
    const delays = [0, 0.25, 0.5, 0.75, 0.999_999].map((value) =>
      nextResyncDelayMs({ dueAt: 0, now: 0, resyncMs: 30_000, random: () => value }),
    );
    expect(delays).toEqual([27_000, 27_750, 28_500, 29_250, 30_000]);
    for (let i = 0; i < 1_000; i += 1) {
      const delay = nextResyncDelayMs({ dueAt: 0, now: 0, resyncMs: 30_000 });
      expect(delay).toBeGreaterThanOrEqual(27_000);
      expect(delay).toBeLessThanOrEqual(30_000);
    }
  });

  it("rests a tenth of the interval, without catching up, after a pass that ran past the whole interval", () => {
    expect(nextResyncDelayMs({ dueAt: 0, now: 95_000, resyncMs: 30_000, random: () => 0.5 })).toBe(3_000);
    expect(nextResyncDelayMs({ dueAt: 0, now: 28_000, resyncMs: 30_000, random: () => 0 })).toBe(3_000);
  });
});
