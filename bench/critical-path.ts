/**
 * From-scratch convergence against the critical path: the repository's service.yaml converged from
 * nothing by an in-process daemon on an in-process emulator at `npm start`'s clock (×60), timed in
 * simulated seconds from the daemon's start until its /status says Ready and Synced, and divided by
 * the critical path (critical-path-chain.ts: the longest chain of the emulator's AWS-like waits, with
 * every call instant). The gap is mostly the controller's: its own time (60× at this clock) before the
 * chain starts and how soon it looks again once the service has converged; the emulator's 1 s ticks
 * add up to a second per wait. The first run also pays the process's cold start, as `npm start` does.
 * Figures only: printed and merged into bench/results.json under `criticalPath`, never asserted.
 *
 *   node bench/critical-path.ts
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { runWaits } from "../controller/cli/commands/run.ts";
import type { RunningDaemon } from "../controller/daemon/daemon.ts";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import { DEFAULT_TIMINGS } from "../emulator/timings.ts";
import { loadSpecFile } from "../specs/index.ts";
import { allConverged, startFleetDaemon } from "../test/support/fleet.ts";
import { type CriticalPath, criticalPath } from "./critical-path-chain.ts";
import { updateResults } from "./results-file.ts";

const SERVICE_YAML = fileURLToPath(new URL("../service.yaml", import.meta.url));
/** `npm start`'s clock. */
const SPEED = 60;
const RUNS = 3;
/** Real ms between looks at the daemon's status: 0.12 simulated s at ×60, well under a tick. */
const PROBE_MS = 2;
const DEADLINE_MS = 120_000;
/** The daemon's waits under `npm start`: `run`'s at this clock, and its default --resync. */
const RUN_SETTINGS = { ...runWaits(SPEED), resyncMs: 60_000 };

interface RunFigures {
  /** Simulated seconds from the daemon's start until /status says Ready and Synced. */
  measuredSeconds: number;
  ratio: number;
  wallSeconds: number;
  /** The measured time in three parts that add up to it, in simulated seconds. */
  breakdown: {
    /** Daemon start → CreateLoadBalancer: startup and the first pass's reads, before the chain starts. */
    untilLoadBalancerCreated: number;
    /** CreateLoadBalancer → ECS marks the deployment COMPLETED: the emulator's side, the chain itself. */
    emulatorConverging: number;
    /** COMPLETED → the daemon's /status says Ready: how soon it looks again, and its pass. */
    untilNoticed: number;
  };
  /** How often the daemon read the service (DescribeServices) from its creation until it was noticed. */
  serviceReads: number;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function convergeOnce(path: CriticalPath): Promise<RunFigures> {
  let emulator: Emulator | undefined;
  let daemon: RunningDaemon | undefined;
  try {
    emulator = await startEmulator({ port: 0, clock: new ScaledClock(SPEED) });
    const clock = emulator.world.clock;
    const startedAt = clock.now();
    const wallStart = performance.now();
    daemon = await startFleetDaemon(emulator, SERVICE_YAML, RUN_SETTINGS, 1);
    const running = daemon;
    while (!allConverged(running, 1)) {
      if (performance.now() - wallStart > DEADLINE_MS)
        throw new Error("the service did not converge in time");
      await sleep(PROBE_MS);
    }
    const convergedAt = clock.now();
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const calls = emulator.calls.calls();
    const at = (operation: string) => calls.find((call) => call.operation === operation)?.time ?? Number.NaN;
    const loadBalancerAt = at("CreateLoadBalancer");
    const completedAt = completedAtOf(emulator);
    const measuredMs = convergedAt - startedAt;
    return {
      measuredSeconds: seconds(measuredMs),
      ratio: Math.round((measuredMs / path.totalMs) * 100) / 100,
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      breakdown: {
        untilLoadBalancerCreated: seconds(loadBalancerAt - startedAt),
        emulatorConverging: seconds(completedAt - loadBalancerAt),
        untilNoticed: seconds(convergedAt - completedAt),
      },
      serviceReads: calls.filter(
        (call) => call.operation === "DescribeServices" && call.time >= at("CreateService"),
      ).length,
    };
  } finally {
    await daemon?.stop();
    await emulator?.close();
  }
}

/** When ECS marked the service's deployment COMPLETED, in simulated epoch ms (the emulator's state). */
function completedAtOf(emulator: Emulator): number {
  for (const region of emulator.world.regions.values())
    for (const cluster of region.ecs.clusters.values())
      for (const service of cluster.services.values()) {
        const [primary] = service.deployments;
        if (primary?.rolloutState === "COMPLETED") return primary.updatedAt;
      }
  return Number.NaN;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchCriticalPath(runs = RUNS): Promise<{ median: number; worst: number }> {
  const { spec } = await loadSpecFile(SERVICE_YAML);
  // The emulator's defaults: what startEmulator runs with when no timing is overridden.
  const path = criticalPath(DEFAULT_TIMINGS, spec);
  console.log(
    `From-scratch convergence of "${spec.metadata.name}" vs the critical path (target ≤ 1.1×), clock ×${SPEED}, ${runs} runs:`,
  );
  console.log(`  critical path: ${seconds(path.totalMs)} s simulated`);
  for (const step of path.steps) console.log(`    ${String(seconds(step.ms)).padStart(6)} s  ${step.name}`);
  if (path.parallel)
    console.log(
      `    (in parallel: ${path.parallel.name}, done at ${seconds(path.parallel.doneAtMs)} s, ${seconds(path.parallel.slackMs)} s of slack)`,
    );
  const runFigures: RunFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    const figures = await convergeOnce(path);
    runFigures.push(figures);
    const { untilLoadBalancerCreated, emulatorConverging, untilNoticed } = figures.breakdown;
    console.log(
      `  run ${run}: ${figures.measuredSeconds} s simulated (${figures.ratio}×), ${figures.wallSeconds} s real = ` +
        `${untilLoadBalancerCreated} s until CreateLoadBalancer + ${emulatorConverging} s until ECS completed the deployment + ` +
        `${untilNoticed} s until the daemon noticed (${figures.serviceReads} reads of the service)`,
    );
  }
  const ratios = runFigures.map((figures) => figures.ratio);
  const result = { median: median(ratios), worst: Math.max(...ratios) };
  console.log(
    `  measured / critical path: median ${result.median}×, worst ${result.worst}× ` +
      `(simulated s: median ${median(runFigures.map((figures) => figures.measuredSeconds))}, critical path ${seconds(path.totalMs)})`,
  );
  await updateResults("criticalPath", () => ({
    measuredAt: new Date().toISOString(),
    clockSpeed: SPEED,
    criticalPathSeconds: seconds(path.totalMs),
    chain: path.steps.map((step) => ({ step: step.name, seconds: seconds(step.ms) })),
    medianRatio: result.median,
    worstRatio: result.worst,
    runs: runFigures,
  }));
  return result;
}

if (import.meta.main) await benchCriticalPath();
