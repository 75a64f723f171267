/**
 * A service's first pass in a daemon reads the daemon's fleet inventory, which may have been read up to
 * one resync interval earlier. When another writer changed the service in the meantime — a replica
 * that managed it until this one took its lease over, or the daemon that ran before — that snapshot
 * shows the service as it was. The pass must not act on it: it plans again from AWS as it is now,
 * finds nothing to do, writes nothing and reports no drift.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RunningDaemon } from "../controller/daemon/daemon.ts";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import { clientsFor } from "../emulator/test-clients.ts";
import { merge } from "../specs/test-builders.ts";
import { allConverged, isWrite, startFleetDaemon, writeFleetSpecs } from "./support/fleet.ts";
import { waitFor } from "./support/wait-for.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-takeover-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** A long resync: the snapshot the first pass reads stays fresh through the whole test. */
const SETTINGS = { resyncMs: 120_000, slowResyncMs: 600_000 };

async function converged(emulator: Emulator, directory: string, size: number): Promise<RunningDaemon> {
  const daemon = await startFleetDaemon(emulator, directory, SETTINGS);
  cleanups.push(() => daemon.stop());
  await waitFor(`${size} services converged`, () => allConverged(daemon, size) || undefined, 90_000);
  return daemon;
}

interface LogLine {
  msg: string;
  service?: string;
}

describe("a service taken over from another writer", () => {
  it("is planned from AWS as it is now, not from an older snapshot: no write, no drift reported", {
    timeout: 180_000,
  }, async () => {
    const emulator = await startEmulator({ port: 0, clock: new ScaledClock(60) });
    cleanups.push(() => emulator.close());
    const operator = clientsFor(emulator);
    cleanups.push(async () => {
      for (const client of Object.values(operator)) client.destroy();
    });

    // Two services converged by a first daemon, which then goes away.
    const first = await temporaryDirectory();
    const [moved = "", kept = ""] = await writeFleetSpecs(first, 2);
    const firstDaemon = await converged(emulator, first, 2);
    await firstDaemon.stop();

    // This daemon starts with one of them: its first pass reads the inventory, whose snapshot of the
    // region's target groups holds the other service's as it is now.
    const mine = await temporaryDirectory();
    await writeFile(join(mine, `${kept}.yaml`), await readFile(join(first, `${kept}.yaml`), "utf8"));
    const lines: LogLine[] = [];
    const log = pino(
      { level: "debug" },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    );
    const daemon = await startFleetDaemon(emulator, mine, SETTINGS, undefined, log);
    cleanups.push(() => daemon.stop());
    await waitFor("its first pass", () => allConverged(daemon, 1) || undefined, 60_000);

    // Another writer changes the other service (its health check path) after that snapshot was read.
    const other = await temporaryDirectory();
    const edited = stringify(
      merge(parse(await readFile(join(first, `${moved}.yaml`), "utf8")), {
        spec: { loadBalancer: { healthCheck: { path: "/ready" } } },
      }),
    );
    await writeFile(join(other, `${moved}.yaml`), edited);
    const otherDaemon = await converged(emulator, other, 1);
    await otherDaemon.stop();
    const { TargetGroups = [] } = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = TargetGroups.find((candidate) => candidate.TargetGroupName?.startsWith(moved));
    expect(group?.HealthCheckPath).toBe("/ready");

    // Then this daemon takes the service over, with the same spec the other writer applied.
    const callsBefore = emulator.calls.calls().length;
    await writeFile(join(mine, `${moved}.yaml`), edited);
    await waitFor(`${moved} taken over and in sync`, () => allConverged(daemon, 2) || undefined, 60_000);

    const ofMoved = lines.filter((line) => line.service === moved);
    // Its first pass did read the older snapshot, which showed the old health check path...
    expect(ofMoved.map((line) => line.msg)).toContain(
      "cached reads differ from the spec: planning again from AWS as it is now",
    );
    // ...and acted on AWS as it is now: nothing planned, nothing reported as drift, nothing written.
    expect(ofMoved.filter((line) => ["drift detected", "change planned"].includes(line.msg))).toEqual([]);
    expect(emulator.calls.calls().slice(callsBefore).filter(isWrite)).toEqual([]);
    const status = daemon.status() as {
      services: Array<{ service: string; conditions: Array<{ type: string; reason?: string }> }>;
    };
    const synced = status.services
      .find((service) => service.service === moved)
      ?.conditions.find((condition) => condition.type === "Synced");
    expect(synced).toMatchObject({
      status: "True",
      reason: "ReconcileSuccess",
      message: "AWS matches the spec",
    });
  });
});
