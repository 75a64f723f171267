import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import { PASSES_ON_DEMAND } from "../../test/support/worker-settings.ts";
import { ConcurrencyLimiter } from "./limiter.ts";
import { type PassTiming, ServiceWorker } from "./service-worker.ts";

const SAMPLE = new URL("../../service.yaml", import.meta.url);

describe("a pass's timing", () => {
  it("counts its wait for a concurrency slot apart from the pass itself", async () => {
    const limiter = new ConcurrencyLimiter(1);
    let release = () => {};
    // Another pass holds the only slot.
    const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const timings: PassTiming[] = [];
    const worker = new ServiceWorker(parseSpec(await readFile(SAMPLE, "utf8"), "service.yaml"), {
      log: pino({ level: "silent" }),
      limiter,
      settings: PASSES_ON_DEMAND,
      // No AWS: the pass fails at once, and its timing is reported all the same.
      clientsFor: async () => {
        throw new Error("no AWS in this test");
      },
      onReconciled: (_service, _outcome, timing) => timings.push(timing),
      onDrift: () => {},
    });
    try {
      worker.trigger("first pass");
      await waitFor("the pass to queue for the slot", () =>
        limiter.waiting.urgent === 1 ? true : undefined,
      );
      const queuedBy = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const releasedAt = performance.now();
      release();
      await held;
      await worker.firstPass;
      const endedBy = performance.now();

      expect(timings).toHaveLength(1);
      const [timing] = timings;
      expect(timing?.priority).toBe("urgent");
      // It queued before `queuedBy` and got the slot after `releasedAt`.
      expect((timing?.slotWaitSeconds ?? 0) * 1000).toBeGreaterThanOrEqual(releasedAt - queuedBy);
      // The pass itself began once the slot was free: its duration leaves the wait out.
      expect((timing?.seconds ?? Number.POSITIVE_INFINITY) * 1000).toBeLessThanOrEqual(endedBy - releasedAt);
      expect(worker.status().lastReconcile?.durationMs).toBeLessThanOrEqual(Math.ceil(endedBy - releasedAt));
    } finally {
      await worker.stop();
    }
  });
});
