/**
 * Tasks as real processes, through the real ECS, ELBv2 and CloudWatch Logs APIs: the sample app (and a
 * tiny app that shows its environment) started for each task on its ENI's loopback IP, judged by real
 * HTTP health checks, logging to the task's stream, stopped by signals, measured for CPU. Time is a
 * ScaledClock, so tests wait for states with real-time deadlines, never for durations.
 */
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ScaledClock } from "../../../clock.ts";
import { startEmulator } from "../../../server.ts";
import { clientsFor } from "../../../test-clients.ts";
import { averageCpuUtilization } from "../internal.ts";
import {
  CLUSTER,
  createWebStack,
  type Harness,
  LOG_GROUP,
  onContainerPort,
  registerWeb,
  targetStates,
  useHarness,
  webService,
  webTaskDefinition,
} from "../test-fixtures.ts";
import { SECRET_PLACEHOLDER } from "./process-runtime.ts";

const SAMPLE_APP = fileURLToPath(new URL("../../../../sample-app/server.ts", import.meta.url));
const SAMPLE_IMAGE = "example/sample-app:1";
const ENV_IMAGE = "example/env-app:1";
/** A marker in every command line this file starts, so that leftovers can be found. */
const MARKER = `process-runtime-test-${process.pid}`;

/** Serves its environment at /env; logs where it listens; exits 0 on SIGTERM. */
const ENV_APP = `
const server = require("node:http").createServer((request, response) => response.end(JSON.stringify(process.env)));
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log("env app on " + process.env.HOST + ":" + process.env.PORT));
process.on("SIGTERM", () => { console.log("env app got SIGTERM"); process.exit(0); });
`;

const IMAGES = [
  { pattern: "example/sample-app:*", command: ["node", SAMPLE_APP, MARKER] },
  { pattern: "example/env-app:*", command: ["node", "-e", ENV_APP, MARKER] },
];

/** Generous real-time deadlines: the test machines are shared 2-core boxes. */
const DEADLINE_MS = 30_000;
/**
 * The close case's container port. A closed emulator frees its loopback block, and an emulator started
 * by a test running alongside takes it and hands out the same seeded ENI IPs: a port no other test's
 * tasks use keeps "nothing listens any more" about this emulator's tasks alone.
 */
const CLOSE_CASE_PORT = 18_732;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pids of live processes whose command line carries the marker (Linux: /proc). */
function markedProcesses(marker = MARKER): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether something accepts connections on `host:port`. */
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

const ipOf = (task: Task) =>
  task.attachments?.[0]?.details?.find((detail) => detail.name === "privateIPv4Address")?.value ?? "";

async function describeAll(harness: Harness): Promise<Task[]> {
  const known = harness.emulator.world.region("us-east-1").ecs.clusters.get(CLUSTER)?.tasks;
  const arns = [...(known?.values() ?? [])].map((task) => task.arn);
  if (arns.length === 0) return [];
  const { tasks = [] } = await harness.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
  return tasks;
}

/** A service `web` of `desiredCount` tasks of `image`, behind the stack's target group. */
async function startService(harness: Harness, image: string, desiredCount: number, overrides = {}) {
  const stack = await createWebStack(harness.clients);
  await registerWeb(harness.ecs, image, overrides);
  await harness.ecs.send(
    new CreateServiceCommand(webService(stack, { desiredCount, healthCheckGracePeriodSeconds: 60 })),
  );
  return stack;
}

async function runningTasks(harness: Harness, count: number): Promise<Task[]> {
  return waitFor(`${count} running tasks`, async () => {
    const running = (await describeAll(harness)).filter(
      (task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING",
    );
    return running.length === count ? running : undefined;
  });
}

async function logLines(harness: Harness, task: Task): Promise<string[]> {
  const id = task.taskArn?.split("/").at(-1);
  const { events = [] } = await harness.clients.logs.send(
    new GetLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName: `web/web/${id}` }),
  );
  return events.map((event) => event.message ?? "");
}

describe("ProcessRuntime", () => {
  const harness = useHarness({ clock: new ScaledClock(20), images: IMAGES });

  it("runs each task as a process on its ENI's own loopback IP, healthy through real checks, logging to CloudWatch", async () => {
    const stack = await startService(harness, SAMPLE_IMAGE, 2, {
      containerDefinitions: [
        {
          name: "web",
          image: SAMPLE_IMAGE,
          portMappings: [{ containerPort: 8080 }],
          environment: [{ name: "APP_VERSION", value: "7.1.0" }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": LOG_GROUP,
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "web",
            },
          },
        },
      ],
    });
    const tasks = await runningTasks(harness, 2);
    const ips = tasks.map(ipOf);
    for (const ip of ips) expect(ip).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(new Set(ips).size).toBe(2);
    // The target IDs are the ENI IPs, and real health checks against those addresses make them healthy.
    await waitFor("both targets healthy", async () => {
      const states = await targetStates(harness.clients, stack.targetGroupArn);
      return ips.every((ip) => states[ip] === "healthy") ? true : undefined;
    });
    for (const ip of ips) {
      const answer = (await (await fetch(`http://${ip}:8080/`)).json()) as { version: string };
      expect(answer.version).toBe("7.1.0");
    }
    const first = tasks[0] as Task;
    await waitFor("the app's lines in the task's log stream", async () => {
      const lines = await logLines(harness, first);
      return lines.some((line) => line.includes('"msg":"listening"')) &&
        lines.some((line) => line.includes('"path":"/health"'))
        ? true
        : undefined;
    });
  });

  it("passes the container's environment, HOST, PORT, HOSTNAME and placeholders for secrets, never their ARNs", async () => {
    const secretArn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-password";
    await startService(harness, ENV_IMAGE, 1, {
      containerDefinitions: [
        {
          name: "web",
          image: ENV_IMAGE,
          portMappings: [{ containerPort: 8080 }],
          environment: [{ name: "GREETING", value: "hello" }],
          secrets: [{ name: "DB_PASSWORD", valueFrom: secretArn }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": LOG_GROUP,
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "web",
            },
          },
        },
      ],
    });
    const [task] = await runningTasks(harness, 1);
    const ip = ipOf(task as Task);
    const env = await waitFor("the env app to answer", async () => {
      try {
        return (await (await fetch(`http://${ip}:8080/`)).json()) as Record<string, string>;
      } catch {
        return undefined;
      }
    });
    expect(env).toMatchObject({
      GREETING: "hello",
      HOST: ip,
      PORT: "8080",
      DB_PASSWORD: SECRET_PLACEHOLDER,
      HOSTNAME: `ip-${ip.replaceAll(".", "-")}.ec2.internal`,
    });
    expect(JSON.stringify(env)).not.toContain(secretArn);
  });

  it("stops a task whose process is killed with its exit code, and the service replaces it", async () => {
    await startService(harness, SAMPLE_IMAGE, 1);
    const [task] = await runningTasks(harness, 1);
    const taskArn = task?.taskArn ?? "";
    const [pid] = harness.emulator.processes?.pidsOf(taskArn) ?? [];
    expect(pid).toBeGreaterThan(1);
    process.kill(pid as number, "SIGKILL");
    const stopped = await waitFor("the killed task to stop", async () => {
      const found = (await describeAll(harness)).find((candidate) => candidate.taskArn === taskArn);
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.stoppedReason).toBe("Essential container in task exited");
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    const [replacement] = await runningTasks(harness, 1);
    expect(replacement?.taskArn).not.toBe(taskArn);
    expect(await listening(ipOf(replacement as Task), 8080)).toBe(true);
  });

  it("StopTask sends SIGTERM: the app shuts down cleanly and exits 0", async () => {
    await startService(harness, SAMPLE_IMAGE, 1);
    const [task] = await runningTasks(harness, 1);
    const taskArn = task?.taskArn ?? "";
    await harness.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: "test" }));
    const stopped = await waitFor("the task to stop", async () => {
      const found = (await describeAll(harness)).find((candidate) => candidate.taskArn === taskArn);
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
    const lines = await logLines(harness, task as Task);
    expect(lines.some((line) => line.includes('"msg":"shutdown started"') && line.includes("SIGTERM"))).toBe(
      true,
    );
    expect(await listening(ipOf(task as Task), 8080)).toBe(false);
  });

  it("measures CPU from the processes: /burn raises the service's utilisation", async () => {
    await startService(harness, SAMPLE_IMAGE, 1);
    const [task] = await runningTasks(harness, 1);
    const ip = ipOf(task as Task);
    await waitFor("the app to listen", async () => ((await listening(ip, 8080)) ? true : undefined));
    const region = harness.emulator.world.region("us-east-1");
    let burning = true;
    const burn = (async () => {
      while (burning) {
        await fetch(`http://${ip}:8080/burn?ms=200`)
          .then((response) => response.text())
          .catch(() => undefined);
      }
    })();
    try {
      await waitFor("CPU above zero", () => {
        const percent = averageCpuUtilization(region, `service/${CLUSTER}/web`);
        return percent !== undefined && percent > 0 ? percent : undefined;
      });
    } finally {
      burning = false;
      await burn;
    }
  });
});

describe("ProcessRuntime cleanup", () => {
  it("leaves no process and no listening socket once the emulator is closed", async () => {
    const marker = `${MARKER}-close`;
    const emulator = await startEmulator({
      port: 0,
      clock: new ScaledClock(20),
      images: [{ pattern: "example/sample-app:*", command: ["node", SAMPLE_APP, marker] }],
    });
    const clients = clientsFor(emulator);
    let closed = false;
    try {
      const stack = await createWebStack(clients);
      await clients.ecs.send(
        new RegisterTaskDefinitionCommand(
          onContainerPort(webTaskDefinition({}, SAMPLE_IMAGE), CLOSE_CASE_PORT),
        ),
      );
      await clients.ecs.send(
        new CreateServiceCommand(webService(stack, { desiredCount: 2, loadBalancers: [] })),
      );
      const ips = await waitFor("two processes listening", async () => {
        const tasks = [
          ...(emulator.world.region("us-east-1").ecs.clusters.get(CLUSTER)?.tasks.values() ?? []),
        ];
        const serving = [];
        for (const task of tasks)
          if (await listening(task.eni.privateIp, CLOSE_CASE_PORT)) serving.push(task.eni.privateIp);
        return serving.length === 2 ? serving : undefined;
      });
      expect(markedProcesses(marker)).toHaveLength(2);
      await emulator.close();
      closed = true;
      expect(markedProcesses(marker)).toEqual([]);
      for (const ip of ips) expect(await listening(ip, CLOSE_CASE_PORT)).toBe(false);
    } finally {
      for (const client of Object.values(clients)) client.destroy();
      if (!closed) await emulator.close();
    }
  });
});
