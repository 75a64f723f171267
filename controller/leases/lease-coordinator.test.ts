/**
 * Leases between replicas, on the emulator's DynamoDB, with each replica's clock driven by the test:
 * fair shares, expiry judged only by the observer's own clock, hand-back on stop, and a write gate that
 * closes before a lease can move. Assertions read the lease table and the replicas' holdings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, ScaledClock, startEmulator } from "../../emulator/index.ts";
import { MutationRefusedError } from "../aws/call-guard.ts";
import { createLogger } from "../daemon/logger.ts";
import { DynamoDbLeaseStore } from "./dynamodb-lease-store.ts";
import { LeaseCoordinator } from "./lease-coordinator.ts";
import type { Lease, LeaseStore } from "./lease-store.ts";

const LEASE_MS = 10_000;
const RENEW_MS = 2_000;
const WRITE_WINDOW_MS = 3_000;

let emulator: Emulator;
let table = 0;
const stores: DynamoDbLeaseStore[] = [];

beforeAll(async () => {
  // The emulator's clock only makes the new table ACTIVE soon; each replica's own clock is the test's.
  emulator = await startEmulator({ port: 0, clock: new ScaledClock(600) });
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await emulator?.close();
});
beforeEach(() => {
  table += 1;
});

/** A replica: a coordinator with its own clock (which may read anything: only intervals matter). */
class Replica {
  readonly coordinator: LeaseCoordinator;
  readonly managing = new Set<string>();
  readonly lost: string[] = [];
  /** What stop and hand-back waited for, by this replica's clock. */
  readonly slept: number[] = [];
  clock: number;

  constructor(
    id: string,
    services: string[],
    startClock = 0,
    wrap: (store: LeaseStore) => LeaseStore = (store) => store,
  ) {
    this.clock = startClock;
    const store = new DynamoDbLeaseStore({
      region: "us-east-1",
      table: `leases-${table}`,
      endpoint: emulator.url,
      maxAttempts: 1,
    });
    stores.push(store);
    this.coordinator = new LeaseCoordinator({
      store: wrap(store),
      replicaId: id,
      leaseDurationMs: LEASE_MS,
      renewIntervalMs: RENEW_MS,
      writeWindowMs: WRITE_WINDOW_MS,
      log: createLogger({ level: "silent" }),
      services: () => services,
      onAcquired: (service) => this.managing.add(service),
      onLost: (service) => {
        this.managing.delete(service);
        this.lost.push(service);
      },
      beforeRelease: async (service) => {
        this.managing.delete(service);
      },
      now: () => this.clock,
      sleep: async (ms) => {
        this.slept.push(ms);
        this.clock += ms;
      },
    });
  }

  async start(): Promise<this> {
    await this.coordinator.start();
    return this;
  }

  /** Lets `ms` pass on this replica's clock, then runs a round. */
  async after(ms: number): Promise<void> {
    this.clock += ms;
    await this.coordinator.round();
  }
}

/** Who holds each service's lease, from the table itself. */
async function owners(replica: Replica): Promise<Record<string, string | undefined>> {
  await replica.coordinator.round();
  return Object.fromEntries(
    replica.coordinator.snapshot().leases.map((lease) => [lease.service, lease.owner]),
  );
}

const SERVICES = ["api", "billing", "checkout", "search", "web"];

describe("LeaseCoordinator", () => {
  it("gives one replica every lease, then shares them fairly with a second without ever two holders", async () => {
    const a = await new Replica("a", SERVICES).start();
    expect([...a.managing].sort()).toEqual(SERVICES);

    const b = await new Replica("b", SERVICES).start();
    // a sees b, hands back its surplus once those services have stopped, and b takes it.
    for (let round = 0; round < 4; round++) {
      await a.after(RENEW_MS);
      await b.after(RENEW_MS);
      // At no moment is a service managed by both.
      for (const service of SERVICES) expect(a.managing.has(service) && b.managing.has(service)).toBe(false);
    }
    expect(a.managing.size + b.managing.size).toBe(SERVICES.length);
    expect([a.managing.size, b.managing.size].sort()).toEqual([2, 3]);
    const table = await owners(a);
    for (const service of SERVICES) expect(table[service]).toBe(a.managing.has(service) ? "a" : "b");
    await Promise.all([a.coordinator.stop(), b.coordinator.stop()]);
  });

  it("takes a silent replica's leases only after a whole lease duration by the taker's own clock", async () => {
    const a = await new Replica("a", SERVICES).start();
    // b's clock reads something wildly different: only the time it has itself seen pass counts.
    const b = await new Replica("b", SERVICES, 9_000_000_000).start();
    expect(b.managing.size).toBe(0);

    // a stops renewing (paused or killed). Just under a lease duration later b still takes nothing.
    await b.after(LEASE_MS - RENEW_MS);
    expect(b.managing.size).toBe(0);
    await b.after(RENEW_MS + 1);
    expect([...b.managing].sort()).toEqual(SERVICES);

    // a, resumed after the same time, refuses to write before its next round even runs...
    a.clock += LEASE_MS + 1;
    expect(a.coordinator.holds("web")).toBe(false);
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).toThrow(MutationRefusedError);
    // ...and its next round finds the leases gone.
    await a.coordinator.round();
    expect(a.managing.size).toBe(0);
    expect(a.lost.sort()).toEqual(SERVICES);
    await Promise.all([a.coordinator.stop(), b.coordinator.stop()]);
  });

  it("closes the write gate a write attempt before the lease could be taken", async () => {
    const a = await new Replica("a", ["web"]).start();
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).not.toThrow();
    a.clock += LEASE_MS - WRITE_WINDOW_MS - 1;
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).not.toThrow();
    a.clock += 1;
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).toThrow(
      /UpdateService not sent: the lease on web was not renewed in time/,
    );
    expect(() => a.coordinator.checkMutation("api", "CreateCluster")).toThrow(
      /replica a does not hold the lease on api/,
    );
    // A renewal opens it again.
    await a.coordinator.round();
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).not.toThrow();
    await a.coordinator.stop();
  });

  it("hands every lease back on stop, so another replica takes them at once", async () => {
    const a = await new Replica("a", SERVICES).start();
    const b = await new Replica("b", SERVICES).start();
    await a.coordinator.stop();
    expect(a.managing.size).toBe(0);
    // A round asked for after stop (a late spec event) renews nothing and re-creates nothing.
    await a.coordinator.round();

    await b.after(RENEW_MS);
    expect([...b.managing].sort()).toEqual(SERVICES);
    expect(b.coordinator.snapshot().replicas).toEqual(["b"]);
    await b.coordinator.stop();
  });

  it("hands back the lease of a service whose spec is gone", async () => {
    const services = ["web", "api"];
    const a = await new Replica("a", services).start();
    services.pop();
    await a.after(RENEW_MS);
    await a.after(RENEW_MS);
    expect(await owners(a)).toEqual({ api: undefined, web: "a" });
    await a.coordinator.stop();
  });

  it("hands a lease back only once a write let through before its worker stopped can no longer be in flight", async () => {
    const services = ["web", "api"];
    const a = await new Replica("a", services).start();
    services.shift();
    await a.after(RENEW_MS); // web's spec is gone: its worker is stopped, its lease kept meanwhile.
    a.clock += 500;
    // The stopping worker's last write goes out now, and may take a whole write window.
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).not.toThrow();
    await a.after(RENEW_MS - 500);
    expect(await owners(a)).toEqual({ api: "a", web: "a" });
    // The gate is closed from the moment the worker has stopped.
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).toThrow(/being handed back/);
    await a.after(RENEW_MS);
    expect(await owners(a)).toEqual({ api: "a", web: undefined });
    await a.coordinator.stop();
  });

  it("on stop, waits for the last write let through to be out of flight before handing its lease back", async () => {
    const a = await new Replica("a", ["web"]).start();
    a.clock += 1000;
    expect(() => a.coordinator.checkMutation("web", "UpdateService")).not.toThrow();
    await a.coordinator.stop();
    expect(a.slept).toEqual([WRITE_WINDOW_MS]);
    const b = await new Replica("b", ["web"]).start();
    expect([...b.managing]).toEqual(["web"]);
    await b.coordinator.stop();
  });

  it("manages every lease it keeps, also one whose service stopped without the lease moving", async () => {
    const a = await new Replica("a", ["web"]).start();
    a.managing.delete("web"); // its worker stopped (the spec was a duplicate for a while)
    await a.after(RENEW_MS);
    expect([...a.managing]).toEqual(["web"]);
    await a.coordinator.stop();
  });

  it("lets no renewal outlive its round, even when another renewal of the round failed at once", async () => {
    let releaseWeb: () => void = () => {};
    const webHeld = new Promise<void>((resolve) => {
      releaseWeb = resolve;
    });
    let failing = false;
    const a = await new Replica("a", ["web", "api"], 0, (store) => ({
      description: store.description,
      ensureReady: () => store.ensureReady(),
      list: () => store.list(),
      create: (key, owner) => store.create(key, owner),
      remove: (seen) => store.remove(seen),
      write: async (seen: Lease, owner) => {
        if (failing && seen.key === "service#api") throw new Error("throttled");
        if (failing && seen.key === "service#web") await webHeld;
        return store.write(seen, owner);
      },
    })).start();
    failing = true;
    a.clock += RENEW_MS;
    let settled = false;
    const round = a.coordinator.round().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    releaseWeb();
    await round;
    failing = false;
    await a.coordinator.stop();
  });

  it("notices a second process renewing its own entry (one --replica-id twice) and writes nothing", async () => {
    const first = await new Replica("same", ["web"]).start();
    const second = await new Replica("same", ["web"]).start();
    for (let round = 0; round < 3; round++) {
      await first.after(RENEW_MS);
      await second.after(RENEW_MS);
    }
    const problems = [first, second].map((replica) => replica.coordinator.problem());
    expect(problems.filter((problem) => problem !== undefined).length).toBeGreaterThanOrEqual(1);
    for (const replica of [first, second]) {
      if (replica.coordinator.problem() === undefined) continue;
      expect(replica.coordinator.problem()).toMatch(/give each replica its own --replica-id/);
      expect(() => replica.coordinator.checkMutation("web", "UpdateService")).toThrow(/share --replica-id/);
    }
    await Promise.all([first.coordinator.stop(), second.coordinator.stop()]);
  });

  it("removes the entry of a replica that stopped renewing, once it has expired", async () => {
    const a = await new Replica("a", ["web"]).start();
    // b is killed after its first round: it never renews again, and never removes its entry.
    await new Replica("b", ["web"]).start();
    await a.after(RENEW_MS);
    expect(a.coordinator.snapshot().replicas).toEqual(["a", "b"]);
    await a.after(LEASE_MS + 1);
    await a.after(RENEW_MS);
    const keys = (await stores.at(-1)?.list())?.map((lease) => lease.key).sort();
    expect(keys).toEqual(["replica#a", "service#web"]);
    expect(a.coordinator.snapshot().replicas).toEqual(["a"]);
    await a.coordinator.stop();
  });
});
