/** The contract other services call (ELBv2 probes, Application Auto Scaling). Needs EC2 and ELBv2. */
import { describe, expect, it } from "vitest";
import { setServiceCpu, setTaskHealth } from "./control.ts";
import { averageCpuUtilization, findServiceByResourceId, probeTarget, setDesiredCount } from "./internal.ts";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  ipOf,
  isSteady,
  tasksOf,
  useHarness,
} from "./test-fixtures.ts";

const harness = useHarness();
const WEB = `service/${CLUSTER}/web`;
const region = () => harness.emulator.world.region("us-east-1");

async function steadyWeb() {
  const stack = await createWebStack(harness.clients);
  await createWebService(harness.ecs, stack);
  await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
}

describe("probeTarget", () => {
  it("answers for a running task's container port, as the runtime says", async () => {
    await steadyWeb();
    const [task] = await tasksOf(harness.ecs);
    const ip = ipOf(task ?? {});
    const { world } = harness.emulator;
    expect(probeTarget(world, region(), ip, 8080, "/health")).toBe(true);
    expect(probeTarget(world, region(), ip, 9090, "/health")).toBe(false);
    expect(probeTarget(world, region(), "10.255.255.1", 8080, "/health")).toBe(false);
    setTaskHealth(world, { cluster: CLUSTER, task: task?.taskArn ?? "" }, false);
    expect(probeTarget(world, region(), ip, 8080, "/health")).toBe(false);
  });
});

describe("findServiceByResourceId and setDesiredCount", () => {
  it("finds ACTIVE services only", async () => {
    await steadyWeb();
    expect(findServiceByResourceId(region(), WEB)).toEqual({
      clusterName: CLUSTER,
      serviceName: "web",
      status: "ACTIVE",
      desiredCount: 2,
      runningCount: 2,
    });
    expect(findServiceByResourceId(region(), `service/${CLUSTER}/nope`)).toBeUndefined();
    expect(findServiceByResourceId(region(), "web")).toBeUndefined();
  });

  it("scales without starting a deployment", async () => {
    await steadyWeb();
    const before = await describeWeb(harness.ecs);
    setDesiredCount(region(), WEB, 3, harness.emulator.world.time);
    await advanceUntil(harness, "a steady state at 3", () => isSteady(harness.ecs));
    const after = await describeWeb(harness.ecs);
    expect(after.desiredCount).toBe(3);
    expect(after.deployments?.map((deployment) => deployment.id)).toEqual(
      before.deployments?.map((deployment) => deployment.id),
    );
    expect(await tasksOf(harness.ecs)).toHaveLength(3);
  });
});

describe("averageCpuUtilization", () => {
  it("averages the workload over running tasks, which share a load set through the control", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    expect(averageCpuUtilization(region(), WEB)).toBeUndefined();
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    expect(averageCpuUtilization(region(), WEB)).toBe(10);
    setServiceCpu(harness.emulator.world, { cluster: CLUSTER, service: "web" }, 80);
    expect(averageCpuUtilization(region(), WEB)).toBe(80);
    setDesiredCount(region(), WEB, 4, harness.emulator.world.time);
    await advanceUntil(harness, "a steady state at 4", () => isSteady(harness.ecs));
    expect(averageCpuUtilization(region(), WEB)).toBe(40);
  });
});
