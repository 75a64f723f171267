/**
 * Zero downtime proven with real traffic: the sample service's tasks run as real sample-app processes,
 * its load balancer serves real HTTP on loopback, and a steady request stream goes through the
 * listener while the controller converges `service.yaml` through each kind of change, one service
 * lifecycle, changes in sequence. Every change must serve every request (no 5xx, no transport error),
 * and a new revision's responses must switch to its APP_VERSION. A SIGKILLed task is replaced, with
 * failures bounded by the health-check window's worth of requests (a count derived from the settings).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planService } from "../controller/engine/reconcile.ts";
import { markRevisionFailed } from "../controller/resources/task-definition/task-definition.ts";
import { type Outcome, type RequestStream, startRequestStream } from "./support/request-stream.ts";
import {
  CHANGE_KINDS,
  FAILING_ROLLOUT,
  failuresIn,
  SampleService,
  versionOf,
} from "./support/sample-service.ts";
import { waitFor } from "./support/wait-for.ts";

/**
 * Simulated seconds per real second. Slow enough that the deregistration delay (30 s → 1.5 s) and the
 * stop timeout (30 s → the runtime's 2 s floor) leave real time for in-flight requests, fast enough that
 * a rollout takes a few real seconds.
 */
const SPEED = 20;
const DEADLINE_MS = 60_000;
/** Consecutive answers of one version that say the switch is complete. */
const SETTLED_ANSWERS = 40;
/** Each loop of the stream sends at most one request per this many real ms: a steady, bounded stream. */
const STREAM_PACE_MS = 15;
const STREAM_LOOPS = 4;

let service: SampleService;
let stream: RequestStream | undefined;

beforeAll(async () => {
  service = await SampleService.start(SPEED);
});

afterAll(async () => {
  await stream?.stop();
  await service?.close();
});

const seen = () => stream?.outcomes() ?? [];

/** Waits until the newest answers are all `version`. */
async function servingOnly(version: string): Promise<void> {
  await waitFor(
    `every answer to come from version ${version}`,
    () => {
      const recent = seen().slice(-SETTLED_ANSWERS);
      return recent.length === SETTLED_ANSWERS && recent.every((outcome) => versionOf(outcome) === version)
        ? true
        : undefined;
    },
    DEADLINE_MS,
  );
}

/** The outcomes recorded from `from` on; waits for a few more so the change's tail is in. */
async function outcomesSince(from: number): Promise<readonly Outcome[]> {
  const until = seen().length + SETTLED_ANSWERS;
  await waitFor("more answers", () => (seen().length >= until ? true : undefined));
  return seen().slice(from);
}

const describeFailures = (outcomes: readonly Outcome[]) => JSON.stringify(failuresIn(outcomes).slice(0, 5));

describe("zero downtime under a real request stream", () => {
  it("serves every request through each kind of change, and a killed task costs at most the health-check window", {
    timeout: 240_000,
  }, async () => {
    await service.apply({});
    await service.stableWith(2);
    const url = service.url();
    stream = startRequestStream({ url, concurrency: STREAM_LOOPS, pace: { everyMs: STREAM_PACE_MS } });
    await servingOnly("1.0.0");

    let version = "1.0.0";
    for (const kind of CHANGE_KINDS) {
      const from = seen().length;
      await service.apply(kind.patch);
      await service.stableWith(kind.tasks);
      if (kind.version) await servingOnly(kind.version);
      const outcomes = await outcomesSince(from);
      expect(failuresIn(outcomes), `${kind.name}: ${describeFailures(outcomes)}`).toEqual([]);
      // Answers come from the old version, then the new one: nothing else, never an error page.
      const versions = new Set(outcomes.map(versionOf));
      expect(versions, kind.name).toEqual(new Set(kind.version ? [version, kind.version] : [version]));
      version = kind.version ?? version;
    }

    // A rollout that never becomes healthy: its containers exit; the circuit breaker rolls it back.
    const before = (await service.ecsService())?.taskDefinition;
    const from = seen().length;
    const [deploy] = await service.apply(FAILING_ROLLOUT);
    const failedRevision = await service.newestRevision();
    await service.rolledBackTo(before);
    await service.stableWith(2);
    const rollback = await outcomesSince(from);
    expect(failuresIn(rollback), describeFailures(rollback)).toEqual([]);
    expect(new Set(rollback.map(versionOf))).toEqual(new Set([version]));
    // As the daemon and apply --wait do after a rollback: the revision is held back, not retried.
    if (!deploy || !failedRevision) throw new Error("no failed revision");
    await markRevisionFailed(service.clients, deploy.context.taskDefinitions, failedRevision);
    expect((await planService(service.clients, service.edit({}))).heldBack).toHaveLength(1);

    // SIGKILL of one task's process: ECS replaces it; requests fail only until the load balancer stops
    // sending it any, at most the health-check window's worth.
    await stream.stop();
    const spec = service.edit({});
    const { intervalSeconds, timeoutSeconds, unhealthyThreshold } = spec.spec.loadBalancer.healthCheck;
    const windowMs = (unhealthyThreshold * intervalSeconds + timeoutSeconds) * 1000;
    // One request per loop per simulated second: the bound is in requests, whatever the machine's speed.
    const paceMs = 1000;
    stream = startRequestStream({
      url,
      concurrency: STREAM_LOOPS,
      pace: { everyMs: paceMs, clock: () => service.emulator.world.clock.now() },
    });
    await servingOnly(version);
    const [victim] = await service.tasks("RUNNING");
    const pid = service.emulator.processes?.pidsOf(victim?.taskArn ?? "")[0];
    if (pid === undefined) throw new Error("no process to kill");
    const fromKill = seen().length;
    process.kill(pid, "SIGKILL");
    await waitFor(
      "the killed task to be stopped and replaced",
      async () => {
        const tasks = await service.tasks("RUNNING");
        return tasks.length === 2 && !tasks.some((task) => task.taskArn === victim?.taskArn)
          ? true
          : undefined;
      },
      DEADLINE_MS,
    );
    await service.stableWith(2);
    const killed = await outcomesSince(fromKill);
    // Requests started within the window (at most one per loop per pace), plus those in flight at its start.
    const bound = STREAM_LOOPS * (Math.ceil(windowMs / paceMs) + 1) + STREAM_LOOPS;
    expect(failuresIn(killed).length).toBeLessThanOrEqual(bound);
    const stopped = (await service.tasks("STOPPED")).find((task) => task.taskArn === victim?.taskArn);
    expect(stopped?.containers?.[0]?.exitCode).toBe(137);
  });
});
