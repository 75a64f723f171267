/**
 * What the daemon's log tells an on-call engineer: each rollout as one story (started, progress,
 * completed or rolled back, every line naming the new revision), planned changes field by field, a
 * revision held back after a rollback (and /status and /metrics agreeing it is not in sync), a fixed
 * broken edit, and the recovery after a streak of failed passes. Read from its JSON log lines.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setImageBehaviour } from "../emulator/services/ecs/control.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import {
  type DaemonProcess,
  killDaemons,
  type LogLine,
  startDaemonProcess,
} from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

type Patch = Parameters<typeof merge>[1];

const DAEMON_KEY = "daemon-story";
const BROKEN = "registry.example.com/web:9.9.9";
let aws: EmulatedAws;
let directory: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  await aws?.close();
});
beforeEach(async () => {
  aws.emulator.reset();
  aws.emulator.clearFaults();
  setImageBehaviour(aws.emulator.world, BROKEN, undefined);
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-daemon-story-"));
});
afterEach(async () => {
  await killDaemons();
  await rm(directory, { recursive: true, force: true });
});

const environment = () => ({
  AWS_ENDPOINT_URL: aws.emulator.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: DAEMON_KEY,
  AWS_SECRET_ACCESS_KEY: "daemon",
});

async function writeSpec(patch: Patch = {}): Promise<string> {
  const file = join(directory, "service.yaml");
  await writeFile(file, specYaml(merge({ metadata: { name: "web" } }, patch)));
  return file;
}

const withImage = (image: string): Patch => ({ spec: { task: { container: { image } } } });

async function condition(daemon: DaemonProcess, type: string) {
  const status = await daemon.status();
  return status.services[0]?.conditions.find((candidate) => candidate.type === type);
}

async function waitUntilReady(daemon: DaemonProcess): Promise<void> {
  await waitFor(
    "service web to be Ready and Synced",
    async () =>
      (await condition(daemon, "Ready"))?.status === "True" &&
      (await condition(daemon, "Synced"))?.status === "True"
        ? true
        : undefined,
    60_000,
  );
}

/** The lines of one rollout's story, in order. */
const storyOf = (daemon: DaemonProcess, revision: string): LogLine[] =>
  daemon.logs().filter((line) => line.msg.startsWith("rollout ") && line.revision === revision);

describe("the daemon's log", () => {
  it("tells a rolled-back rollout as one story, holds the revision back, and says so everywhere", {
    timeout: 120_000,
  }, async () => {
    const file = await writeSpec();
    const daemon = await startDaemonProcess(["-f", file, "--resync", "1s"], environment());
    await waitUntilReady(daemon);
    expect(storyOf(daemon, "web:1").map((line) => line.msg)).toEqual(
      expect.arrayContaining(["rollout started", "rollout completed"]),
    );

    setImageBehaviour(aws.emulator.world, BROKEN, { failure: "pull" });
    await writeSpec(withImage(BROKEN));
    await daemon.waitForLog("the rollback", (line) => line.msg === "rollout rolled back", 60_000);

    // Planned changes field by field, as drift is.
    expect(daemon.logs()).toContainEqual(
      expect.objectContaining({
        msg: "change planned",
        resource: "TaskDefinition",
        action: "update",
        path: "container.image",
        observed: "registry.example.com/web:1.0.0",
        desired: BROKEN,
      }),
    );

    // One story: started (with what it replaces), progress with the new revision's counts, rolled back with why.
    const story = storyOf(daemon, "web:2");
    expect(story[0]).toMatchObject({ msg: "rollout started", previousRevision: "web:1" });
    expect(story.some((line) => line.msg === "rollout progress" && typeof line.running === "number")).toBe(
      true,
    );
    expect(story.at(-1)).toMatchObject({ msg: "rollout rolled back", runningRevision: "web:1" });
    expect(String(story.at(-1)?.reason)).toMatch(/rolled back to web:1.*CannotPullContainerError/);
    expect(story.filter((line) => line.msg === "rollout rolled back")).toHaveLength(1);
    expect(daemon.logs().some((line) => /^rollout (in progress|failed)$/.test(line.msg))).toBe(false);

    await daemon.waitForLog(
      "the held-back revision to be logged",
      (line) => line.msg === "revision held back: the spec is not running" && line.revision === "web:2",
    );
    // /status is what the last pass saw: wait for the pass after the rollback.
    await waitFor("Synced=False with RevisionHeldBack, and the rollback in the rollout", async () =>
      (await condition(daemon, "Synced"))?.reason === "RevisionHeldBack" &&
      (await daemon.status()).services[0]?.rollout?.taskDefinition.endsWith("web:1")
        ? true
        : undefined,
    );
    const status = (await daemon.status()).services[0] as Record<string, unknown> & {
      rollout?: Record<string, unknown>;
      lastPlan?: { heldBack?: Array<{ name: string }> };
    };
    expect(status.rollout).toMatchObject({
      rolledBack: true,
      taskDefinition: expect.stringMatching(/web:1$/),
    });
    expect(status.lastPlan?.heldBack?.map((held) => held.name)).toEqual(["web:2"]);
    expect((await condition(daemon, "Synced"))?.status).toBe("False");
    expect((await condition(daemon, "Degraded"))?.status).toBe("True");
    expect((await condition(daemon, "Ready"))?.status).toBe("True");
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/ecs_converge_services\{condition="Synced",status="False"\} 1/);

    // Several resyncs later the broken revision has been rolled out once, and told once.
    const syncedPasses = async () =>
      Number(
        (await (await fetch(`${daemon.url}/metrics`)).text()).match(
          /ecs_converge_reconciles_total\{service="web",result="synced"\} (\d+)/,
        )?.[1],
      );
    const before = await syncedPasses();
    await waitFor("three more passes", async () => ((await syncedPasses()) >= before + 3 ? true : undefined));
    const rollouts = aws.emulator.calls
      .calls()
      .filter((call) => call.accessKeyId === DAEMON_KEY && call.operation === "UpdateService");
    expect(rollouts).toHaveLength(1);
    expect(daemon.logs().filter((line) => line.msg === "rollout rolled back")).toHaveLength(1);
    expect(
      daemon.logs().filter((line) => line.msg === "revision held back: the spec is not running"),
    ).toHaveLength(1);

    // A restarted daemon finds the revision held back: it says so, and retells no rollback.
    expect(await daemon.stop()).toBe(0);
    const restarted = await startDaemonProcess(["-f", file, "--resync", "1s"], environment());
    await restarted.waitForLog(
      "the held-back revision to be logged after the restart",
      (line) => line.msg === "revision held back: the spec is not running" && line.revision === "web:2",
    );
    await waitFor("Synced=False with RevisionHeldBack after the restart", async () =>
      (await condition(restarted, "Synced"))?.reason === "RevisionHeldBack" ? true : undefined,
    );
    expect(restarted.logs().some((line) => line.msg.startsWith("rollout "))).toBe(false);

    // A changed spec is a new revision, told as a new story that completes.
    await writeSpec(withImage("registry.example.com/web:2.0.1"));
    await restarted.waitForLog(
      "the fixed rollout to complete",
      (line) => line.msg === "rollout completed" && line.revision === "web:3",
      60_000,
    );
    expect(storyOf(restarted, "web:3")[0]).toMatchObject({
      msg: "rollout started",
      previousRevision: "web:1",
    });
    await waitUntilReady(restarted);
    expect(await restarted.stop()).toBe(0);
  });

  it("confirms a fixed broken edit, and the first success after a streak of failed passes", {
    timeout: 120_000,
  }, async () => {
    const file = await writeSpec();
    const daemon = await startDaemonProcess(["-f", file, "--resync", "1s"], environment());
    await waitUntilReady(daemon);

    await writeSpec({ spec: { task: { cpu: 3 } } });
    await daemon.waitForLog("the broken edit", (line) => line.msg === "invalid spec");
    await writeSpec({ spec: { loadBalancer: { healthCheck: { path: "/ready" } } } });
    await daemon.waitForLog(
      "the fix to be confirmed",
      (line) => line.msg === "spec valid again: the last edit fixed its problems" && line.file === file,
    );
    await daemon.waitForLog(
      "the edit's change, field by field",
      (line) =>
        line.msg === "change planned" &&
        line.path === "healthCheck.path" &&
        line.observed === "/health" &&
        line.desired === "/ready",
    );
    await waitUntilReady(daemon);

    aws.emulator.injectFaults({ rules: [{ service: "ecs", operation: "DescribeServices", errorRate: 1 }] });
    await waitFor("two failed passes", () =>
      daemon.logs().filter((line) => line.msg === "reconcile failed; retrying with backoff").length >= 2
        ? true
        : undefined,
    );
    aws.emulator.clearFaults();
    const recovered = await daemon.waitForLog(
      "the recovery to be logged",
      (line) => line.msg === "reconcile succeeded after failures",
      60_000,
    );
    expect(recovered.failures).toBeGreaterThanOrEqual(2);
    const failedBefore = daemon
      .logs()
      .filter((line) => line.msg === "reconcile failed; retrying with backoff").length;
    expect(recovered.failures).toBe(failedBefore);
    expect(await daemon.stop()).toBe(0);
  });
});
