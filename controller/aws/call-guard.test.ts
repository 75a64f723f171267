/**
 * Hung calls and refused writes, against the emulator's fault injection: a hanging AWS call becomes a
 * retried, counted TimeoutError; a deadline abandons a call whatever AWS does; a refused mutation is
 * never sent. Assertions read the emulator's call log and state, not the calls the SDK made.
 */
import { CreateClusterCommand, DescribeClustersCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.ts";
import {
  CallsInFlight,
  DeadlineExceededError,
  guardClients,
  guardClientsByCaller,
  isReadOnlyOperation,
  MutationRefusedError,
  untilCallerEnds,
  withCallGuard,
} from "./call-guard.ts";
import { instrumentClients } from "./call-metrics.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "./clients.ts";

let emulator: Emulator | undefined;
let clients: AwsClients | undefined;

afterEach(async () => {
  destroyAwsClients(clients);
  await emulator?.close();
  clients = undefined;
  emulator = undefined;
});

async function setUp(options: { attemptMs: number; maxAttempts: number }) {
  emulator = await startEmulator({ port: 0 });
  clients = createAwsClients({
    region: "us-east-1",
    endpoint: emulator.url,
    maxAttempts: options.maxAttempts,
    timeouts: { connectMs: 1000, attemptMs: options.attemptMs },
  });
  return { emulator, clients };
}

const attemptsOf = (emulator: Emulator, operation: string) =>
  emulator.calls.calls().filter((call) => call.operation === operation).length;

describe("per-attempt timeouts", () => {
  it("turn a hanging call into a TimeoutError after every attempt was made", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 200, maxAttempts: 2 });
    emulator.injectFaults({ rules: [{ service: "ecs", operation: "ListClusters", latencyMs: 3000 }] });

    const failure = await clients.ecs.send(new ListClustersCommand({})).catch((error: unknown) => error);

    expect((failure as Error).name).toBe("TimeoutError");
    // The emulator logs a call when it answers: wait for the two abandoned attempts to be answered.
    emulator.clearFaults();
    await expect.poll(() => attemptsOf(emulator, "ListClusters"), { timeout: 10_000 }).toBe(2);
  });
});

describe("guardClients", () => {
  it("abandons a call in flight when the deadline's signal is aborted", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 60_000, maxAttempts: 1 });
    emulator.injectFaults({ rules: [{ service: "ecs", operation: "ListClusters", latencyMs: 2000 }] });
    const deadline = new AbortController();
    const inFlight = new CallsInFlight();
    guardClients(clients, { signal: () => deadline.signal }, inFlight);

    const call = clients.ecs.send(new ListClustersCommand({})).catch((error: unknown) => error);
    await expect.poll(() => inFlight.list().map((entry) => entry.call)).toEqual(["ecs:ListClusters"]);
    deadline.abort(new Error("the pass ran past its deadline"));

    const failure = await call;
    expect(failure).toBeInstanceOf(DeadlineExceededError);
    expect((failure as Error).message).toBe("ecs:ListClusters abandoned: the pass ran past its deadline");
    expect(inFlight.list()).toEqual([]);
  });

  it("sends no further attempt of a call abandoned at its deadline", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 300, maxAttempts: 4 });
    emulator.injectFaults({ rules: [{ service: "ecs", operation: "ListClusters", latencyMs: 1000 }] });
    const deadline = new AbortController();
    let current: AbortSignal | undefined = deadline.signal;
    const inFlight = new CallsInFlight();
    guardClients(clients, { signal: () => current }, inFlight);

    const call = clients.ecs.send(new ListClustersCommand({})).catch((error: unknown) => error);
    await expect.poll(() => inFlight.list().length).toBe(1);
    // The first attempt is on the wire (its timeout is 300 ms, the emulator answers after 1 s).
    await new Promise((resolve) => setTimeout(resolve, 150));
    deadline.abort(new Error("the pass ran past its deadline"));
    // The next pass has a signal of its own: the abandoned call's retries must not go out under it.
    current = new AbortController().signal;
    expect(await call).toBeInstanceOf(DeadlineExceededError);

    // Long enough for the SDK's retry loop to send (and the emulator to answer) every remaining attempt,
    // had they been allowed out.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(attemptsOf(emulator, "ListClusters")).toBe(1);
  });

  it("sends nothing once the deadline has passed", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 5000, maxAttempts: 1 });
    const deadline = new AbortController();
    deadline.abort(new Error("--timeout 5s reached"));
    guardClients(clients, { signal: () => deadline.signal });

    const failure = await clients.ecs
      .send(new CreateClusterCommand({ clusterName: "late" }))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DeadlineExceededError);
    expect(emulator.calls.calls()).toEqual([]);
  });

  it("refuses a mutation the gate rejects, and lets reads through", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 5000, maxAttempts: 3 });
    const gated: string[] = [];
    const counted: string[] = [];
    // As the daemon does: metrics first, then the guard; a refused attempt never reached AWS.
    instrumentClients(clients, (call) => counted.push(call.operation));
    guardClients(clients, {
      signal: () => undefined,
      beforeMutation: (operation) => {
        gated.push(operation);
        throw new MutationRefusedError(operation, "the lease on web is not held");
      },
    });

    const refused = await clients.ecs
      .send(new CreateClusterCommand({ clusterName: "web" }))
      .catch((error: unknown) => error);
    const described = await clients.ecs.send(new DescribeClustersCommand({ clusters: ["web"] }));

    expect(refused).toBeInstanceOf(MutationRefusedError);
    expect(gated).toEqual(["CreateCluster"]);
    expect(described.failures?.map((failure) => failure.reason)).toEqual(["MISSING"]);
    expect(emulator.calls.calls().map((call) => call.operation)).toEqual(["DescribeClusters"]);
    expect(counted).toEqual(["DescribeClusters"]);
  });
});

describe("guardClientsByCaller: one set of clients shared by many workers", () => {
  it("puts each call under the guard of the work that made it", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 60_000, maxAttempts: 1 });
    guardClientsByCaller(clients);
    emulator.injectFaults({ rules: [{ service: "ecs", operation: "ListClusters", latencyMs: 2000 }] });
    const first = new AbortController();
    const firstInFlight = new CallsInFlight();
    const secondInFlight = new CallsInFlight();
    const firstCall = withCallGuard({ signal: () => first.signal }, firstInFlight, () =>
      clients.ecs.send(new ListClustersCommand({})),
    ).catch((error: unknown) => error);
    const secondCall = withCallGuard({ signal: () => undefined }, secondInFlight, () =>
      clients.ecs.send(new ListClustersCommand({})),
    );
    await expect.poll(() => firstInFlight.list().length).toBe(1);
    expect(secondInFlight.list().map((entry) => entry.call)).toEqual(["ecs:ListClusters"]);

    // The first work's deadline passes: its call is abandoned, the second's is not.
    first.abort(new Error("the reconcile pass ran past its deadline"));
    expect(await firstCall).toBeInstanceOf(DeadlineExceededError);
    expect(firstInFlight.list()).toEqual([]);
    emulator.clearFaults();
    expect((await secondCall).clusterArns).toEqual([]);
    expect(secondInFlight.list()).toEqual([]);
  });

  it("gates each write by its own worker's lease, and refuses a write made outside any work", async () => {
    const { emulator, clients } = await setUp({ attemptMs: 5000, maxAttempts: 1 });
    guardClientsByCaller(clients);
    const holder = { signal: () => undefined, beforeMutation: () => {} };
    const loser = {
      signal: () => undefined,
      beforeMutation: (operation: string) => {
        throw new MutationRefusedError(operation, "the lease on web is not held");
      },
    };
    const refused = await withCallGuard(loser, undefined, () =>
      clients.ecs.send(new CreateClusterCommand({ clusterName: "lost" })),
    ).catch((error: unknown) => error);
    await withCallGuard(holder, undefined, () =>
      clients.ecs.send(new CreateClusterCommand({ clusterName: "held" })),
    );
    const outside = await clients.ecs
      .send(new CreateClusterCommand({ clusterName: "outside" }))
      .catch((error: unknown) => error);
    // A read needs no work to belong to.
    const { clusterArns = [] } = await clients.ecs.send(new ListClustersCommand({}));

    expect(refused).toBeInstanceOf(MutationRefusedError);
    expect(outside).toBeInstanceOf(MutationRefusedError);
    expect(clusterArns.map((arn) => arn.split("/").pop())).toEqual(["held"]);
    expect(emulator.calls.calls().filter((call) => call.operation === "CreateCluster")).toHaveLength(1);
  });
});

describe("isReadOnlyOperation", () => {
  it.each([
    ["DescribeServices", true, "a describe reads"],
    ["ListTagsForResource", true, "a list reads"],
    ["GetItem", true, "a get reads"],
    ["UpdateService", false, "an update writes"],
    ["RegisterTaskDefinition", false, "a registration writes"],
    ["TagResource", false, "tagging writes"],
    ["DeleteLoadBalancer", false, "a delete writes"],
  ])("%s → %s (%s)", (operation, readOnly) => {
    expect(isReadOnlyOperation(operation)).toBe(readOnly);
  });
});

describe("untilCallerEnds", () => {
  it("gives up a shared read the moment the work awaiting it is cut short, and leaves it to others", async () => {
    const pass = new AbortController();
    let answer: (value: string) => void = () => {};
    const shared = new Promise<string>((resolve) => {
      answer = resolve;
    });
    const awaited = withCallGuard({ signal: () => pass.signal }, undefined, () =>
      untilCallerEnds(shared, "a shared read"),
    );
    pass.abort(new Error("the daemon is stopping"));
    await expect(awaited).rejects.toThrow(/a shared read.*the daemon is stopping/);
    // Someone else still gets it; outside any pass it is awaited as it is.
    answer("snapshot");
    expect(await untilCallerEnds(shared, "a shared read")).toBe("snapshot");
  });
});
