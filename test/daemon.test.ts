/**
 * The daemon end to end: `ecs-converge run` as a child process against the emulator, through the SDK's
 * standard environment. Assertions read the emulator (what AWS holds), the daemon's /status and its
 * JSON log lines; never the calls that got there, never wall-clock durations.
 */
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyPlan, planService } from "../controller/engine/reconcile.ts";
import { parseSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import {
  type DaemonProcess,
  type DaemonStatus,
  killDaemons,
  spawnDaemonProcess,
  startDaemonProcess,
} from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

type Patch = Parameters<typeof merge>[1];

let aws: EmulatedAws;
let directory: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  await aws?.close();
});
beforeEach(async () => {
  aws.emulator.reset();
  aws.emulator.clearFaults();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-daemon-"));
});
afterEach(async () => {
  await killDaemons();
  await rm(directory, { recursive: true, force: true });
});

const DAEMON_KEY = "daemon";
const environment = () => ({
  AWS_ENDPOINT_URL: aws.emulator.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: DAEMON_KEY,
  AWS_SECRET_ACCESS_KEY: "daemon",
});

const specText = (name: string, patch: Patch = {}) => specYaml(merge({ metadata: { name } }, patch));

async function writeSpec(file: string, name: string, patch: Patch = {}): Promise<string> {
  const path = join(directory, file);
  await writeFile(path, specText(name, patch));
  return path;
}

const serviceStatus = (status: DaemonStatus, name: string) =>
  status.services.find((service) => service.service === name);
const conditionOf = (status: DaemonStatus, name: string, type: string) =>
  serviceStatus(status, name)?.conditions.find((condition) => condition.type === type)?.status;

async function waitUntilReady(daemon: DaemonProcess, name: string): Promise<void> {
  await waitFor(
    `service ${name} to be Ready`,
    async () => {
      const status = await daemon.status();
      return conditionOf(status, name, "Ready") === "True" && conditionOf(status, name, "Synced") === "True"
        ? true
        : undefined;
    },
    60_000,
  );
}

async function describeService(name: string) {
  const { services = [] } = await aws.operator.ecs
    .send(new DescribeServicesCommand({ cluster: name, services: [name] }))
    .catch((error: Error) => {
      // Pruning deletes the service's cluster too.
      if (error.name === "ClusterNotFoundException") return { services: [] };
      throw error;
    });
  return services.find((service) => service.status === "ACTIVE");
}

describe("ecs-converge run", () => {
  it("converges a service, answers its endpoints, and exits 0 on SIGTERM", async () => {
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file], environment());
    await waitUntilReady(daemon, "web");
    expect((await describeService("web"))?.runningCount).toBe(2);

    const healthz = await fetch(`${daemon.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/ecs_converge_reconciles_total\{service="web",result="(synced|requeue)"\} [1-9]/);
    expect(metrics).toMatch(/ecs_converge_aws_calls_total\{aws_service="ecs",operation="CreateService"\} 1/);
    // Counters of what has not happened exist, at zero, from the start.
    expect(metrics).toMatch(/ecs_converge_reconciles_total\{service="web",result="terminal"\} 0/);
    expect(metrics).toMatch(/ecs_converge_services\{condition="Ready",status="True"\} 1/);
    const status = await daemon.status();
    expect(status.ready).toBe(true);
    expect(serviceStatus(status, "web")?.rollout).toMatchObject({ stable: true, running: 2, desired: 2 });
    // Per service, how its last pass ended and how long it took (/metrics has durations by result only).
    expect(serviceStatus(status, "web")?.lastReconcile).toMatchObject({
      result: expect.stringMatching(/^(synced|requeue)$/),
      durationMs: expect.any(Number),
    });
    expect(metrics).not.toMatch(/reconcile_duration_seconds_count\{service=/);
    // How stale the stalest in-sync service's view is: one figure for the fleet.
    expect(metrics).toMatch(/^ecs_converge_oldest_sync_seconds \d+(\.\d+)?$/m);
    expect(metrics).toMatch(
      /ecs_converge_reconcile_duration_seconds_count\{result="(synced|requeue)"\} [1-9]/,
    );
    // The first pass of a service the daemon starts with goes with the first round: its wait is counted so.
    expect(metrics).toMatch(/^ecs_converge_pass_slot_wait_seconds_count\{priority="first"\} [1-9]/m);
    expect(
      daemon
        .logs()
        .some((line) => line.msg === "created" && line.resource === "Service" && line.service === "web"),
    ).toBe(true);

    expect(await daemon.stop()).toBe(0);
  });

  it("reconciles an edit of the file: image, desired count and health check path", async () => {
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file], environment());
    await waitUntilReady(daemon, "web");

    await writeSpec("service.yaml", "web", {
      spec: {
        task: { container: { image: "registry.example.com/web:2.0.0" } },
        service: { desiredCount: 3 },
        loadBalancer: { healthCheck: { path: "/ready" } },
      },
    });
    await daemon.waitForLog(
      "the edit to be seen",
      (line) => line.msg === "spec changed" && line.service === "web",
    );
    await waitFor(
      "the edit to reach AWS",
      async () => {
        const service = await describeService("web");
        if (service?.desiredCount !== 3) return undefined;
        const { taskDefinition } = await aws.operator.ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
        );
        const { TargetGroups = [] } = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
        return taskDefinition?.containerDefinitions?.[0]?.image === "registry.example.com/web:2.0.0" &&
          TargetGroups[0]?.HealthCheckPath === "/ready"
          ? true
          : undefined;
      },
      60_000,
    );
    await waitUntilReady(daemon, "web");
    expect(await daemon.stop()).toBe(0);
  });

  it("keeps the last good spec in force after an invalid edit, and says where the problem is", async () => {
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file], environment());
    await waitUntilReady(daemon, "web");

    await writeFile(file, specText("web", { spec: { task: { cpu: 3 } } }));
    const invalid = await daemon.waitForLog(
      "the invalid edit to be reported",
      (line) => line.msg === "invalid spec",
    );
    expect(String(invalid.issue)).toMatch(
      /service\.yaml:\d+:\d+ spec\.task\.cpu: must be one of Fargate's CPU values/,
    );
    const status = await daemon.status();
    expect(status.problems[0]?.issues[0]).toMatch(/spec\.task\.cpu/);
    expect(conditionOf(status, "web", "Synced")).toBe("True");
    expect(daemon.child.exitCode).toBeNull();
    expect((await describeService("web"))?.desiredCount).toBe(2);
    expect(await daemon.stop()).toBe(0);
  });

  it("logs drift made out of band and repairs it on the next resync", async () => {
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file, "--resync", "1s"], environment());
    await waitUntilReady(daemon, "web");

    await aws.operator.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
    );
    const drift = await daemon.waitForLog(
      "drift to be logged",
      (line) => line.msg === "drift detected" && line.resource === "LogGroup",
    );
    expect(drift).toMatchObject({
      service: "web",
      name: "/ecs/web",
      path: "retentionInDays",
      desired: 30,
      observed: 1,
      level: 40,
    });
    await waitFor("the drift to be repaired", async () => {
      const { logGroups = [] } = await aws.operator.logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
      );
      return logGroups[0]?.retentionInDays === 30 ? true : undefined;
    });
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toMatch(
      /ecs_converge_drift_total\{service="web",resource="LogGroup",field="retentionInDays"\} [1-9]/,
    );
    expect(await daemon.stop()).toBe(0);
  });

  it("--dry-run logs the same drift and changes nothing", async () => {
    const document = parseSpec(specText("web"), "service.yaml").spec;
    await applyPlan(await planService(aws.clients, document), () => {});
    await aws.operator.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
    );

    const file = await writeSpec("service.yaml", "web");
    aws.emulator.calls.reset();
    const daemon = await startDaemonProcess(["-f", file, "--dry-run", "--resync", "1s"], environment());
    await daemon.waitForLog(
      "drift to be logged",
      (line) => line.msg === "drift detected" && line.path === "retentionInDays",
    );
    await waitFor("a second pass", () =>
      daemon.logs().filter((line) => line.msg === "drift detected").length >= 2 ? true : undefined,
    );

    const mutations = aws.emulator.calls
      .calls()
      .filter((call) => call.accessKeyId === DAEMON_KEY && !/^(Describe|List|Get)/.test(call.operation));
    expect(mutations).toEqual([]);
    const { logGroups = [] } = await aws.operator.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
    );
    expect(logGroups[0]?.retentionInDays).toBe(1);
    expect(conditionOf(await daemon.status(), "web", "Synced")).toBe("False");
    expect(await daemon.stop()).toBe(0);
  });

  it("converges every service of a directory while one spec is broken", async () => {
    await writeSpec("alpha.yaml", "alpha");
    await writeSpec("beta.yaml", "beta");
    await writeFile(join(directory, "broken.yaml"), "apiVersion: ecs-converge/v1\nkind: [\n");
    const daemon = await startDaemonProcess(["-f", directory], environment());
    await waitUntilReady(daemon, "alpha");
    await waitUntilReady(daemon, "beta");
    const status = await daemon.status();
    expect(status.problems.map((problem) => problem.file)).toEqual([join(directory, "broken.yaml")]);
    expect(await daemon.stop()).toBe(0);
  });

  it("stops managing a service whose file is deleted, and deletes nothing", async () => {
    await writeSpec("alpha.yaml", "alpha");
    const beta = await writeSpec("beta.yaml", "beta");
    const daemon = await startDaemonProcess(["-f", directory], environment());
    await waitUntilReady(daemon, "beta");
    await unlink(beta);
    await daemon.waitForLog(
      "the deletion to be logged",
      (line) => line.msg.startsWith("spec file deleted") && line.service === "beta",
    );
    expect(serviceStatus(await daemon.status(), "beta")).toBeUndefined();
    expect((await describeService("beta"))?.status).toBe("ACTIVE");
    expect(await daemon.stop()).toBe(0);
  });

  it("with --prune, destroys the service whose spec file is deleted", async () => {
    await writeSpec("alpha.yaml", "alpha");
    const beta = await writeSpec("beta.yaml", "beta");
    const daemon = await startDaemonProcess(["-f", directory, "--prune"], environment());
    await waitUntilReady(daemon, "beta");
    await unlink(beta);
    await daemon.waitForLog(
      "the prune to finish",
      (line) => line.msg.startsWith("pruned") && line.service === "beta",
      60_000,
    );
    expect(await describeService("beta")).toBeUndefined();
    const { LoadBalancers = [] } = await aws.operator.elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(LoadBalancers.map((balancer) => balancer.LoadBalancerName)).toEqual(["alpha"]);
    expect(conditionOf(await daemon.status(), "alpha", "Ready")).toBe("True");
    expect(await daemon.stop()).toBe(0);
  });

  it("exits at once on a second signal, without waiting for the pass in flight", async () => {
    // Every AWS call takes seconds: the first pass is still in flight when the signals arrive.
    aws.emulator.injectFaults({ rules: [{ latencyMs: 3000 }] });
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file], environment());
    daemon.child.kill("SIGTERM");
    await daemon.waitForLog("the first signal to be taken", (line) => line.msg === "shutting down");
    daemon.child.kill("SIGTERM");
    // A graceful stop would end with 0 once the slow pass finished; the second signal ends it now, with 1.
    expect(await daemon.exited).toBe(1);
  });

  it("stops cleanly on a signal that lands while it is still starting up", async () => {
    // Every AWS call takes a second: joining the replicas (lease table calls) holds the start-up open.
    aws.emulator.injectFaults({ rules: [{ latencyMs: 1000 }] });
    const file = await writeSpec("service.yaml", "web");
    const daemon = spawnDaemonProcess(["-f", file, "--lease-table", "ecs-converge-leases"], environment());
    await daemon.waitForLog("the daemon to join the replicas", (line) =>
      line.msg.startsWith("joining the replicas"),
    );
    daemon.child.kill("SIGTERM");
    // Killed outright by the signal, the exit code would be null; a clean stop is 0, after "shutting down".
    expect(await daemon.exited).toBe(0);
    expect(daemon.logs().map((line) => line.msg)).toContain("shutting down");
  });

  it("converges through throttling: slower, not broken, and no throttle is told as a failure", async () => {
    aws.emulator.injectFaults({ seed: 11, rules: [{ throttleRate: 0.3 }] });
    const file = await writeSpec("service.yaml", "web");
    const daemon = await startDaemonProcess(["-f", file], environment());
    await waitUntilReady(daemon, "web");
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/ecs_converge_aws_throttles_total\{[^}]*\} [1-9]/);
    // Throttles are absorbed (retried, or the pass requeued with a warn-level "throttled" line).
    expect(daemon.logs().filter((line) => line.msg.startsWith("reconcile failed"))).toEqual([]);
    expect(await daemon.stop()).toBe(0);
  });
});
