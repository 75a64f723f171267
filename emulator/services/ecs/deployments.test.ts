/** Rolling deployments and the circuit breaker, seen through the SDK. Needs EC2 and ELBv2. */
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { setImageBehaviour } from "./control.ts";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  isSteady,
  MINUTE,
  registerWeb,
  SECOND,
  targetStates,
  tasksOf,
  useHarness,
} from "./test-fixtures.ts";

const harness = useHarness();

const circuitBreaker = (rollback: boolean) => ({
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
});

describe("rolling deployment", () => {
  it.each([
    { min: 50, max: 150 },
    { min: 100, max: 200 },
  ])(
    "keeps ≥ $min% healthy and ≤ $max% running while replacing every task, then COMPLETED",
    async ({ min, max }) => {
      const stack = await createWebStack(harness.clients);
      const desired = 4;
      const first = await createWebService(harness.ecs, stack, {
        desiredCount: desired,
        deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max },
      });
      await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
      const revision2 = await registerWeb(harness.ecs, "example/web:2");
      await harness.ecs.send(
        new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: "web" }),
      );

      let mostRunning = 0;
      let fewestHealthy = desired;
      let sawTwoDeployments = false;
      await advanceUntil(
        harness,
        "the new revision's steady state",
        async () => {
          const tasks = await tasksOf(harness.ecs);
          const healthy = Object.values(await targetStates(harness.clients, stack.targetGroupArn)).filter(
            (state) => state === "healthy",
          ).length;
          mostRunning = Math.max(mostRunning, tasks.length);
          fewestHealthy = Math.min(fewestHealthy, healthy);
          const service = await describeWeb(harness.ecs);
          sawTwoDeployments ||= service.deployments?.length === 2;
          return (await isSteady(harness.ecs)) && tasks.every((task) => task.taskDefinitionArn === revision2);
        },
        { stepMs: SECOND },
      );
      expect(mostRunning).toBeLessThanOrEqual(Math.floor((desired * max) / 100));
      expect(fewestHealthy).toBeGreaterThanOrEqual(Math.ceil((desired * min) / 100));
      expect(sawTwoDeployments).toBe(true);
      const service = await describeWeb(harness.ecs);
      expect(service.deployments).toEqual([
        expect.objectContaining({
          status: "PRIMARY",
          taskDefinition: revision2,
          rolloutState: "COMPLETED",
          runningCount: desired,
        }),
      ]);
      expect(service.deployments?.[0]?.id).not.toBe(first.deployments?.[0]?.id);
      expect(service.events?.[0]?.message).toBe("(service web) has reached a steady state.");
    },
  );
});

describe("deployment circuit breaker", () => {
  it("fails a deployment whose tasks cannot start and rolls back to the last COMPLETED one", async () => {
    const stack = await createWebStack(harness.clients);
    const created = await createWebService(harness.ecs, stack, circuitBreaker(true));
    const goodId = created.deployments?.[0]?.id ?? "";
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    setImageBehaviour(harness.emulator.world, "example/web:bad", { failure: "pull" });
    const bad = await registerWeb(harness.ecs, "example/web:bad");
    const { service: updated } = await harness.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: bad }),
    );
    const badId = updated?.deployments?.[0]?.id ?? "";

    await advanceUntil(harness, "the bad deployment failing", async () => {
      const service = await describeWeb(harness.ecs);
      return service.deployments?.find((deployment) => deployment.id === badId)?.rolloutState === "FAILED";
    });
    const service = await describeWeb(harness.ecs);
    expect(service.taskDefinition).toBe(created.taskDefinition);
    expect(service.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      taskDefinition: created.taskDefinition,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${goodId}.`,
    });
    expect(service.deployments?.find((deployment) => deployment.id === badId)).toMatchObject({
      status: "ACTIVE",
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      // desired 2 → threshold max(3, ceil(0.5 × 2)) = 3
      failedTasks: 3,
    });
    const messages = service.events?.map((event) => event.message);
    expect(messages).toContain(
      `(service web) (deployment ${badId}) deployment failed: tasks failed to start.`,
    );
    expect(messages).toContain(`(service web) rolling back to deployment ${goodId}.`);

    // The rollback itself completes: a naive client reading only rolloutState sees success.
    await advanceUntil(harness, "the rollback completing", () => isSteady(harness.ecs));
    const rolledBack = await describeWeb(harness.ecs);
    expect(rolledBack.deployments).toEqual([
      expect.objectContaining({ taskDefinition: created.taskDefinition, rolloutState: "COMPLETED" }),
    ]);
    expect((await tasksOf(harness.ecs)).map((task) => task.taskDefinitionArn)).toEqual([
      created.taskDefinition,
      created.taskDefinition,
    ]);
  });

  it("without rollback, leaves the FAILED deployment PRIMARY and the old tasks serving", async () => {
    const stack = await createWebStack(harness.clients);
    const created = await createWebService(harness.ecs, stack, circuitBreaker(false));
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    setImageBehaviour(harness.emulator.world, "example/web:crash", { failure: "crash" });
    const bad = await registerWeb(harness.ecs, "example/web:crash");
    await harness.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: bad }),
    );
    await advanceUntil(harness, "the deployment failing", async () => {
      return (await describeWeb(harness.ecs)).deployments?.[0]?.rolloutState === "FAILED";
    });
    const stoppedBefore = (await tasksOf(harness.ecs, "STOPPED")).length;
    harness.emulator.advance(5 * MINUTE);
    const service = await describeWeb(harness.ecs);
    expect(service.taskDefinition).toBe(bad);
    expect(service.deployments?.map((deployment) => [deployment.status, deployment.rolloutState])).toEqual([
      ["PRIMARY", "FAILED"],
      ["ACTIVE", "COMPLETED"],
    ]);
    // A FAILED deployment launches nothing more; the old revision keeps serving.
    expect((await tasksOf(harness.ecs, "STOPPED")).length).toBe(stoppedBefore);
    const running = await tasksOf(harness.ecs);
    expect(running.map((task) => task.taskDefinitionArn)).toEqual([
      created.taskDefinition,
      created.taskDefinition,
    ]);
    const [stopped] = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped).toMatchObject({ stopCode: "EssentialContainerExited", containers: [{ exitCode: 1 }] });
  });

  it("does not count failures once a deployment is COMPLETED", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, circuitBreaker(true));
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    setImageBehaviour(harness.emulator.world, "example/web:1", { failure: "crash" });
    const [task] = await tasksOf(harness.ecs);
    const { crashTask } = await import("./control.ts");
    crashTask(harness.emulator.world, { cluster: CLUSTER, task: task?.taskArn ?? "" });
    harness.emulator.advance(5 * MINUTE);
    const service = await describeWeb(harness.ecs);
    expect(
      service.deployments?.map((deployment) => [deployment.rolloutState, deployment.failedTasks]),
    ).toEqual([["COMPLETED", 0]]);
  });
});
