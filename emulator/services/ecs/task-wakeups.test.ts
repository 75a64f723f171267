/**
 * A steady service leaves nothing for the lifecycle to do until something happens to it: its tasks
 * wait for no time, it needs no scheduling pass; a crash or a failing health check wakes exactly what
 * must move, and once it has settled again nothing is due.
 */
import { describe, expect, it } from "vitest";
import { crashTask, setTaskHealth } from "./control.ts";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  isSteady,
  MINUTE,
  SECOND,
  tasksOf,
  useHarness,
} from "./test-fixtures.ts";

const harness = useHarness();
const ecsState = () => harness.emulator.world.region("us-east-1").ecs;

/** Whether only tasks on their way out (stopping, deprovisioning, releasing their ENI) are still due. */
const onlyStoppingTasksDue = () =>
  [...(ecsState().clusters.get(CLUSTER)?.tasks.values() ?? [])].every(
    (task) => task.desiredStatus === "STOPPED" || ecsState().wakeups.dueAt(task) === undefined,
  );

/** Until the service's latest event says it reached a steady state (its tasks healthy, not only RUNNING). */
async function settle(): Promise<void> {
  await advanceUntil(
    harness,
    "a steady state",
    async () =>
      (await isSteady(harness.ecs)) &&
      (await describeWeb(harness.ecs)).events?.[0]?.message === "(service web) has reached a steady state.",
  );
  // The tick that completes the rollout still looks at what changed in it.
  harness.emulator.advance(2 * SECOND);
}

describe("task wakeups", () => {
  it("leaves a steady service's tasks and the service itself with nothing due", async () => {
    await createWebService(harness.ecs, await createWebStack(harness.clients));
    await settle();
    expect(ecsState().wakeups.size).toBe(0);
    expect(ecsState().unsettledServices.size).toBe(0);
    harness.emulator.advance(10 * MINUTE);
    expect(ecsState().wakeups.size).toBe(0);
    expect(await isSteady(harness.ecs)).toBe(true);
  });

  it("wakes a crashed task, replaces it and settles again", async () => {
    await createWebService(harness.ecs, await createWebStack(harness.clients));
    await settle();
    const [crashed] = await tasksOf(harness.ecs);
    crashTask(harness.emulator.world, { cluster: CLUSTER, task: crashed?.taskArn ?? "" });
    expect(ecsState().wakeups.size).toBe(1);
    await advanceUntil(harness, "the crashed task stopped", async () =>
      (await tasksOf(harness.ecs, "STOPPED")).some((task) => task.taskArn === crashed?.taskArn),
    );
    await settle();
    expect(onlyStoppingTasksDue()).toBe(true);
    expect(ecsState().unsettledServices.size).toBe(0);
  });

  it("wakes a task whose target turns unhealthy, through the load balancer's health checks alone", async () => {
    await createWebService(harness.ecs, await createWebStack(harness.clients));
    await settle();
    const [sick] = await tasksOf(harness.ecs);
    setTaskHealth(harness.emulator.world, { cluster: CLUSTER, task: sick?.taskArn ?? "" }, false);
    // The control touches only the container: nothing in ECS is due until the load balancer says so.
    expect(ecsState().wakeups.size).toBe(0);
    await advanceUntil(harness, "the unhealthy task stopped", async () =>
      (await tasksOf(harness.ecs, "STOPPED")).some((task) => task.taskArn === sick?.taskArn),
    );
    await settle();
    expect(onlyStoppingTasksDue()).toBe(true);
  });
});
