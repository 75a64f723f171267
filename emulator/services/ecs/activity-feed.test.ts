import { CreateServiceCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { EcsActivityFeed } from "./activity-feed.ts";
import { crashTask } from "./control.ts";
import { CLUSTER, createWebStack, MINUTE, registerWeb, useHarness, webService } from "./test-fixtures.ts";

const harness = useHarness();

describe("EcsActivityFeed", () => {
  it("tells each new service event once, oldest first, and each stopped task with why and its exit codes", async () => {
    const { emulator, clients } = harness;
    const feed = new EcsActivityFeed(emulator.world);
    expect(feed.take()).toEqual([]);
    const stack = await createWebStack(clients);
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    await registerWeb(clients.ecs);
    await clients.ecs.send(new CreateServiceCommand(webService(stack, { desiredCount: 1 })));
    emulator.advance(2 * MINUTE);
    const started = feed.take();
    expect(started.map((activity) => activity.kind === "service event" && activity.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\(service web\) has started 1 tasks/)]),
    );
    expect(
      started.findIndex((a) => a.kind === "service event" && /has started/.test(a.message)),
    ).toBeLessThan(started.findIndex((a) => a.kind === "service event" && /steady state/.test(a.message)));
    expect(feed.take()).toEqual([]);

    const { taskArns = [] } = await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER }));
    const taskId = taskArns[0]?.split("/").pop() ?? "";
    crashTask(emulator.world, { cluster: CLUSTER, task: taskId }, 137);
    emulator.advance(MINUTE);
    const healed = feed.take();
    expect(healed).toContainEqual({
      kind: "task stopping",
      at: expect.any(Number),
      region: "us-east-1",
      cluster: CLUSTER,
      service: "web",
      task: taskId,
      stopCode: "EssentialContainerExited",
      reason: "Essential container in task exited",
      exitCodes: { web: 137 },
    });
    // Told in the order it happened: the crashed task first, then its replacement.
    const stopping = healed.findIndex((activity) => activity.kind === "task stopping");
    const replaced = healed.findIndex(
      (activity) => activity.kind === "service event" && /has started 1 tasks/.test(activity.message),
    );
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(replaced).toBeGreaterThan(stopping);
    expect(feed.take()).toEqual([]);
  });
});
