/**
 * A rollout the circuit breaker rolls back never reads as success: the revision is held back, and
 * plan, status and apply say the spec is not running until the spec changes or an operator retries it
 * (`apply --retry-failed`). Also `apply --force-new-deployment`. Through the CLI, against the emulator.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DescribeServicesCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { FAILED_ROLLOUT_TAG } from "../controller/resources/task-definition/task-definition.ts";
import { listEcsTasks, setImageBehaviour } from "../emulator/services/ecs/control.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { useCliSession } from "./support/cli-session.ts";
import { waitFor } from "./support/wait-for.ts";

const BROKEN = "registry.example.com/web:2.0.0-broken";
const WAIT = ["--wait", "--timeout", "10m", "--poll-interval", "200ms"];
const session = useCliSession("cli-test", {
  beforeEach: (_aws) => {
    setImageBehaviour(session.aws.emulator.world, BROKEN, undefined);
  },
});
const { run } = session;

async function specFile(image?: string): Promise<string> {
  const file = join(session.directory, "service.yaml");
  const patch = image ? { spec: { task: { container: { image } } } } : {};
  await writeFile(file, specYaml(merge({ metadata: { name: "web" } }, patch)));
  return file;
}

async function runningRevision(): Promise<string | undefined> {
  const { services = [] } = await session.aws.operator.ecs.send(
    new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
  );
  return services[0]?.taskDefinition?.split("/").pop();
}

/** web:1 stable, then web:2 (an image that cannot be pulled) rolled out and rolled back by apply --wait. */
async function rolledBack(): Promise<string> {
  const file = await specFile();
  const first = await run("apply", "-f", file, ...WAIT);
  expect(first.code, first.stderr).toBe(0);
  setImageBehaviour(session.aws.emulator.world, BROKEN, { failure: "pull" });
  await specFile(BROKEN);
  const failed = await run("apply", "-f", file, ...WAIT);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/the deployment of web:2 failed and was rolled back to web:1/);
  expect(failed.stderr).toMatch(/CannotPullContainerError/);
  expect(failed.stderr).toMatch(/apply --retry-failed/);
  expect(failed.stdout).not.toMatch(/web: stable\./);
  // apply reports the failure once the rollback has begun; what follows reads the state after it.
  await waitFor(
    "the rollback to web:1 to finish",
    async () => {
      const status = await run("status", "-f", file, "--json");
      return (JSON.parse(status.stdout) as { rollout?: { steady?: boolean } }).rollout?.steady || undefined;
    },
    60_000,
  );
  return file;
}

describe("a revision held back after a rollback", () => {
  it("is not in sync: plan exits 2 and never says no changes, status says why, the same spec fails apply", {
    timeout: 120_000,
  }, async () => {
    const file = await rolledBack();

    const plan = await run("plan", "-f", file, "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(
      /! TaskDefinition web:2 held back: its last rollout failed; web:1 keeps running until the spec changes \(or apply --retry-failed, once the cause is fixed\)/,
    );
    expect(plan.stdout).toMatch(/Not in sync: 1 revision held back, so the spec is not running/);
    expect(plan.stdout).not.toMatch(/No changes: AWS matches the spec/);

    const planJson = await run("plan", "-f", file, "--json", "--detailed-exitcode");
    expect(planJson.code).toBe(2);
    expect(JSON.parse(planJson.stdout)).toMatchObject({
      changes: [],
      heldBack: [{ resource: "TaskDefinition", name: "web:2", running: "web:1" }],
    });

    const status = await run("status", "-f", file, "--json");
    expect(JSON.parse(status.stdout)).toMatchObject({
      inSync: false,
      drifted: false,
      heldBack: [{ name: "web:2", running: "web:1" }],
      rollout: {
        rolledBack: true,
        failedTaskDefinition: expect.stringMatching(/web:2$/),
        failure: expect.stringMatching(/rolled back to web:1.*CannotPullContainerError/),
      },
      // The conditions the daemon would report: running the old revision, not the spec, and degraded.
      conditions: [
        { type: "Ready", status: "True", reason: "Available" },
        { type: "Synced", status: "False", reason: "RevisionHeldBack" },
        { type: "Degraded", status: "True", reason: "RolloutFailed" },
      ],
    });
    const human = await run("status", "-f", file);
    expect(human.stdout).toContain(
      "Ready=True (Available)  Synced=False (RevisionHeldBack)  Degraded=True (RolloutFailed)",
    );
    expect(human.stdout).toMatch(/Service "web" in us-east-1: not running the spec/);
    expect(human.stdout).toMatch(/! TaskDefinition web:2 held back/);
    expect(human.stdout).not.toMatch(/in sync with the spec/);

    // The same spec applied again rolls nothing out and says so, with a non-zero exit.
    const again = await run("apply", "-f", file, ...WAIT);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/! TaskDefinition web:2 held back/);
    expect(again.stdout).not.toMatch(/no changes|stable/);
    expect(again.stderr).toMatch(
      /service "web" is not running its spec: web:2 is held back \(the deployment of web:2 failed and was rolled back to web:1: .*CannotPullContainerError/,
    );
    expect(await runningRevision()).toBe("web:1");

    // A changed spec is a new revision, rolled out as any other.
    await specFile("registry.example.com/web:2.0.1");
    const fixed = await run("apply", "-f", file, ...WAIT);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/web: stable\./);
    expect(await runningRevision()).toBe("web:3");
    const synced = await run("status", "-f", file, "--json");
    expect(JSON.parse(synced.stdout)).toMatchObject({
      inSync: true,
      heldBack: [],
      conditions: [
        { type: "Ready", status: "True", reason: "Available" },
        { type: "Synced", status: "True", reason: "ReconcileSuccess" },
        { type: "Degraded", status: "False", reason: "Healthy" },
      ],
    });
    expect((await run("plan", "-f", file, "--detailed-exitcode")).code).toBe(0);
  });

  it("apply --retry-failed rolls the same revision out again once its cause is fixed", {
    timeout: 120_000,
  }, async () => {
    const file = await rolledBack();

    // Still broken: the retry fails like the first rollout, and the revision is held back again.
    const stillBroken = await run("apply", "-f", file, "--retry-failed", ...WAIT);
    expect(stillBroken.code).toBe(1);
    expect(stillBroken.stdout).toMatch(/updating TaskDefinition web:2/);
    expect(stillBroken.stderr).toMatch(/web:2 failed and was rolled back to web:1/);
    expect((await run("plan", "-f", file, "--detailed-exitcode")).code).toBe(2);

    // The image is pushed: the same spec, retried, runs.
    setImageBehaviour(session.aws.emulator.world, BROKEN, undefined);
    const retried = await run("apply", "-f", file, "--retry-failed", ...WAIT);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/web: stable\./);
    expect(await runningRevision()).toBe("web:2");
    const { tags = [] } = await session.aws.operator.ecs.send(
      new ListTagsForResourceCommand({
        resourceArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2",
      }),
    );
    expect(tags).toContainEqual({ key: FAILED_ROLLOUT_TAG, value: "retried" });
    const plan = await run("plan", "-f", file, "--detailed-exitcode");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/No changes: AWS matches the spec\./);
  });
});

describe("apply --force-new-deployment", () => {
  it("replaces the tasks of an unchanged spec with a new deployment", { timeout: 120_000 }, async () => {
    const file = await specFile();
    expect((await run("apply", "-f", file, ...WAIT)).code).toBe(0);
    const runningDeployments = () =>
      new Set(
        listEcsTasks(session.aws.emulator.world, { cluster: "web", service: "web" })
          .filter((task) => task.lastStatus === "RUNNING")
          .map((task) => task.deploymentId),
      );
    const before = runningDeployments();
    expect(before.size).toBe(1);

    const forced = await run("apply", "-f", file, "--force-new-deployment", ...WAIT);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/Plan: 0 to create, 1 to update/);
    expect(forced.stdout).toMatch(/updated Service web/);
    expect(forced.stdout).toMatch(/web: stable\./);
    const after = runningDeployments();
    expect(after.size).toBe(1);
    expect([...after][0]).not.toBe([...before][0]);
    expect(await runningRevision()).toBe("web:1");
    expect((await run("plan", "-f", file, "--detailed-exitcode")).code).toBe(0);
  });
});
