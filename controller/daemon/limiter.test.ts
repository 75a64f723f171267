import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "./limiter.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ConcurrencyLimiter", () => {
  it("never runs more than its limit at once, and runs everything", async () => {
    const limiter = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const tasks = Array.from({ length: 5 }, (_, index) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate;
        running -= 1;
        return index;
      }),
    );
    await tick();
    expect(running).toBe(2);
    open();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it("refuses a limit below one", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
