/**
 * Several daemons on one directory of specs, coordinating through leases in the emulator's DynamoDB:
 * every service converges once (no duplicate resource), the replicas share the fleet, a killed
 * replica's services move to the others, a paused one never writes again once its leases may have
 * moved, and a converged fleet stays quiet (no ping-pong). Each replica calls AWS with its own access
 * key, so the emulator's call log tells who wrote what.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isReadOnlyOperation } from "../controller/aws/call-guard.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { type DaemonProcess, killDaemons, startDaemonProcess } from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

const cli = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
const LEASE_DURATION = "4s";

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
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-replicas-"));
});
afterEach(async () => {
  await killDaemons();
  await rm(directory, { recursive: true, force: true });
});

interface LeaseStatus {
  leases?: { replica: string; leases: Array<{ service: string; owner?: string }> };
  services: Array<{ service: string; conditions: Array<{ type: string; status: string }> }>;
}

async function writeSpec(name: string, image = "registry.example.com/web:1.0.0"): Promise<void> {
  await writeFile(
    join(directory, `${name}.yaml`),
    specYaml(merge({ metadata: { name } }, { spec: { task: { container: { image } } } })),
  );
}

function startReplica(id: string): Promise<DaemonProcess> {
  return startDaemonProcess(
    [
      "-f",
      directory,
      "--lease-table",
      "ecs-converge-leases",
      "--lease-duration",
      LEASE_DURATION,
      "--call-timeout",
      "1s",
      "--connect-timeout",
      "500ms",
      "--replica-id",
      id,
      "--resync",
      "2s",
    ],
    {
      AWS_ENDPOINT_URL: aws.emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: id,
      AWS_SECRET_ACCESS_KEY: id,
    },
  );
}

const statusOf = async (replica: DaemonProcess) => (await replica.status()) as unknown as LeaseStatus;

/** Who holds each service's lease, as `replica` reads the table. */
async function leaseOwners(replica: DaemonProcess): Promise<Record<string, string | undefined>> {
  const status = await statusOf(replica);
  return Object.fromEntries((status.leases?.leases ?? []).map((lease) => [lease.service, lease.owner]));
}

/** Waits until every service is Ready and Synced on the replica that manages it, each on exactly one. */
async function waitForFleet(replicas: DaemonProcess[], services: string[]): Promise<void> {
  await waitFor(
    "every service converged, each managed by exactly one replica",
    async () => {
      const statuses = await Promise.all(replicas.map(statusOf));
      const ok = services.every((service) => {
        const managing = statuses.flatMap((status) =>
          status.services.filter((entry) => entry.service === service),
        );
        return (
          managing.length === 1 &&
          ["Ready", "Synced"].every(
            (type) => managing[0]?.conditions.find((condition) => condition.type === type)?.status === "True",
          )
        );
      });
      return ok ? true : undefined;
    },
    90_000,
  );
}

/** Exactly one of each resource per service (and one revision per image): nothing was created twice. */
async function expectNoDuplicates(services: string[], edited?: string): Promise<void> {
  const { operator } = aws;
  const { SecurityGroups = [] } = await operator.ec2.send(new DescribeSecurityGroupsCommand({}));
  const { TargetGroups = [] } = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const { LoadBalancers = [] } = await operator.elbv2.send(new DescribeLoadBalancersCommand({}));
  for (const service of services) {
    expect(SecurityGroups.filter((group) => group.GroupName === `${service}-tasks`)).toHaveLength(1);
    expect(SecurityGroups.filter((group) => group.GroupName === `${service}-alb`)).toHaveLength(1);
    expect(TargetGroups.filter((group) => group.TargetGroupName?.startsWith(`${service}-`))).toHaveLength(1);
    expect(LoadBalancers.filter((balancer) => balancer.LoadBalancerName === service)).toHaveLength(1);
    const { taskDefinitionArns = [] } = await operator.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: service }),
    );
    expect(taskDefinitionArns).toHaveLength(service === edited ? 2 : 1);
  }
  const created = aws.emulator.calls
    .calls()
    .filter(
      (call) => ["CreateCluster", "CreateService", "CreateLogGroup"].includes(call.operation) && !call.error,
    );
  expect(created).toHaveLength(3 * services.length);
}

/** AWS writes (the lease table's aside) by `replica` since the call log held `from` calls. */
const writesBy = (replica: string, from = 0) =>
  aws.emulator.calls
    .calls()
    .slice(from)
    .filter(
      (call) =>
        call.accessKeyId === replica && call.service !== "dynamodb" && !isReadOnlyOperation(call.operation),
    );

/** Reconcile passes a replica has finished, from its metrics. */
async function reconcilesOf(replica: DaemonProcess): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return [...text.matchAll(/^ecs_converge_reconciles_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

/** Waits until the replicas together have finished `count` more reconcile passes. */
async function waitForResyncs(replicas: DaemonProcess[], count: number): Promise<void> {
  const total = async () => (await Promise.all(replicas.map(reconcilesOf))).reduce((a, b) => a + b, 0);
  const start = await total();
  await waitFor("more resyncs", async () => ((await total()) >= start + count ? true : undefined), 60_000);
}

async function imageOf(service: string): Promise<string | undefined> {
  const { services = [] } = await aws.operator.ecs.send(
    new DescribeServicesCommand({ cluster: service, services: [service] }),
  );
  const { taskDefinition } = await aws.operator.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: services[0]?.taskDefinition }),
  );
  return taskDefinition?.containerDefinitions?.[0]?.image;
}

describe("replicas sharing a fleet through leases", () => {
  it("two replicas split the fleet without duplicates; a killed one's services move to the other", async () => {
    const services = ["alpha", "bravo", "charlie", "delta"];
    for (const service of services) await writeSpec(service);
    const [one, two] = await Promise.all([startReplica("one"), startReplica("two")]);

    await waitForFleet([one, two], services);
    await expectNoDuplicates(services);
    // Whoever started first may have taken every lease; within a few rounds they share 2 and 2.
    const owners = await waitFor(
      "the replicas to share the fleet fairly",
      async () => {
        const table = await leaseOwners(one);
        const held = (replica: string) => Object.values(table).filter((owner) => owner === replica).length;
        return held("one") === 2 && held("two") === 2 ? table : undefined;
      },
      30_000,
    );
    await waitForFleet([one, two], services);

    // Converged and quiet: several resyncs and lease rounds later, nobody has written anything.
    const quietFrom = aws.emulator.calls.calls().length;
    await waitForResyncs([one, two], 2 * services.length);
    expect([...writesBy("one", quietFrom), ...writesBy("two", quietFrom)]).toEqual([]);

    one.child.kill("SIGKILL");
    await waitFor(
      "replica two to take over every lease",
      async () => {
        const table = await leaseOwners(two);
        return services.every((service) => table[service] === "two") ? true : undefined;
      },
      30_000,
    );
    // A change to a service the dead replica managed is made by the survivor.
    const orphan = services.find((service) => owners[service] === "one") ?? "alpha";
    await writeSpec(orphan, "registry.example.com/web:2.0.0");
    await waitFor(
      "the survivor to roll out the edit",
      async () => ((await imageOf(orphan)) === "registry.example.com/web:2.0.0" ? true : undefined),
      60_000,
    );
    await waitForFleet([two], services);
    await expectNoDuplicates(services, orphan);
  });

  it("three replicas: a paused one loses its leases and never writes again; the fleet stays converged", async () => {
    const services = ["alpha", "bravo", "charlie"];
    for (const service of services) await writeSpec(service);
    const replicas = await Promise.all([startReplica("one"), startReplica("two"), startReplica("three")]);
    const [one, two, three] = replicas as [DaemonProcess, DaemonProcess, DaemonProcess];

    await waitForFleet(replicas, services);
    await expectNoDuplicates(services);
    // Whoever started first may have taken every lease: wait for one each before pausing one replica.
    const before = await waitFor(
      "the replicas to share the fleet fairly",
      async () => {
        const table = await leaseOwners(one);
        const owners = Object.values(table);
        return ["one", "two", "three"].every((id) => owners.filter((owner) => owner === id).length === 1)
          ? table
          : undefined;
      },
      30_000,
    );
    await waitForFleet(replicas, services);
    const pausedServices = services.filter((service) => before[service] === "two");
    expect(pausedServices.length).toBeGreaterThanOrEqual(1);

    two.child.kill("SIGSTOP");
    const pausedFrom = aws.emulator.calls.calls().length;
    await waitFor(
      "the paused replica's leases to move",
      async () => {
        const table = await leaseOwners(one);
        return pausedServices.every((service) => table[service] === "one" || table[service] === "three")
          ? true
          : undefined;
      },
      30_000,
    );
    const edited = pausedServices[0] ?? "alpha";
    await writeSpec(edited, "registry.example.com/web:3.0.0");
    await waitFor(
      "a live replica to roll out the edit",
      async () => ((await imageOf(edited)) === "registry.example.com/web:3.0.0" ? true : undefined),
      60_000,
    );

    // Resumed, it finds its leases gone and stops managing those services, having written nothing.
    two.child.kill("SIGCONT");
    await two.waitForLog(
      "the resumed replica to notice",
      (line) =>
        (line.msg === "lease lost" || line.msg === "lease lapsed: it was not renewed in time") &&
        line.replica === "two",
      30_000,
    );
    await waitForFleet([one, two, three], services);
    expect(writesBy("two", pausedFrom)).toEqual([]);
    await expectNoDuplicates(services, edited);
  });

  it("SIGTERM cuts a hung pass short after the grace and hands the lease back, instead of waiting for the pass", async () => {
    await writeSpec("alpha");
    // Every ECS call hangs for longer than the test waits for the replica to exit.
    aws.emulator.injectFaults({ rules: [{ service: "ecs", latencyMs: 30_000 }] });
    try {
      const replica = await startDaemonProcess(
        [
          "-f",
          directory,
          "--lease-table",
          "ecs-converge-leases",
          "--lease-duration",
          "3m",
          "--call-timeout",
          "1m",
          "--connect-timeout",
          "500ms",
          "--pass-timeout",
          "5m",
          "--replica-id",
          "one",
        ],
        {
          AWS_ENDPOINT_URL: aws.emulator.url,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "one",
          AWS_SECRET_ACCESS_KEY: "one",
        },
      );
      await waitFor(
        "the pass to wait on a hung ECS call",
        async () => {
          const status = (await replica.status()) as unknown as { services: Array<{ inFlight: unknown[] }> };
          return (status.services[0]?.inFlight.length ?? 0) > 0 ? true : undefined;
        },
        30_000,
      );
      replica.child.kill("SIGTERM");
      const code = await waitFor(
        "the replica to exit once its grace is over",
        async () => replica.child.exitCode ?? undefined,
        25_000,
      );
      expect(code).toBe(0);
      expect(
        replica.logs().some((line) => line.msg === "lease handed back" && line.service === "alpha"),
      ).toBe(true);
    } finally {
      aws.emulator.clearFaults();
    }
  }, 90_000);
});

describe("a lease too short for the call timeouts", () => {
  it("is refused in one line, and the daemon exits 1 leaving nothing running", async () => {
    await writeSpec("alpha");
    const child = spawn(
      process.execPath,
      [
        cli,
        "run",
        "-f",
        directory,
        "--lease-table",
        "leases",
        "--lease-duration",
        "10s",
        "--listen",
        "127.0.0.1:0",
      ],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: aws.emulator.url,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "one",
          AWS_SECRET_ACCESS_KEY: "one",
          AWS_EC2_METADATA_DISABLED: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // Before, the error was printed and the spec watcher kept the process alive: the wait timed out.
    const code = await waitFor("the daemon to exit", () => child.exitCode ?? undefined, 20_000).finally(() =>
      child.kill("SIGKILL"),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: --lease-duration 10s is too short: a lease must last at least twice/m);
  });
});
