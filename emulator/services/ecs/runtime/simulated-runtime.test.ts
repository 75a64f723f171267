import { describe, expect, it } from "vitest";
import { DEFAULT_ECS_TIMINGS } from "../timings.ts";
import { SimulatedRuntime } from "./simulated-runtime.ts";
import type { RuntimeTask } from "./task-runtime.ts";

const { ecsImagePullMs: PULL, ecsContainerBootMs: BOOT, ecsContainerStopMs: STOP } = DEFAULT_ECS_TIMINGS;

const task = (id: string, image = "app:1", workload = "prod/service:web"): RuntimeTask => ({
  taskArn: `arn:task/${id}`,
  workload,
  ip: "10.0.0.1",
  cpuUnits: 256,
  containers: [
    {
      name: "app",
      image,
      essential: true,
      ports: [8080],
      stopTimeoutSeconds: 30,
      environment: {},
      secretNames: [],
    },
  ],
});

describe("SimulatedRuntime", () => {
  it("pulls, runs, then answers health checks on its mapped port once booted", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.start(task("a"), 0);
    expect(runtime.status("arn:task/a", "app", PULL - 1)).toEqual({ phase: "starting" });
    expect(runtime.status("arn:task/a", "app", PULL)).toEqual({ phase: "running" });
    expect(runtime.probe("arn:task/a", 8080, "/health", PULL + BOOT - 1)).toBe(false);
    expect(runtime.probe("arn:task/a", 8080, "/health", PULL + BOOT)).toBe(true);
    expect(runtime.probe("arn:task/a", 9090, "/health", PULL + BOOT)).toBe(false);
    expect(runtime.takeOutput("arn:task/a", PULL).map((line) => line.message)).toEqual([
      "listening on port 8080",
    ]);
    expect(runtime.takeOutput("arn:task/a", PULL)).toEqual([]);
  });

  it("exits with 0 shortly after SIGTERM, and without a code when stopped while pulling", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.start(task("a"), 0);
    runtime.start(task("b"), 0);
    runtime.stop("arn:task/a", PULL + 1);
    expect(runtime.status("arn:task/a", "app", PULL + 1)).toEqual({ phase: "running" });
    expect(runtime.status("arn:task/a", "app", PULL + 1 + STOP)).toEqual({ phase: "exited", exitCode: 0 });
    runtime.stop("arn:task/b", 1);
    expect(runtime.status("arn:task/b", "app", 1)).toEqual({ phase: "exited" });
  });

  it("fails every task of an image that cannot be pulled, once the pull would have finished", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.setImageBehaviour("app:bad", { failure: "pull" });
    runtime.start(task("a", "app:bad"), 0);
    expect(runtime.status("arn:task/a", "app", 0)).toEqual({ phase: "starting" });
    expect(runtime.status("arn:task/a", "app", PULL)).toMatchObject({
      phase: "failed",
      reason: expect.stringMatching(/^CannotPullContainerError: .*app:bad/),
    });
  });

  it("crashes a crashing image soon after it starts, and a task on demand", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.setImageBehaviour("app:crash", { failure: "crash", exitCode: 2 });
    runtime.start(task("a", "app:crash"), 0);
    expect(runtime.status("arn:task/a", "app", PULL + DEFAULT_ECS_TIMINGS.ecsCrashAfterMs)).toEqual({
      phase: "exited",
      exitCode: 2,
    });
    runtime.start(task("b"), 0);
    runtime.crash("arn:task/b", PULL + BOOT, 137);
    expect(runtime.status("arn:task/b", "app", PULL + BOOT)).toMatchObject({
      phase: "exited",
      exitCode: 137,
    });
  });

  it("fails health checks for a sick task or an image marked unhealthy, and boots slowly when told", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.setImageBehaviour("app:slow", { bootMs: 60_000 });
    runtime.start(task("slow", "app:slow"), 0);
    expect(runtime.probe("arn:task/slow", 8080, "/", PULL + BOOT)).toBe(false);
    expect(runtime.probe("arn:task/slow", 8080, "/", PULL + 60_000)).toBe(true);
    runtime.start(task("sick"), 0);
    runtime.setUnhealthy("arn:task/sick", true);
    expect(runtime.probe("arn:task/sick", 8080, "/", PULL + BOOT)).toBe(false);
    runtime.setUnhealthy("arn:task/sick", false);
    runtime.setImageBehaviour("app:1", { failure: "unhealthy" });
    expect(runtime.probe("arn:task/sick", 8080, "/", PULL + BOOT)).toBe(false);
  });

  it("spreads a workload's CPU over its running tasks", () => {
    const runtime = new SimulatedRuntime(DEFAULT_ECS_TIMINGS);
    runtime.start(task("a"), 0);
    expect(runtime.cpuPercent("arn:task/a", 0)).toBeUndefined();
    expect(runtime.cpuPercent("arn:task/a", PULL)).toBe(DEFAULT_ECS_TIMINGS.ecsDefaultCpuPercent);
    runtime.setWorkload("prod/service:web", { percent: 80, tasks: 1 });
    expect(runtime.cpuPercent("arn:task/a", PULL)).toBe(80);
    runtime.start(task("b"), 0);
    expect(runtime.cpuPercent("arn:task/a", PULL)).toBe(40);
    runtime.setWorkload("prod/service:web", { percent: 300, tasks: 1 });
    expect(runtime.cpuPercent("arn:task/b", PULL)).toBe(100);
  });
});
