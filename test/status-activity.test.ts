/**
 * `status` answers what on-call asks: the service's recent events, its tasks (revision, health, when
 * started, why stopped), autoscaling against its bounds with the last scaling activity; and a service
 * that is not there says so. Through the CLI, against the emulator.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { merge, specYaml } from "../specs/test-builders.ts";
import { useCliSession } from "./support/cli-session.ts";

const session = useCliSession("status-test");
const { run } = session;

async function specFile(minTasks: number): Promise<string> {
  const file = join(session.directory, "service.yaml");
  await writeFile(
    file,
    specYaml(merge({ metadata: { name: "web" } }, { spec: { autoscaling: { minTasks, maxTasks: 6 } } })),
  );
  return file;
}

describe("status", () => {
  it("shows autoscaling with its last activity, the tasks with a stopped one's reason, and recent events", async () => {
    expect((await run("apply", "-f", await specFile(2), "--wait", "--poll-interval", "1s")).code).toBe(0);
    // Someone raises the minimum: Application Auto Scaling sets the count itself, a scaling activity.
    await session.aws.operator.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: "service/web/web",
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 3,
        MaxCapacity: 6,
      }),
    );
    const { taskArns = [] } = await session.aws.operator.ecs.send(
      new ListTasksCommand({ cluster: "web", serviceName: "web" }),
    );
    await session.aws.operator.ecs.send(
      new StopTaskCommand({ cluster: "web", task: taskArns[0], reason: "stopped by on-call" }),
    );
    const stoppedId = taskArns[0]?.split("/").pop();

    const json = await run("status", "-f", join(session.directory, "service.yaml"), "--json");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.deployed).toBe(true);
    expect(report.autoscaling).toMatchObject({
      desired: 3,
      min: 3,
      max: 6,
      lastActivity: {
        description: "Setting desired count to 3.",
        cause: "minimum capacity was set to 3",
        status: "Successful",
      },
    });
    const running = report.tasks.filter((task: { status: string }) => task.status === "RUNNING");
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running[0]).toMatchObject({ revision: "web:1", startedAt: expect.any(String) });
    expect(running.map((task: { health: string }) => task.health)).toContain("healthy");
    expect(report.tasks).toContainEqual(
      expect.objectContaining({ id: stoppedId, stoppedReason: "stopped by on-call" }),
    );
    expect(report.events.map((event: { message: string }) => event.message)).toContainEqual(
      expect.stringMatching(/^\(service web\) /),
    );

    const human = await run("status", "-f", join(session.directory, "service.yaml"));
    expect(human.stdout).toMatch(
      /autoscaling: 3 desired within \[3, 6\]; last activity \S+ Successful: Setting desired count to 3\./,
    );
    expect(human.stdout).toMatch(new RegExp(`${stoppedId} web:1 \\w+ .*: stopped by on-call`));
    expect(human.stdout).toMatch(/\n {4}[0-9a-f]{32} web:1 RUNNING healthy started \S+\n/);
    expect(human.stdout).toMatch(/recent events:\n {4}\S+ \(service web\) /);
  });

  it("says a service that was destroyed is not deployed, not that it differs from the spec", async () => {
    const file = await specFile(2);
    expect((await run("apply", "-f", file)).code).toBe(0);
    expect((await run("destroy", "-f", file, "--yes")).code).toBe(0);

    const human = await run("status", "-f", file);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Service "web" in us-east-1: not deployed \(apply creates it\)/);
    expect(human.stdout).not.toMatch(/differs from the spec/);
    const report = JSON.parse((await run("status", "-f", file, "--json")).stdout);
    expect(report).toMatchObject({ deployed: false, tasks: [], events: [] });
    expect(report.autoscaling).toBeUndefined();
  });

  it("says what remains when the service is gone but something of it is left (destroy --keep-logs)", async () => {
    const file = await specFile(2);
    expect((await run("apply", "-f", file)).code).toBe(0);
    expect((await run("destroy", "-f", file, "--yes", "--keep-logs")).code).toBe(0);
    const human = await run("status", "-f", file);
    expect(human.stdout).toMatch(/not deployed: the ECS service does not exist; 1 of \d+ resources remain/);
  });
});
