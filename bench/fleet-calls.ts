/**
 * What a fleet costs at steady state: a daemon on a directory of N copies of service.yaml (distinct
 * names, one shared cluster, as a platform team runs them) against the emulator in a process of its own
 * (clock ×60), for N = 1, 100 and 1,000. The fleet converges from nothing under a first daemon without
 * rate limits. Then AWS's documented rate limits are switched on (the emulator's `aws` preset) and the
 * daemon measured starts as an operator runs it: `ecs-converge run` in its own process, with the
 * image's V8 flags (the Dockerfile's NODE_OPTIONS) and its compile cache. After its first round and two
 * warm-up resyncs, the emulator's call log is cleared and each service makes PASSES_PER_SERVICE resync
 * passes (counted from the daemon's `ecs_converge_reconciles_total`). The figures are the daemon's
 * calls in that window per pass, by operation, the throttles it absorbed, how long one resync of the
 * whole fleet took, the daemon process's RSS (as the system sees it, no GC forced), how long a spec
 * edit takes to reach AWS, and the emulator's memory, CPU and DescribeServices latency. Figures only:
 * printed and written to bench/results.json, never asserted.
 *
 *   node bench/fleet-calls.ts             (every fleet size, one table: about 12 minutes)
 *   node bench/fleet-calls.ts --fleet 100 [--speed 60]  (one size, its figures as one JSON line)
 *   node bench/fleet-calls.ts --fleet 1000 --record    (one size, into results.json)
 *   node bench/fleet-calls.ts --table                   (the table of what results.json holds)
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { parse, stringify } from "yaml";
import { EMULATOR_ACCESS_KEY_ID } from "../controller/aws/clients.ts";
import { DEFAULT_RATE_LIMIT_SCALE, sharedRateLimiter } from "../controller/aws/rate-limiter.ts";
import type { RunningDaemon } from "../controller/daemon/daemon.ts";
import { type DaemonProcess, startDaemonProcess } from "../test/support/daemon-process.ts";
import { startEmulatorProcess } from "../test/support/emulator-process.ts";
import {
  allConverged,
  FLEET_CLUSTER as CLUSTER,
  FLEET_CONCURRENCY as CONCURRENCY,
  countByOperation,
  countResyncWindow,
  isWrite,
  remoteCallLog,
  startFleetDaemon,
  writeFleetSpecs,
} from "../test/support/fleet.ts";
import { waitFor } from "../test/support/wait-for.ts";
import { readResults, updateResults } from "./results-file.ts";
import { stopChildrenOnSignal } from "./stop-on-signal.ts";
import { printSummary } from "./summary.ts";

/**
 * The clock runs ×60, as `npm start`. Calls per pass do not depend on the clock, only how long the
 * bench takes does.
 */
const FLEETS = [
  { services: 1, clockSpeed: 60 },
  { services: 100, clockSpeed: 60 },
  { services: 1000, clockSpeed: 60 },
];
export const PASSES_PER_SERVICE = 3;
/** Short resyncs keep the bench short; the largest fleet gets one it must keep up with, at 4 passes at once. */
const resyncFor = (size: number) => (size >= 1000 ? 30_000 : size >= 100 ? 5_000 : 2_000);
/** The CLI's default, except for the largest fleet's convergence from nothing. */
const concurrencyFor = (size: number) => (size >= 1000 ? 16 : CONCURRENCY);
const CLI = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
const LATENCY_SAMPLES = 300;
/** How often the edit's reaction polls the emulator's call log. */
const POLL_MS = 50;
/** The key the latency probe signs with: its calls are told apart from the daemon's in the call log. */
const PROBE_ACCESS_KEY_ID = "fleet-bench-probe";

const DOCKERFILE = fileURLToPath(new URL("../Dockerfile", import.meta.url));
const COMPILE_CACHE = join(tmpdir(), "ecs-converge-bench-compile-cache");

export interface FleetFigures {
  services: number;
  clockSpeed: number;
  resyncSeconds: number;
  concurrency: number;
  convergeSeconds: number;
  /** Resync passes counted in the window, across the fleet, and how many of them were not `synced`. */
  passes: number;
  passesNotSynced: number;
  windowSeconds: number;
  /** How long one resync of the whole fleet took in the window (it keeps up when ≈ resyncSeconds). */
  fullResyncSeconds: number;
  /** The longest any service in sync went without a pass in the window (`oldest_sync_seconds`, max seen). */
  longestWithoutPassSeconds?: number;
  /** The same from the restart to the window: services already read, while the others had their first pass. */
  restartLongestWithoutPassSeconds?: number;
  calls: number;
  writes: number;
  callsPerServicePerResync: number;
  callsPerFleetResync: number;
  /** Calls per service per resync, by `service:Operation`, most called first. */
  byOperation: Record<string, number>;
  /** Throttles AWS (the emulator's AWS rate limits) returned and the SDK retried, in the window. */
  throttlesAbsorbed: number;
  /** Seconds calls waited for the client-side rate limits' tokens, in the window. */
  rateLimitWaitSeconds: number;
  /** The measured daemon's process RSS (MB) at the end of the window, and the largest sampled in it. */
  rssMB: number;
  peakRssMB: number;
  /** Where the RSS is at the window's end (see memoryBreakdown). */
  memory?: Awaited<ReturnType<typeof memoryBreakdown>>;
  /** From the measured daemon's start to the window's: its first round (direct reads) and the warm-up. */
  restartToWindowSeconds: number;
  emulatorRssMB: number;
  /** The emulator's and the measured daemon's CPU in the window, as a share of one core. */
  emulatorCpuShare: number;
  daemonCpuShare?: number;
  /** The same from the restart to the window (the daemon's start and first round), as a share of one core. */
  restartEmulatorCpuShare?: number;
  restartDaemonCpuShare?: number;
  describeServicesMs: { p50: number; p99: number; samples: number; throttled: number };
  /** One spec edited at steady state: until the daemon's first write for it, and its UpdateService (ms). */
  editToFirstWriteMs?: number;
  editToUpdateServiceMs?: number;
  /** Of that, how long the edit's pass waited for a concurrency slot (ms). */
  editSlotWaitMs?: number;
  /** How long the edited spec's calls waited for rate-limit tokens before its first write (ms). */
  editTokenWaitMs?: number;
}

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

/** DescribeServices through an SDK client, one at a time, while the daemon keeps the fleet resyncing. */
/**
 * DescribeServices through an SDK client, one at a time, while the daemon keeps the fleet resyncing: how
 * long the emulator takes to answer. One attempt per call, so a throttle (AWS's rate limits are on) is
 * an answer like any other, timed and counted, not hidden behind the SDK's retry backoff.
 */
async function describeServicesLatency(emulator: { url: string }, names: string[]) {
  // What the emulator answers, not what a client-side limiter makes it wait for: no rate limiter of
  // ours, and the SDK's standard retry mode (its adaptive mode slows the sender down after a throttle).
  const ecs = new ECSClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: PROBE_ACCESS_KEY_ID, secretAccessKey: "probe" },
    maxAttempts: 1,
    retryMode: "standard",
  });
  try {
    const samples: number[] = [];
    let throttled = 0;
    for (let index = 0; index < LATENCY_SAMPLES; index++) {
      const started = performance.now();
      await ecs
        .send(
          new DescribeServicesCommand({ cluster: CLUSTER, services: [names[index % names.length] ?? ""] }),
        )
        .catch((error: unknown) => {
          if ((error as Error).name !== "ThrottlingException") throw error;
          throttled += 1;
        });
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      p50: round(percentile(samples, 0.5)),
      p99: round(percentile(samples, 0.99)),
      samples: samples.length,
      throttled,
    };
  } finally {
    ecs.destroy();
  }
}

/** CPU seconds a process has used (user + system), from /proc (Linux). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssMBOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/**
 * Where a process's resident memory is, from /proc/<pid>/smaps: the node binary's pages, malloc's heap
 * (`[heap]`), the other anonymous mappings (V8's heap and code among them); with V8's heap as the
 * daemon's /metrics reports it (used, and committed).
 */
async function memoryBreakdown(pid: number, daemon: { url: string }) {
  const byMapping = new Map<string, number>();
  let mapping = "";
  for (const line of (await readFile(`/proc/${pid}/smaps`, "utf8")).split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) mapping = header[1] ?? "";
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) byMapping.set(mapping, (byMapping.get(mapping) ?? 0) + Number(rss[1]));
  }
  const mb = (kB: number) => Math.round(kB / 1024);
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  const gauge = (name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN) / 2 ** 20);
  return {
    nodeBinaryMB: mb(
      [...byMapping].filter(([name]) => name.endsWith("/node")).reduce((sum, [, kB]) => sum + kB, 0),
    ),
    mallocHeapMB: mb(byMapping.get("[heap]") ?? 0),
    otherAnonymousMB: mb(byMapping.get("") ?? 0),
    v8HeapUsedMB: gauge("nodejs_heap_size_used_bytes"),
    v8HeapTotalMB: gauge("nodejs_heap_size_total_bytes"),
  };
}

/** Throttles the daemon absorbed (per attempt) and seconds its calls waited for client-side tokens. */
async function throttleFigures(daemon: { url: string }) {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  return {
    throttles: sumOfSamples(text, "ecs_converge_aws_throttles_total"),
    rateLimitWaitSeconds:
      Math.round(sumOfSamples(text, "ecs_converge_aws_rate_limit_wait_seconds_total") * 10) / 10,
  };
}

/** The sum of a labelled metric's samples in a /metrics text, over the lines `having` a label pair. */
function sumOfSamples(text: string, name: string, having = ""): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(having))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/**
 * Edits one service's spec at steady state (a new APP_VERSION: a new revision to roll out) and times,
 * on this machine's clock, the write of the file to the first write the daemon makes for it, and to its
 * UpdateService: how long an edit waits behind a fleet's resyncs under AWS's rate limits. The emulator's
 * call log is polled (every POLL_MS), so each figure is late by up to that much.
 */
async function editReaction(emulatorUrl: string, daemon: { url: string }, directory: string, name: string) {
  const log = remoteCallLog(emulatorUrl);
  await log.reset();
  const waitedBefore = await urgentWaits(daemon);
  let waitedByFirstWrite: UrgentWaits | undefined;
  const file = join(directory, `${name}.yaml`);
  const document = parse(await readFile(file, "utf8")) as {
    spec: { task: { container: { environment: Record<string, string> } } };
  };
  document.spec.task.container.environment.APP_VERSION = "1.0.1";
  await writeFile(file, stringify(document));
  const written = performance.now();
  let firstWriteMs: number | undefined;
  const updateServiceMs = await waitFor(
    `${name}'s UpdateService after its spec was edited`,
    async () => {
      const writes = (await log.calls()).filter(isWrite);
      if (writes.length > 0 && firstWriteMs === undefined) {
        firstWriteMs = performance.now() - written;
        waitedByFirstWrite = await urgentWaits(daemon);
      }
      return writes.some((call) => call.operation === "UpdateService")
        ? performance.now() - written
        : undefined;
    },
    120_000,
    POLL_MS,
  );
  return {
    firstWriteMs: Math.round(firstWriteMs ?? updateServiceMs),
    updateServiceMs: Math.round(updateServiceMs),
    // At steady state the edit's pass is the only urgent one.
    slotWaitMs: Math.round(((await urgentWaits(daemon)).slotSeconds - waitedBefore.slotSeconds) * 1000),
    // Read as the first write was seen (up to a poll late): what the edit's calls waited for tokens before it.
    tokenWaitMs: Math.round(
      ((waitedByFirstWrite ?? (await urgentWaits(daemon))).tokenSeconds - waitedBefore.tokenSeconds) * 1000,
    ),
  };
}

interface UrgentWaits {
  /** Seconds urgent passes waited for a concurrency slot (`ecs_converge_pass_slot_wait_seconds`). */
  slotSeconds: number;
  /** Seconds urgent passes' calls waited for rate-limit tokens (`aws_rate_limit_wait_seconds_total`). */
  tokenSeconds: number;
}

async function urgentWaits(daemon: { url: string }): Promise<UrgentWaits> {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  const slot = /^ecs_converge_pass_slot_wait_seconds_sum\{priority="urgent"\} (\S+)$/m.exec(text);
  return {
    slotSeconds: Number(slot?.[1] ?? 0),
    tokenSeconds: sumOfSamples(text, "ecs_converge_aws_rate_limit_wait_seconds_total", 'queue="urgent"'),
  };
}

/** Samples a process's RSS every second: the largest seen, and the last. */
function sampleRss(pid: number) {
  let peakMB = 0;
  let lastMB = 0;
  const sample = async () => {
    lastMB = await rssMBOf(pid).catch(() => lastMB);
    peakMB = Math.max(peakMB, lastMB);
  };
  const timer = setInterval(() => void sample(), 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return { peakMB, lastMB };
    },
  };
}

/**
 * One fleet size. The fleet converges from nothing under a first daemon in this process, with no rate
 * limits; then the daemon measured takes over as an operator runs it — `ecs-converge run` in a process
 * of its own, with the image's V8 flags and a compile cache written beforehand, at `--rate-limit-scale`
 * 0.8 — against the emulator in a third process with AWS's rate limits. Its memory is that process's
 * RSS as the system sees it (no GC forced), sampled through the window.
 */
export async function measureFleet(size: number, clockSpeed: number): Promise<FleetFigures> {
  const emulator = await startEmulatorProcess(["--port", "0", "--speed", String(clockSpeed)], "inherit");
  const emulatorPid = emulator.process.pid ?? 0;
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-bench-fleet-"));
  let converger: RunningDaemon | undefined;
  let daemon: DaemonProcess | undefined;
  let rss: ReturnType<typeof sampleRss> | undefined;
  try {
    const names = await writeFleetSpecs(directory, size);
    const startedAt = performance.now();
    const resyncMs = resyncFor(size);
    sharedRateLimiter.configure({ scale: 0, limitExplicitEndpoints: true });
    converger = await startFleetDaemon(emulator, directory, { resyncMs }, concurrencyFor(size));
    const converging = converger;
    await waitFor(
      `${size} services Ready and Synced`,
      () => allConverged(converging, size) || undefined,
      60_000 + 2_000 * size,
      1_000,
    );
    const convergeSeconds = (performance.now() - startedAt) / 1000;
    await converger.stop();
    converger = undefined;
    // Steady state meets AWS's documented rate limits. (Converging a fleet from nothing under them is
    // paced by CreateLoadBalancer's few calls a second: minutes for a hundred, as on AWS.)
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ preset: "aws" }),
    });

    const environment = await daemonEnvironment(emulator.url);
    const emulatorCpuAtRestart = await cpuSecondsOf(emulatorPid);
    const restartedAt = performance.now();
    daemon = await startDaemonProcess(
      [
        "-f",
        directory,
        "--resync",
        `${resyncMs / 1000}s`,
        "--concurrency",
        String(concurrencyFor(size)),
        // Below AWS's limits, as against AWS by default; given explicitly, it limits the emulator too.
        "--rate-limit-scale",
        String(DEFAULT_RATE_LIMIT_SCALE),
      ],
      environment,
    );
    const daemonPid = daemon.child.pid ?? 0;
    const measured = daemon;
    rss = sampleRss(daemonPid);
    // What the window counts of CPU and throttles, read as it opens: the restart's first round is not steady state.
    let atOpen = { emulatorCpu: 0, daemonCpu: 0, ...(await throttleFigures(daemon)) };
    const window = await countResyncWindow(remoteCallLog(emulator.url), daemon, names, PASSES_PER_SERVICE, {
      onOpen: async () => {
        atOpen = {
          emulatorCpu: await cpuSecondsOf(emulatorPid),
          daemonCpu: await cpuSecondsOf(daemonPid),
          ...(await throttleFigures(measured)),
        };
      },
      // The measured daemon's first round reads every service under ELB's rate limits: about four ELB
      // calls a service (listeners, target group attributes, target health, tags) at 8 a second.
      deadlineMs: 120_000 + 20 * resyncMs + 1_500 * size,
      // A twentieth of the resync interval (1.5 s at 30 s: the round's figure is late by a third of that
      // at most), not four times a second: each read of a thousand services' /metrics is work for the
      // daemon measured, which a Prometheus server asks of it every 15 s or more.
      pollMs: Math.max(250, resyncMs / 20),
      // Steady state: the restart's first round over, every service read within the interval.
      resyncMs,
    });
    const memory = await rss.stop();
    // A breakdown that cannot be read (no /proc) leaves the figure out, not the size unmeasured.
    const memoryByKind = await memoryBreakdown(daemonPid, daemon).catch(() => undefined);
    const emulatorCpu = (await cpuSecondsOf(emulatorPid)) - atOpen.emulatorCpu;
    const daemonCpu = (await cpuSecondsOf(daemonPid)) - atOpen.daemonCpu;
    const throttlesAfter = await throttleFigures(daemon);
    const emulatorRssMB = await rssMBOf(emulatorPid);
    const describeServicesMs = await describeServicesLatency(emulator, names);
    const edit = await editReaction(emulator.url, daemon, directory, names.at(-1) ?? "");

    const restartSeconds = (window.startedAt - restartedAt) / 1000;
    const perPass = (count: number) => Math.round((count / window.passes) * 100) / 100;
    const byOperation = [...countByOperation(window.calls)]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .map(([operation, count]) => [operation, perPass(count)] as const);
    const callsPerServicePerResync = perPass(window.calls.length);
    return {
      services: size,
      clockSpeed,
      resyncSeconds: resyncMs / 1000,
      concurrency: concurrencyFor(size),
      convergeSeconds: Math.round(convergeSeconds * 10) / 10,
      passes: window.passes,
      passesNotSynced: window.passesNotSynced,
      windowSeconds: Math.round(window.seconds * 10) / 10,
      // Every service resynced PASSES_PER_SERVICE times in the window: one full resync took this long.
      fullResyncSeconds: Math.round((window.seconds / PASSES_PER_SERVICE) * 10) / 10,
      longestWithoutPassSeconds: Math.round(window.longestWithoutPassSeconds * 10) / 10,
      restartLongestWithoutPassSeconds: Math.round(window.warmUpLongestWithoutPassSeconds * 10) / 10,
      calls: window.calls.length,
      writes: window.calls.filter(isWrite).length,
      callsPerServicePerResync,
      callsPerFleetResync: Math.round(callsPerServicePerResync * size * 10) / 10,
      byOperation: Object.fromEntries(byOperation),
      throttlesAbsorbed: throttlesAfter.throttles - atOpen.throttles,
      rateLimitWaitSeconds:
        Math.round((throttlesAfter.rateLimitWaitSeconds - atOpen.rateLimitWaitSeconds) * 10) / 10,
      rssMB: memory.lastMB,
      peakRssMB: memory.peakMB,
      ...(memoryByKind ? { memory: memoryByKind } : {}),
      restartToWindowSeconds: Math.round((window.startedAt - restartedAt) / 100) / 10,
      emulatorRssMB,
      emulatorCpuShare: Math.round((emulatorCpu / window.seconds) * 100) / 100,
      daemonCpuShare: Math.round((daemonCpu / window.seconds) * 100) / 100,
      restartEmulatorCpuShare:
        Math.round(((atOpen.emulatorCpu - emulatorCpuAtRestart) / restartSeconds) * 100) / 100,
      restartDaemonCpuShare: Math.round((atOpen.daemonCpu / restartSeconds) * 100) / 100,
      describeServicesMs,
      editToFirstWriteMs: edit.firstWriteMs,
      editToUpdateServiceMs: edit.updateServiceMs,
      editSlotWaitMs: edit.slotWaitMs,
      editTokenWaitMs: edit.tokenWaitMs,
    };
  } finally {
    // Stopped on every path: a sampler left running keeps the bench's process alive after a timeout.
    await rss?.stop();
    await converger?.stop();
    await daemon?.stop();
    emulator.process.kill("SIGTERM");
    await new Promise((resolve) => emulator.process.once("exit", resolve));
    await rm(directory, { recursive: true, force: true });
  }
}

/** The V8 flags the image runs the daemon with (the Dockerfile's NODE_OPTIONS): measured as deployed. */
async function imageNodeOptions(): Promise<string> {
  const dockerfile = await readFile(DOCKERFILE, "utf8");
  return /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile)?.[1] ?? "";
}

/**
 * The measured daemon's environment: the emulator as its AWS endpoint (signing with the controller's
 * key, which the window's count goes by), the image's V8 flags, and V8's compile cache written
 * beforehand under those flags (Node keys the cache by them), as the image writes it at build time.
 * Two malloc arenas, as the README advises on glibc hosts (this machine): glibc's default of an arena
 * per thread that allocates costs a thousand-service daemon about 40 MB, and the image's allocator
 * (Alpine's musl) keeps no per-thread arenas. MALLOC_ARENA_MAX in the bench's environment overrides it.
 */
async function daemonEnvironment(emulatorUrl: string): Promise<NodeJS.ProcessEnv> {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: emulatorUrl,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: EMULATOR_ACCESS_KEY_ID,
    // BENCH_DAEMON_NODE_OPTIONS adds flags for a diagnostic run (--heapsnapshot-signal=SIGUSR2).
    NODE_OPTIONS: [await imageNodeOptions(), process.env.BENCH_DAEMON_NODE_OPTIONS ?? ""].join(" ").trim(),
    NODE_COMPILE_CACHE: COMPILE_CACHE,
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
  };
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [CLI, "--version"], { env, timeout: 60_000 }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return env;
}

/** A size this run tried and could not measure: recorded with why, in place of its older figures. */
export interface NotMeasured {
  services: number;
  notMeasured: string;
}

/** Merges this run's sizes into bench/results.json; sizes not tried this time keep their last figures. */
const recordResults = (fleets: FleetFigures[], failed: NotMeasured[]) =>
  updateResults("fleetCalls", (previous) => {
    const measuredAt = new Date().toISOString();
    const tried = [...fleets, ...failed];
    const kept = ((previous as { fleets?: (FleetFigures | NotMeasured)[] } | undefined)?.fleets ?? []).filter(
      (fleet) =>
        FLEETS.some((size) => size.services === fleet.services) &&
        !tried.some((measured) => measured.services === fleet.services),
    );
    const merged = [...kept, ...tried.map((fleet) => ({ ...fleet, measuredAt }))];
    return { fleets: merged.sort((a, b) => a.services - b.services) };
  });

/** `sizes`: the fleet sizes to measure (default all; `npm run bench` leaves out the thousand, about 10 minutes). */
export async function benchFleetCalls(sizes?: readonly number[]): Promise<FleetFigures[]> {
  const fleets: FleetFigures[] = [];
  const failed: NotMeasured[] = [];
  for (const { services, clockSpeed } of FLEETS.filter((fleet) => !sizes || sizes.includes(fleet.services))) {
    try {
      const started = performance.now();
      const figures = await measureFleet(services, clockSpeed);
      fleets.push(figures);
      console.log(
        `fleet of ${services}: ${figures.callsPerServicePerResync} calls per service per resync, daemon RSS ${figures.rssMB} MB (peak ${figures.peakRssMB}), measured in ${Math.round((performance.now() - started) / 1000)} s`,
      );
    } catch (error) {
      // A size that could not be measured is reported (and recorded so, never with older figures in
      // its place), and the others still are.
      const reason = error instanceof Error ? error.message : String(error);
      console.log(`fleet of ${services}: not measured: ${reason}`);
      failed.push({ services, notMeasured: reason });
    }
  }
  await recordResults(fleets, failed);
  return fleets;
}

if (import.meta.main) {
  stopChildrenOnSignal();
  const argument = (name: string) => {
    const index = process.argv.indexOf(name);
    return index === -1 ? undefined : Number(process.argv[index + 1]);
  };
  const size = argument("--fleet");
  if (process.argv.includes("--table")) printSummary(await readResults());
  else if (size === undefined) {
    await benchFleetCalls();
    printSummary(await readResults());
  } else if (process.argv.includes("--record")) {
    await benchFleetCalls([size]);
    printSummary(await readResults());
  } else console.log(JSON.stringify(await measureFleet(size, argument("--speed") ?? 60)));
}
