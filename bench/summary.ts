/**
 * The one table `npm run bench` ends with: what bench/results.json holds (each benchmark records its
 * figures there), by fleet size — calls per resync by operation, throttles absorbed, memory, a spec
 * edit's reaction, the emulator's latency — then the single-figure benchmarks below it: from-scratch
 * convergence against the critical path, and the emulator holding a fleet on its own.
 *
 *   node bench/summary.ts      (the table of the figures last recorded)
 */
import { type FleetFigures, type NotMeasured, PASSES_PER_SERVICE } from "./fleet-calls.ts";
import { readResults } from "./results-file.ts";

const TOP_OPERATIONS = 10;

interface CriticalPathFigures {
  criticalPathSeconds: number;
  medianRatio: number;
  worstRatio: number;
  clockSpeed: number;
  runs: unknown[];
}

interface EmulatorFleetFigures {
  services: number;
  tasks: number;
  clockSpeed: number;
  describeServicesMs: { p99: number };
  quietCpuCores: number;
}

const day = (iso: string | undefined) => iso?.slice(0, 10) ?? "?";

export function printSummary(results: Record<string, unknown>): void {
  const recorded = ((results.fleetCalls as { fleets?: (FleetFigures | NotMeasured)[] } | undefined)?.fleets ??
    []) as ((FleetFigures | NotMeasured) & { measuredAt?: string })[];
  const fleets = recorded.filter(
    (fleet): fleet is FleetFigures & { measuredAt?: string } => !("notMeasured" in fleet),
  );
  const label = (text: string) => text.padEnd(42);
  const cell = (text: string | number) => String(text).padStart(14);
  const row = (
    name: string,
    value: (fleet: FleetFigures & { measuredAt?: string }) => string | number | undefined,
  ) => console.log(`${label(name)}${fleets.map((fleet) => cell(value(fleet) ?? "-")).join("")}`);
  console.log(
    `A fleet at steady state: N copies of service.yaml in one cluster, one daemon (\`ecs-converge run\`, the image's V8 flags, MALLOC_ARENA_MAX=2), the emulator in its own process with AWS's rate limits, ${PASSES_PER_SERVICE} resync passes per service counted:`,
  );
  row("services", (fleet) => fleet.services);
  row("measured on", (fleet) => day(fleet.measuredAt));
  row("resync (s) / concurrency", (fleet) => `${fleet.resyncSeconds} / ${fleet.concurrency}`);
  row("converged from nothing (s, no rate limits)", (fleet) => fleet.convergeSeconds);
  row("passes counted (not synced)", (fleet) => `${fleet.passes} (${fleet.passesNotSynced})`);
  row("one resync of the whole fleet (s)", (fleet) => fleet.fullResyncSeconds);
  row("longest a service went without a pass (s)", (fleet) => fleet.longestWithoutPassSeconds);
  row("AWS calls per service per resync", (fleet) => fleet.callsPerServicePerResync);
  row("AWS calls per resync, whole fleet", (fleet) => fleet.callsPerFleetResync);
  row("writes in the window", (fleet) => fleet.writes);
  row("throttles absorbed in the window", (fleet) => fleet.throttlesAbsorbed);
  row("waits for client-side limits (s, summed)", (fleet) => fleet.rateLimitWaitSeconds);
  row("daemon RSS at the end / peak (MB)", (fleet) =>
    fleet.peakRssMB === undefined ? undefined : `${fleet.rssMB} / ${fleet.peakRssMB}`,
  );
  row("daemon CPU (share of a core)", (fleet) => fleet.daemonCpuShare);
  row("daemon start → steady window (s)", (fleet) => fleet.restartToWindowSeconds);
  row("  meanwhile, longest without a pass (s)", (fleet) => fleet.restartLongestWithoutPassSeconds);
  row("  meanwhile, daemon / emulator CPU (core)", (fleet) =>
    fleet.restartDaemonCpuShare === undefined
      ? undefined
      : `${fleet.restartDaemonCpuShare} / ${fleet.restartEmulatorCpuShare}`,
  );
  row("spec edit → first write (ms)", (fleet) => fleet.editToFirstWriteMs);
  row("spec edit → UpdateService (ms)", (fleet) => fleet.editToUpdateServiceMs);
  row("  of which its pass waited for a slot (ms)", (fleet) => fleet.editSlotWaitMs);
  row("  its calls waited for tokens (ms)", (fleet) => fleet.editTokenWaitMs);
  row("emulator RSS (MB)", (fleet) => fleet.emulatorRssMB);
  row("emulator CPU (share of a core)", (fleet) => fleet.emulatorCpuShare);
  row(
    "emulator DescribeServices p50/p99 (ms)",
    (fleet) => `${fleet.describeServicesMs.p50}/${fleet.describeServicesMs.p99}`,
  );
  const largest = fleets.at(-1);
  if (largest) {
    console.log(`top ${TOP_OPERATIONS} operations, calls per service per resync:`);
    for (const operation of Object.keys(largest.byOperation).slice(0, TOP_OPERATIONS))
      row(`  ${operation}`, (fleet) => fleet.byOperation[operation] ?? 0);
  }

  for (const fleet of recorded)
    if ("notMeasured" in fleet)
      console.log(
        `A fleet of ${fleet.services} was not measured (${day(fleet.measuredAt)}): ${fleet.notMeasured}`,
      );
  const path = results.criticalPath as (CriticalPathFigures & { measuredAt?: string }) | undefined;
  if (path)
    console.log(
      `From-scratch convergence of service.yaml (one service, ×${path.clockSpeed}, ${path.runs.length} runs, ${day(path.measuredAt)}): ` +
        `median ${path.medianRatio}×, worst ${path.worstRatio}× the critical path of ${path.criticalPathSeconds} s simulated (target ≤ 1.1×)`,
    );
  const emulatorFleets = Object.values(
    (results.emulatorFleet ?? {}) as Record<string, EmulatorFleetFigures & { measuredAt?: string }>,
  ).sort((a, b) => a.services - b.services);
  for (const figures of emulatorFleets)
    console.log(
      `The emulator alone with ${figures.services} services × ${figures.tasks / figures.services} tasks (×${figures.clockSpeed}, ${day(figures.measuredAt)}): ` +
        `DescribeServices p99 ${figures.describeServicesMs.p99} ms, ${figures.quietCpuCores} of a core at steady state`,
    );
}

if (import.meta.main) printSummary(await readResults());
