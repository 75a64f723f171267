/**
 * What a fleet costs at steady state: an in-process daemon on a directory of N copies of service.yaml
 * (distinct names, one shared cluster, as a platform team would run them) against an in-process emulator
 * (clock ×60, ×10 for the largest fleet: see FLEETS), for N = 1, 10 and 50. Once every service is Ready
 * and Synced, the emulator's call log is cleared and each service makes PASSES_PER_SERVICE resync passes
 * (counted from the daemon's `ecs_converge_reconciles_total`); the figures are the daemon's calls in that
 * window per pass, by operation, the whole process's memory, and the emulator's DescribeServices latency
 * while the fleet runs.
 *
 * Each fleet size runs in its own process (started with --expose-gc), so its memory is its own and not
 * what the smaller fleets left behind. Figures only: printed and written to bench/results.json, never asserted.
 *
 *   node bench/fleet-calls.ts             (every fleet size, one table)
 *   node bench/fleet-calls.ts --fleet 10 [--speed 60]  (one size, its figures as one JSON line)
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { createAwsClients } from "../controller/aws/clients.ts";
import type { RunningDaemon } from "../controller/daemon/daemon.ts";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import {
  allConverged,
  FLEET_CLUSTER as CLUSTER,
  FLEET_CONCURRENCY as CONCURRENCY,
  countByOperation,
  countResyncWindow,
  isWrite,
  startFleetDaemon,
  writeFleetSpecs,
} from "../test/support/fleet.ts";
import { waitFor } from "../test/support/wait-for.ts";

/**
 * The clock runs ×60 (as `npm start`) where the in-process emulator keeps up with it. At 50 services it
 * does not: its lifecycles scan every resource once per simulated second, so at ×60 it spends the
 * whole core catching up and serves a couple of calls a second; ×10 leaves room for the fleet's resyncs.
 * Calls per pass do not depend on the clock, only how long the bench takes does.
 */
const FLEETS = [
  { services: 1, clockSpeed: 60 },
  { services: 10, clockSpeed: 60 },
  { services: 50, clockSpeed: 10 },
];
const PASSES_PER_SERVICE = 3;
const RESYNC_MS = 2_000;
const LATENCY_SAMPLES = 300;
const TOP_OPERATIONS = 10;
/** The key the latency probe signs with: its calls are told apart from the daemon's in the call log. */
const PROBE_ACCESS_KEY_ID = "fleet-bench-probe";

const THIS_FILE = fileURLToPath(import.meta.url);
const RESULTS_JSON = fileURLToPath(new URL("./results.json", import.meta.url));

interface FleetFigures {
  services: number;
  clockSpeed: number;
  convergeSeconds: number;
  /** Resync passes counted in the window, across the fleet, and how many of them were not `synced`. */
  passes: number;
  passesNotSynced: number;
  windowSeconds: number;
  calls: number;
  writes: number;
  callsPerServicePerResync: number;
  callsPerFleetResync: number;
  /** Calls per service per resync, by `service:Operation`, most called first. */
  byOperation: Record<string, number>;
  rssMB: number;
  heapUsedMB: number;
  gcBeforeMemory: boolean;
  describeServicesMs: { p50: number; p99: number; samples: number };
}

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

/** DescribeServices through an SDK client, one at a time, while the daemon keeps the fleet resyncing. */
async function describeServicesLatency(emulator: Emulator, names: string[]) {
  const clients = createAwsClients({
    region: "us-east-1",
    endpoint: emulator.url,
    accessKeyId: PROBE_ACCESS_KEY_ID,
  });
  try {
    const samples: number[] = [];
    for (let index = 0; index < LATENCY_SAMPLES; index++) {
      const started = performance.now();
      await clients.ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: [names[index % names.length] ?? ""] }),
      );
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      p50: round(percentile(samples, 0.5)),
      p99: round(percentile(samples, 0.99)),
      samples: samples.length,
    };
  } finally {
    for (const client of Object.values(clients)) if (typeof client === "object") client.destroy();
  }
}

const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);

function memoryAfterGc() {
  // Present when the process was started with --expose-gc (as benchFleetCalls starts it).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMB: megabytes(rss), heapUsedMB: megabytes(heapUsed), gcBeforeMemory: gc !== undefined };
}

/** One fleet size, measured in this process. */
export async function measureFleet(size: number, clockSpeed: number): Promise<FleetFigures> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(clockSpeed) });
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-bench-fleet-"));
  let daemon: RunningDaemon | undefined;
  try {
    const names = await writeFleetSpecs(directory, size);
    const startedAt = performance.now();
    daemon = await startFleetDaemon(emulator, directory, { resyncMs: RESYNC_MS });
    const running = daemon;
    await waitFor(
      `${size} services Ready and Synced`,
      () => allConverged(running, size) || undefined,
      30_000 + 2_000 * size,
    );
    const convergeSeconds = (performance.now() - startedAt) / 1000;

    const window = await countResyncWindow(
      emulator,
      daemon,
      names,
      PASSES_PER_SERVICE,
      20_000 + 1_500 * size,
    );
    const memory = memoryAfterGc();
    const describeServicesMs = await describeServicesLatency(emulator, names);

    const perPass = (count: number) => Math.round((count / window.passes) * 100) / 100;
    const byOperation = [...countByOperation(window.calls)]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .map(([operation, count]) => [operation, perPass(count)] as const);
    const callsPerServicePerResync = perPass(window.calls.length);
    return {
      services: size,
      clockSpeed,
      convergeSeconds: Math.round(convergeSeconds * 10) / 10,
      passes: window.passes,
      passesNotSynced: window.passesNotSynced,
      windowSeconds: Math.round(window.seconds * 10) / 10,
      calls: window.calls.length,
      writes: window.calls.filter(isWrite).length,
      callsPerServicePerResync,
      callsPerFleetResync: Math.round(callsPerServicePerResync * size * 10) / 10,
      byOperation: Object.fromEntries(byOperation),
      ...memory,
      describeServicesMs,
    };
  } finally {
    await daemon?.stop();
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** Runs one fleet size in a fresh process with --expose-gc: its memory is measured alone. */
function measureFleetInChild(size: number, clockSpeed: number): Promise<FleetFigures> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", THIS_FILE, "--fleet", String(size), "--speed", String(clockSpeed)],
      // A backstop only: the child bounds each of its own waits.
      { timeout: 240_000, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`fleet of ${size}: ${error.message}\n${stderr}`));
        const lastLine = stdout.trim().split("\n").at(-1) ?? "";
        resolve(JSON.parse(lastLine) as FleetFigures);
      },
    );
  });
}

function printTable(fleets: FleetFigures[]): void {
  const label = (text: string) => text.padEnd(38);
  const cell = (text: string | number) => String(text).padStart(14);
  const row = (name: string, value: (fleet: FleetFigures) => string | number) =>
    console.log(`${label(name)}${fleets.map((fleet) => cell(value(fleet))).join("")}`);
  console.log(
    `Fleet at steady state: N copies of service.yaml in one shared cluster, one in-process daemon (resync ${RESYNC_MS / 1000} s, concurrency ${CONCURRENCY}), emulator in the same process, ${PASSES_PER_SERVICE} resync passes per service counted:`,
  );
  row("services", (fleet) => fleet.services);
  row("emulator clock", (fleet) => `×${fleet.clockSpeed}`);
  row("converged from nothing (s)", (fleet) => fleet.convergeSeconds);
  row("passes counted (not synced)", (fleet) => `${fleet.passes} (${fleet.passesNotSynced})`);
  row("window (s)", (fleet) => fleet.windowSeconds);
  row("AWS calls per service per resync", (fleet) => fleet.callsPerServicePerResync);
  row("AWS calls per resync, whole fleet", (fleet) => fleet.callsPerFleetResync);
  row("writes in the window", (fleet) => fleet.writes);
  row(
    `RSS (MB, whole process${fleets.every((fleet) => fleet.gcBeforeMemory) ? ", after GC" : ""})`,
    (fleet) => fleet.rssMB,
  );
  row("heap used (MB)", (fleet) => fleet.heapUsedMB);
  row(
    "emulator DescribeServices p50/p99 (ms)",
    (fleet) => `${fleet.describeServicesMs.p50}/${fleet.describeServicesMs.p99}`,
  );
  const largest = fleets.at(-1);
  if (!largest) return;
  console.log(`top ${TOP_OPERATIONS} operations, calls per service per resync:`);
  for (const operation of Object.keys(largest.byOperation).slice(0, TOP_OPERATIONS))
    row(`  ${operation}`, (fleet) => fleet.byOperation[operation] ?? 0);
}

/** Merges this bench's figures into bench/results.json, keeping what other benches wrote there. */
async function recordResults(fleets: FleetFigures[]): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(RESULTS_JSON, "utf8")) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const results = { ...existing, fleetCalls: { measuredAt: new Date().toISOString(), fleets } };
  await writeFile(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
}

export async function benchFleetCalls(): Promise<FleetFigures[]> {
  const fleets: FleetFigures[] = [];
  for (const { services, clockSpeed } of FLEETS) {
    try {
      fleets.push(await measureFleetInChild(services, clockSpeed));
    } catch (error) {
      // A size that could not be measured is reported, and the others still are.
      console.log(error instanceof Error ? error.message : String(error));
    }
  }
  printTable(fleets);
  await recordResults(fleets);
  return fleets;
}

if (import.meta.main) {
  const argument = (name: string) => {
    const index = process.argv.indexOf(name);
    return index === -1 ? undefined : Number(process.argv[index + 1]);
  };
  const size = argument("--fleet");
  if (size === undefined) await benchFleetCalls();
  else console.log(JSON.stringify(await measureFleet(size, argument("--speed") ?? 60)));
}
