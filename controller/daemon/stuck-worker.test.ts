/**
 * The watchdog's view of one worker (`stuck`), which `/healthz` turns into a 503: a queue for slots
 * that moves is not a stuck worker, a pass that holds its slot too long is. Times are given to
 * `stuck(now)` as a moment in the future, so nothing here waits for the watchdog's time to pass.
 */
import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import { PASSES_ON_DEMAND } from "../../test/support/worker-settings.ts";
import { ConcurrencyLimiter } from "./limiter.ts";
import { ServiceWorker } from "./service-worker.ts";

const SAMPLE = new URL("../../service.yaml", import.meta.url);
const STUCK_AFTER_MS = PASSES_ON_DEMAND.stuckAfterMs;

/** A task that holds its slot until `release` is called. */
function holder() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { task: () => gate, release: () => release() };
}

/** A worker whose passes wait at `clientsFor` until the gate opens, then fail (no AWS here). */
async function gatedWorker(limiter: ConcurrencyLimiter) {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const worker = new ServiceWorker(parseSpec(await readFile(SAMPLE, "utf8"), "service.yaml"), {
    log: pino({ level: "silent" }),
    limiter,
    settings: PASSES_ON_DEMAND,
    clientsFor: async () => {
      await gate;
      throw new Error("no AWS in this test");
    },
    onReconciled: () => {},
    onDrift: () => {},
  });
  return { worker, open: () => open() };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a worker's watchdog", () => {
  it("does not count a wait for a slot while the queue moves, and does once no slot is handed over", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = holder();
    const held = limiter.run(first.task);
    const next = holder();
    // Another pass queued ahead: it gets the slot that frees, this worker stays queued.
    const queuedAhead = limiter.run(next.task, "first");
    const { worker, open } = await gatedWorker(limiter);
    try {
      worker.trigger("first pass");
      await waitFor("the pass to queue", () => (limiter.waiting.first === 2 ? true : undefined));
      await pause(20);
      first.release();
      await held;
      await waitFor("the slot to be handed over", () => (limiter.waiting.first === 1 ? true : undefined));
      const handedOverAt = limiter.lastHandoverAt;

      // Past the watchdog's time since the pass fell due, but not since the queue last moved.
      expect(worker.stuck(handedOverAt + STUCK_AFTER_MS - 1)).toBeUndefined();
      // The queue has not moved for longer than the watchdog's time: stuck, waiting for a slot.
      expect(worker.stuck(handedOverAt + STUCK_AFTER_MS + 1)).toMatchObject({
        waitingFor: "a concurrency slot",
      });
      expect(worker.stuck(handedOverAt + STUCK_AFTER_MS + 1)?.forMs).toBeGreaterThan(STUCK_AFTER_MS);
    } finally {
      next.release();
      await queuedAhead;
      open();
      await worker.stop();
    }
  });

  it("counts a pass holding its slot from when it got it", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = holder();
    const held = limiter.run(first.task);
    const { worker, open } = await gatedWorker(limiter);
    try {
      worker.trigger("first pass");
      await waitFor("the pass to queue", () => (limiter.waiting.first === 1 ? true : undefined));
      await pause(20);
      first.release();
      await held;
      await waitFor("the pass to hold the slot", () => (limiter.waiting.first === 0 ? true : undefined));
      const gotSlotBy = performance.now();

      // Its wait for the slot does not count against the pass.
      expect(worker.stuck(limiter.lastHandoverAt + STUCK_AFTER_MS - 1)).toBeUndefined();
      expect(worker.stuck(gotSlotBy + STUCK_AFTER_MS + 1)).toMatchObject({
        waitingFor: "its reconcile pass",
      });
    } finally {
      open();
      await worker.stop();
    }
  });
});
