import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter, type PassPriority } from "./limiter.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A task that runs until `open` is called, recording when it started. */
function gated(started: string[], name: string) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    task: async () => {
      started.push(name);
      await gate;
      return name;
    },
    open: () => open(),
  };
}

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

  it("reconciles a spec that changed before the resyncs already queued, in arrival order within each", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const started: string[] = [];
    const busy = gated(started, "busy");
    const passes: Array<Promise<string>> = [limiter.run(busy.task, "resync")];
    const queued: Array<[string, PassPriority]> = [
      ...Array.from({ length: 20 }, (_, index): [string, PassPriority] => [`resync-${index}`, "resync"]),
      ["edited", "urgent"],
      ["new-service", "urgent"],
    ];
    for (const [name, priority] of queued)
      passes.push(
        limiter.run(async () => {
          started.push(name);
          return name;
        }, priority),
      );
    await tick();
    expect(limiter.waiting).toEqual({ urgent: 2, resync: 20 });
    busy.open();
    await Promise.all(passes);
    expect(started.slice(0, 4)).toEqual(["busy", "edited", "new-service", "resync-0"]);
    expect(started.slice(3)).toEqual(Array.from({ length: 20 }, (_, index) => `resync-${index}`));
  });

  it("lets a waiting resync through after a bounded run of urgent passes", async () => {
    const limiter = new ConcurrencyLimiter(1, 2);
    const started: string[] = [];
    const busy = gated(started, "busy");
    const passes: Array<Promise<unknown>> = [limiter.run(busy.task)];
    passes.push(limiter.run(async () => started.push("resync"), "resync"));
    for (let index = 0; index < 4; index++)
      passes.push(limiter.run(async () => started.push(`urgent-${index}`), "urgent"));
    await tick();
    busy.open();
    await Promise.all(passes);
    expect(started).toEqual(["busy", "urgent-0", "urgent-1", "resync", "urgent-2", "urgent-3"]);
  });

  it("refuses a limit below one", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
