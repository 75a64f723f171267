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
    expect(limiter.waiting).toEqual({ urgent: 2, first: 0, resync: 20 });
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

  it("takes every slot for a first round alone, and at most half of them while resyncs wait", async () => {
    const limiter = new ConcurrencyLimiter(4);
    const started: string[] = [];
    const running = new Map<string, () => void>();
    const pass = (name: string, priority: PassPriority) =>
      limiter.run(() => {
        started.push(name);
        return new Promise<void>((resolve) => running.set(name, resolve));
      }, priority);
    const finish = async (name: string) => {
      running.get(name)?.();
      running.delete(name);
      await tick();
    };
    const passes = Array.from({ length: 8 }, (_, index) => pass(`first-${index}`, "first"));
    await tick();
    expect([...running.keys()]).toEqual(["first-0", "first-1", "first-2", "first-3"]);
    passes.push(pass("resync-0", "resync"), pass("resync-1", "resync"), pass("resync-2", "resync"));
    await tick();
    // Resyncs wait: the slots first passes free go to them until first passes hold only half.
    await finish("first-0");
    await finish("first-1");
    expect([...running.keys()]).toEqual(["first-2", "first-3", "resync-0", "resync-1"]);
    await finish("first-2");
    expect([...running.keys()]).toEqual(["first-3", "resync-0", "resync-1", "first-4"]);
    await finish("resync-0");
    expect([...running.keys()]).toEqual(["first-3", "resync-1", "first-4", "resync-2"]);
    // No resync waits any more: the first round takes the slots that free up.
    await finish("resync-1");
    await finish("resync-2");
    expect([...running.keys()]).toEqual(["first-3", "first-4", "first-5", "first-6"]);
    for (const name of ["first-3", "first-4", "first-5", "first-6"]) await finish(name);
    await finish("first-7");
    await Promise.all(passes);
    expect(started).toHaveLength(11);
  });

  it("serves an edit ahead of a first round, and one promoted while it waited", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const started: string[] = [];
    const busy = gated(started, "busy");
    const passes: Array<Promise<unknown>> = [limiter.run(busy.task, "first")];
    let promoteEdited: (() => void) | undefined;
    for (let index = 0; index < 5; index++) {
      const name = `first-${index}`;
      passes.push(
        limiter.run(
          async () => started.push(name),
          "first",
          (wait) => {
            if (index === 3) promoteEdited = () => wait.promote();
          },
        ),
      );
    }
    passes.push(limiter.run(async () => started.push("added"), "urgent"));
    await tick();
    promoteEdited?.();
    expect(limiter.waiting).toEqual({ urgent: 2, first: 4, resync: 0 });
    busy.open();
    await Promise.all(passes);
    expect(started).toEqual(["busy", "added", "first-3", "first-0", "first-1", "first-2", "first-4"]);
  });

  it("refuses a limit below one", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
