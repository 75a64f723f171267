/**
 * The client-side limiter in front of real SDK clients and the emulator's own rate limits: a burst a
 * little above what the emulator allows, sent through a limiter set a little below it, is spread out
 * so that not one call is throttled.
 */
import { DescribeClustersCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.ts";
import type { DocumentedBucket } from "./aws-rate-limits.ts";
import { DeadlineExceededError, guardClients } from "./call-guard.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "./clients.ts";
import { AwsRateLimiter } from "./rate-limiter.ts";

/** ECS cluster reads, as in AWS's table, at a tenth of its size so that the test is short. */
const EMULATED = { burst: 6, perSecond: 12 };
const CLIENT_BUCKET: DocumentedBucket = {
  name: "ecs:cluster-read",
  burst: 5,
  perSecond: 10,
  source: "test",
  verified: true,
};

let emulator: Emulator;
const made: AwsClients[] = [];

/** Clients that never retry: any throttle would fail its call. */
function clientsWith(rateLimiter: AwsRateLimiter | null): AwsClients {
  const clients = createAwsClients({
    region: "us-east-1",
    endpoint: emulator.url,
    maxAttempts: 1,
    rateLimiter,
  });
  made.push(clients);
  return clients;
}

const limiter = () =>
  new AwsRateLimiter({
    settings: { scale: 1 },
    bucketsFor: (service, operation) =>
      service === "ecs" && /Clusters$/.test(operation) ? [CLIENT_BUCKET] : [],
  });

/** 24 cluster reads at once, half of each operation. */
const burst = (clients: AwsClients) =>
  Promise.allSettled(
    Array.from({ length: 24 }, (_, index) =>
      index % 2
        ? clients.ecs.send(new ListClustersCommand({}))
        : clients.ecs.send(new DescribeClustersCommand({})),
    ),
  );

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(() => {
  emulator.reset();
  emulator.injectFaults({
    rateLimits: [
      {
        service: "ecs",
        bucket: "cluster-read",
        operations: ["DescribeClusters", "ListClusters"],
        ...EMULATED,
      },
    ],
  });
});
afterAll(async () => {
  for (const clients of made) destroyAwsClients(clients);
  await emulator?.close();
});

describe("client-side rate limits against the emulator's", () => {
  it("without them, the burst is throttled (the emulator's limit bites)", async () => {
    const results = await burst(clientsWith(null));
    expect(results.filter((result) => result.status === "rejected").length).toBeGreaterThan(0);
    expect(emulator.calls.calls().some((call) => call.error === "ThrottlingException")).toBe(true);
  });

  it("with a limit a little below the emulator's, every call of the burst is served and none is throttled", async () => {
    const results = await burst(clientsWith(limiter()));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const calls = emulator.calls.calls();
    expect(calls).toHaveLength(24);
    expect(calls.filter((call) => call.error !== undefined)).toEqual([]);
  });

  it("a call waiting for a token is abandoned with its work, and never sent", async () => {
    const clients = clientsWith(limiter());
    const abort = new AbortController();
    guardClients(clients, { signal: () => abort.signal });
    // The bucket's five tokens go first; the sixth call waits for a refill.
    await Promise.all(Array.from({ length: 5 }, () => clients.ecs.send(new ListClustersCommand({}))));
    const waiting = clients.ecs.send(new ListClustersCommand({}));
    abort.abort(new Error("the pass ran past its deadline"));
    await expect(waiting).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(emulator.calls.calls()).toHaveLength(5);
  });

  it("an urgent pass's calls are sent ahead of a resync's still waiting for tokens", async () => {
    const limits = new AwsRateLimiter({
      settings: { scale: 1 },
      bucketsFor: (service, operation) =>
        service === "ecs" && /Clusters$/.test(operation)
          ? [{ ...CLIENT_BUCKET, burst: 1, perSecond: 20 }]
          : [],
    });
    const resync = clientsWith(limits);
    const edit = clientsWith(limits);
    guardClients(edit, { signal: () => undefined, urgent: () => true });
    // The resync's calls take the one token and queue; the edit's call comes last and goes second.
    const resyncCalls = Array.from({ length: 4 }, () => resync.ecs.send(new ListClustersCommand({})));
    await new Promise((resolve) => setImmediate(resolve));
    expect(limits.waiting.routine).toBe(3);
    await edit.ecs.send(new DescribeClustersCommand({}));
    await Promise.all(resyncCalls);
    const sent = emulator.calls.calls().map((call) => call.operation);
    expect(sent).toHaveLength(5);
    expect(sent.indexOf("DescribeClusters")).toBe(1);
  });
});
