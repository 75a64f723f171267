/**
 * What a converged service costs AWS at steady state, counted from the emulator's call log while an
 * in-process daemon resyncs (one service: at most 8 calls per resync; a fleet shares one inventory,
 * so one call per kind serves many services), and the slow tier's promise: what it reads less often
 * is still read, so drift there is repaired within `--slow-resync`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningDaemon } from "../controller/daemon/daemon.ts";
import type { WorkerSettings } from "../controller/daemon/service-worker.ts";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import { clientsFor } from "../emulator/test-clients.ts";
import {
  allConverged,
  countByOperation,
  countResyncWindow,
  isWrite,
  startFleetDaemon,
  writeFleetSpecs,
} from "./support/fleet.ts";
import { waitFor } from "./support/wait-for.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function convergedFleet(size: number, settings: Partial<WorkerSettings> = {}) {
  const emulator: Emulator = await startEmulator({ port: 0, clock: new ScaledClock(60) });
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-calls-"));
  cleanups.push(async () => {
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  });
  const names = await writeFleetSpecs(directory, size);
  const daemon: RunningDaemon = await startFleetDaemon(emulator, directory, settings);
  cleanups.push(() => daemon.stop());
  await waitFor(`${size} services Ready and Synced`, () => allConverged(daemon, size) || undefined, 90_000);
  return { emulator, daemon, names, directory };
}

describe("AWS calls per resync at steady state", () => {
  it("a converged service costs at most 8 calls per resync, all reads, every pass synced", {
    timeout: 120_000,
  }, async () => {
    const { emulator, daemon, names } = await convergedFleet(1, { resyncMs: 1_000 });
    const window = await countResyncWindow(emulator.calls, daemon, names, 4, { deadlineMs: 60_000 });
    expect(window.passesNotSynced).toBe(0);
    expect(window.calls.filter(isWrite)).toEqual([]);
    // A pass in flight at the window's start is counted by its calls but not its end: at most one more.
    expect(window.calls.length).toBeLessThanOrEqual(8 * (window.passes + 1));
    const operations = [...countByOperation(window.calls).keys()];
    // The slow tier and the observation stand in for these at steady state.
    expect(operations).not.toContain("elbv2:DescribeTargetGroupAttributes");
    expect(operations).not.toContain("elbv2:DescribeTargetHealth");
    expect(operations).not.toContain("ecs:DescribeClusters");
  });

  it("a fleet of 10 shares one inventory: a call per kind serves many services, all reads, every pass synced", {
    timeout: 120_000,
  }, async () => {
    const { emulator, daemon, names } = await convergedFleet(10, { resyncMs: 1_000 });
    const window = await countResyncWindow(emulator.calls, daemon, names, 3, { deadlineMs: 60_000 });
    expect(window.passesNotSynced).toBe(0);
    expect(window.calls.filter(isWrite)).toEqual([]);
    // A snapshot serves resyncs for half the interval, so however the passes spread over it, at most
    // two snapshots per resync: 8 kinds × 2 per 10 services (8 per service without the inventory).
    expect(window.calls.length).toBeLessThanOrEqual(1.6 * (window.passes + names.length));
    // Never one call per service: DescribeServices batches the 10.
    const describeServices = countByOperation(window.calls).get("ecs:DescribeServices") ?? 0;
    expect(describeServices).toBeLessThanOrEqual(0.2 * (window.passes + names.length));
  });

  it("a daemon restarted on a converged fleet of 10 reads it in batches on its first round, and writes nothing", {
    timeout: 120_000,
  }, async () => {
    const { emulator, daemon, names, directory } = await convergedFleet(10, { resyncMs: 60_000 });
    await daemon.stop();
    emulator.calls.reset();
    const restarted = await startFleetDaemon(emulator, directory, { resyncMs: 60_000 });
    cleanups.push(() => restarted.stop());
    await waitFor(
      "every service's first pass",
      () => allConverged(restarted, names.length) || undefined,
      60_000,
    );
    const calls = emulator.calls.calls();
    const counts = countByOperation(calls);
    expect(calls.filter(isWrite)).toEqual([]);
    // One listing or batch per kind for the whole fleet, not one call per service.
    for (const operation of [
      "ecs:DescribeServices",
      "ecs:DescribeClusters",
      "elbv2:DescribeTargetGroups",
      "elbv2:DescribeLoadBalancers",
      "ec2:DescribeSecurityGroups",
      "autoscaling:DescribeScalableTargets",
      "logs:DescribeLogGroups",
    ])
      expect(counts.get(operation) ?? 0, operation).toBeLessThanOrEqual(2);
    // The tags of load balancers and target groups: passes in a region share DescribeTags calls.
    expect(counts.get("elbv2:DescribeTags") ?? 0).toBeLessThan(names.length);
  });

  it("still reads the slow tier: a deregistration delay changed out of band is repaired within --slow-resync", {
    timeout: 120_000,
  }, async () => {
    const { emulator, names } = await convergedFleet(1, { resyncMs: 1_000, slowResyncMs: 3_000 });
    const operator = clientsFor(emulator);
    cleanups.push(async () => {
      for (const client of Object.values(operator)) client.destroy();
    });
    const { TargetGroups = [] } = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = TargetGroups.find((candidate) => candidate.TargetGroupName?.startsWith(names[0] ?? ""));
    const arn = group?.TargetGroupArn ?? "";
    const delay = async () => {
      const { Attributes = [] } = await operator.elbv2.send(
        new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }),
      );
      return Attributes.find((attribute) => attribute.Key === "deregistration_delay.timeout_seconds")?.Value;
    };
    const converged = await delay();
    await operator.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "299" }],
      }),
    );
    expect(converged).not.toBe("299");
    await waitFor("the drifted deregistration delay to be repaired", async () =>
      (await delay()) === converged ? true : undefined,
    );
  });
});
