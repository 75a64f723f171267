/** The control routes under /_emulator/ecs/, over HTTP as scripts use them. Needs EC2 and ELBv2. */
import { describe, expect, it } from "vitest";
import { averageCpuUtilization } from "./internal.ts";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  IMAGE,
  isSteady,
  MINUTE,
  tasksOf,
  useHarness,
} from "./test-fixtures.ts";

const harness = useHarness();

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${harness.emulator.url}/_emulator/ecs${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function steadyWeb() {
  const stack = await createWebStack(harness.clients);
  await createWebService(harness.ecs, stack);
  await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
  return tasksOf(harness.ecs);
}

const taskPath = (taskArn: string | undefined) => `/tasks/${CLUSTER}/${taskArn?.split("/").at(-1)}`;

describe("ECS control routes", () => {
  it("lists tasks and sets a service's CPU", async () => {
    const tasks = await steadyWeb();
    const listed = await control("GET", `/tasks?cluster=${CLUSTER}&service=web`);
    expect(listed.status).toBe(200);
    expect(
      (listed.body.tasks as { taskArn: string; lastStatus: string }[]).map((task) => task.taskArn).sort(),
    ).toEqual(tasks.map((task) => task.taskArn).sort());
    expect((await control("POST", `/services/${CLUSTER}/web/cpu`, { percent: 65 })).status).toBe(200);
    expect(averageCpuUtilization(harness.emulator.world.region("us-east-1"), `service/${CLUSTER}/web`)).toBe(
      65,
    );
  });

  it("crashes, sickens and stops tasks", async () => {
    const [crashed, sick] = await steadyWeb();
    expect((await control("POST", `${taskPath(crashed?.taskArn)}/crash`, { exitCode: 137 })).status).toBe(
      200,
    );
    expect((await control("POST", `${taskPath(sick?.taskArn)}/health`, { healthy: false })).status).toBe(200);
    harness.emulator.advance(2 * MINUTE);
    const stopped = await tasksOf(harness.ecs, "STOPPED");
    expect(Object.fromEntries(stopped.map((task) => [task.taskArn, task.stopCode]))).toEqual({
      [crashed?.taskArn ?? ""]: "EssentialContainerExited",
      [sick?.taskArn ?? ""]: "ServiceSchedulerInitiated",
    });
    const [running] = await tasksOf(harness.ecs);
    expect((await control("POST", `${taskPath(running?.taskArn)}/stop`, { reason: "chaos" })).status).toBe(
      200,
    );
    expect((await tasksOf(harness.ecs)).map((task) => task.taskArn)).not.toContain(running?.taskArn);
  });

  it("makes an image fail to start", async () => {
    const stack = await createWebStack(harness.clients);
    expect((await control("POST", "/images", { image: IMAGE, failure: "pull" })).status).toBe(200);
    await createWebService(harness.ecs, stack, { desiredCount: 1 });
    harness.emulator.advance(MINUTE);
    const [stopped] = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped?.stoppedReason).toMatch(/^CannotPullContainerError/);
  });

  it("answers 404 for an unknown task and 400 for a bad body", async () => {
    await createWebStack(harness.clients);
    expect((await control("POST", `/tasks/${CLUSTER}/0123/crash`, {})).status).toBe(404);
    expect((await control("POST", "/images", { image: IMAGE, failure: "explode" })).status).toBe(400);
    expect((await control("POST", `/services/${CLUSTER}/web/cpu`, { percent: "high" })).status).toBe(400);
  });
});
