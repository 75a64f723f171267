/**
 * Tasks as real processes, end to end: `ecs-converge emulator --run-image` runs a service's tasks as
 * sample-app processes; SIGKILL of the emulator leaves none behind (its watchdog reaps them) and frees
 * their ports; the health-check grace period really protects a slow starter, and a too-short one
 * really causes a replacement loop.
 */
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import {
  CLUSTER,
  createWebStack,
  onContainerPort,
  targetStates,
  webService,
  webTaskDefinition,
} from "../emulator/services/ecs/test-fixtures.ts";
import { clientsFor, type TestClients } from "../emulator/test-clients.ts";
import { startEmulatorProcess } from "./support/emulator-process.ts";
import { waitFor } from "./support/wait-for.ts";

const SAMPLE_APP = fileURLToPath(new URL("../sample-app/server.ts", import.meta.url));
const IMAGE = "example/sample-app:1";
const DEADLINE_MS = 40_000;
/**
 * The SIGKILL case's container port. Once an emulator dies its loopback block is free, and an
 * emulator started by a test running alongside takes it and hands out the same seeded ENI IPs: a port
 * no other test's tasks use keeps "nothing listens any more" about this emulator's tasks alone.
 */
const SIGKILL_CASE_PORT = 18_731;

/** Pids of live processes whose command line carries `marker` (Linux: /proc). */
function markedProcesses(marker: string, except: number[] = []): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && ![process.pid, ...except].includes(Number(entry)))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function describeTasks(clients: TestClients, desiredStatus: "RUNNING" | "STOPPED"): Promise<Task[]> {
  const { taskArns = [] } = await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus }));
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await clients.ecs.send(
    new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }),
  );
  return tasks;
}

const ipOf = (task: Task) =>
  task.attachments?.[0]?.details?.find((detail) => detail.name === "privateIPv4Address")?.value ?? "";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("tasks as real processes", () => {
  it("leaves no task process and no listening socket after the emulator is SIGKILLed", {
    timeout: 120_000,
  }, async () => {
    const marker = `process-tasks-sigkill-${process.pid}`;
    const emulator = await startEmulatorProcess([
      "--port",
      "0",
      "--speed",
      "20",
      "--run-image",
      `example/sample-app:*=node ${SAMPLE_APP} ${marker}`,
    ]);
    const emulatorProcess = emulator.process;
    const url = emulator.url;
    cleanups.push(() => {
      emulatorProcess.kill("SIGKILL");
      for (const pid of markedProcesses(marker)) process.kill(pid, "SIGKILL");
    });
    const clients = clientsFor({ url } as Emulator);
    cleanups.push(() => {
      for (const client of Object.values(clients)) client.destroy();
    });
    const stack = await createWebStack(clients);
    await clients.ecs.send(
      new RegisterTaskDefinitionCommand(onContainerPort(webTaskDefinition({}, IMAGE), SIGKILL_CASE_PORT)),
    );
    await clients.ecs.send(
      new CreateServiceCommand(webService(stack, { desiredCount: 2, loadBalancers: [] })),
    );
    const ips = await waitFor(
      "two task processes listening on their ENI IPs",
      async () => {
        const ips = (await describeTasks(clients, "RUNNING")).map(ipOf).filter(Boolean);
        const serving = [];
        for (const ip of ips) if (await listening(ip, SIGKILL_CASE_PORT)) serving.push(ip);
        return serving.length === 2 ? serving : undefined;
      },
      DEADLINE_MS,
    );
    // The emulator's own command line names the marker too: count the tasks' processes only.
    expect(markedProcesses(marker, [emulatorProcess.pid ?? 0])).toHaveLength(2);

    emulatorProcess.kill("SIGKILL");
    await waitFor(
      "every task process to be gone",
      () => (markedProcesses(marker).length === 0 ? true : undefined),
      DEADLINE_MS,
    );
    // A killed process leaves /proc (its command line reads empty) a moment before the kernel closes
    // its sockets: the ports are awaited too, not read once.
    const stillListening = async () => {
      const open = [];
      for (const ip of ips) if (await listening(ip, SIGKILL_CASE_PORT)) open.push(ip);
      return open;
    };
    await waitFor(
      "the task processes' ports to close",
      async () => ((await stillListening()).length === 0 ? true : undefined),
      DEADLINE_MS,
    );
    expect(await stillListening()).toEqual([]);
  });

  it("a grace period longer than the app's startup protects it; a short one replaces it in a loop", {
    timeout: 120_000,
  }, async () => {
    const emulator = await startEmulator({
      port: 0,
      clock: new ScaledClock(20),
      images: [{ pattern: "example/slow-app:*", command: ["node", SAMPLE_APP] }],
    });
    const clients = clientsFor(emulator);
    cleanups.push(async () => {
      for (const client of Object.values(clients)) client.destroy();
      await emulator.close();
    });
    const stack = await createWebStack(clients);
    // Targets are checked once the load balancer is active: skip its provisioning.
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    // Unhealthy after 3 failed checks 10 s apart: the app answers 503 for 4 real seconds = 80 simulated ones.
    const definition = webTaskDefinition({}, "example/slow-app:1");
    const container = definition.containerDefinitions?.[0];
    if (container) container.environment = [{ name: "STARTUP_DELAY_MS", value: "4000" }];
    await clients.ecs.send(new RegisterTaskDefinitionCommand(definition));

    await clients.ecs.send(
      new CreateServiceCommand(webService(stack, { desiredCount: 1, healthCheckGracePeriodSeconds: 0 })),
    );
    const replaced = await waitFor(
      "a task stopped for failing its health checks",
      async () =>
        (await describeTasks(clients, "STOPPED")).find((task) =>
          task.stoppedReason?.startsWith("Task failed ELB health checks"),
        ),
      DEADLINE_MS,
    );
    expect(replaced.stopCode).toBe("ServiceSchedulerInitiated");

    // The same app with a grace period covering its startup turns healthy and stays.
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "web", healthCheckGracePeriodSeconds: 600 }),
    );
    await waitFor(
      "a healthy target",
      async () => {
        const states = Object.values(await targetStates(clients, stack.targetGroupArn));
        return states.includes("healthy") ? true : undefined;
      },
      DEADLINE_MS,
    );
  });
});
