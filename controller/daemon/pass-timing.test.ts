import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { convergeThroughPasses } from "../../test/support/converge.ts";
import { useEmulatedAws } from "../../test/support/emulated-aws.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import { PASSES_ON_DEMAND } from "../../test/support/worker-settings.ts";
import { createAwsClients, destroyAwsClients } from "../aws/clients.ts";
import { ConcurrencyLimiter } from "./limiter.ts";
import { type PassTiming, ServiceWorker } from "./service-worker.ts";

const SAMPLE = new URL("../../service.yaml", import.meta.url);

const aws = useEmulatedAws();

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
      await waitFor("the pass to queue for the slot", () => (limiter.waiting.first === 1 ? true : undefined));
      const queuedBy = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const releasedAt = performance.now();
      release();
      await held;
      await worker.firstPass;
      const endedBy = performance.now();

      expect(timings).toHaveLength(1);
      const [timing] = timings;
      // The first pass of a service the daemon starts with goes with the first round.
      expect(timing?.priority).toBe("first");
      // It queued before `queuedBy` and got the slot after `releasedAt`.
      expect((timing?.slotWaitSeconds ?? 0) * 1000).toBeGreaterThanOrEqual(releasedAt - queuedBy);
      // The pass itself began once the slot was free: its duration leaves the wait out.
      expect((timing?.seconds ?? Number.POSITIVE_INFINITY) * 1000).toBeLessThanOrEqual(endedBy - releasedAt);
      expect(worker.status().lastReconcile?.durationMs).toBeLessThanOrEqual(Math.ceil(endedBy - releasedAt));
    } finally {
      await worker.stop();
    }
  });

  it("is urgent once the spec changes while it waits for a slot, and goes ahead of the first round", async () => {
    const limiter = new ConcurrencyLimiter(1);
    let release = () => {};
    const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const order: string[] = [];
    // Another service's first pass queued ahead of this one.
    const other = limiter.run(async () => {
      order.push("other");
    }, "first");
    const timings: PassTiming[] = [];
    const loaded = parseSpec(await readFile(SAMPLE, "utf8"), "service.yaml");
    const worker = new ServiceWorker(loaded, {
      log: pino({ level: "silent" }),
      limiter,
      settings: PASSES_ON_DEMAND,
      clientsFor: async () => {
        order.push("edited");
        throw new Error("no AWS in this test");
      },
      onReconciled: (_service, _outcome, timing) => timings.push(timing),
      onDrift: () => {},
    });
    try {
      worker.trigger("first pass");
      await waitFor("the pass to queue for the slot", () => (limiter.waiting.first === 2 ? true : undefined));
      worker.setSpec(loaded);
      expect(limiter.waiting).toEqual({ urgent: 1, first: 1, resync: 0 });
      release();
      await Promise.all([held, other, worker.firstPass]);
      expect(order.slice(0, 2)).toEqual(["edited", "other"]);
      expect(timings[0]?.priority).toBe("urgent");
    } finally {
      await worker.stop();
    }
  });

  it("dates the service's last read from when its pass began reading, not from its wait for a slot", async () => {
    const loaded = parseSpec(await readFile(SAMPLE, "utf8"), "service.yaml");
    await convergeThroughPasses(aws.clients, loaded.spec);
    const limiter = new ConcurrencyLimiter(1);
    const clients = createAwsClients({ region: "us-east-1", endpoint: aws.emulator.url, maxAttempts: 3 });
    const outcomes: string[] = [];
    const worker = new ServiceWorker(loaded, {
      log: pino({ level: "silent" }),
      limiter,
      settings: PASSES_ON_DEMAND,
      clientsFor: async () => clients,
      onReconciled: (_service, outcome) => outcomes.push(outcome.kind),
      onDrift: () => {},
    });
    const pass = async (reason: string, whileQueued: () => Promise<void> = async () => {}) => {
      const seen = outcomes.length;
      worker.trigger(reason);
      await whileQueued();
      await waitFor("the pass to end", () => (outcomes.length > seen ? true : undefined));
      return outcomes.at(-1);
    };
    try {
      // Until a pass finds the service in sync: its tasks may still be starting after it converged.
      await waitFor("a pass in sync", async () =>
        (await pass("steady yet?")) === "synced" ? true : undefined,
      );
      let release = () => {};
      const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
      let releasedAt = 0;
      const outcome = await pass("resync", async () => {
        await waitFor("the pass to queue for the slot", () =>
          limiter.waiting.resync === 1 ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        releasedAt = performance.now();
        release();
        await held;
      });
      expect(outcome).toBe("synced");
      // The view it holds is from its reads, which began once it had the slot.
      expect(worker.syncedSince()).toBeGreaterThanOrEqual(releasedAt);
    } finally {
      await worker.stop();
      destroyAwsClients(clients);
    }
  });
});
