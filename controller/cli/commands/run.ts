/**
 * `ecs-converge run`: the daemon. Against real AWS (the SDK's standard configuration), `--local` (the
 * emulator on 127.0.0.1:4566), or `--emulator`, which starts the built-in emulator in this process on
 * a sped-up clock: what `npm start` runs to show the whole system on one machine.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { EcsActivity, Emulator, EmulatorOptions } from "../../../emulator/index.ts";
import { LOCAL_EMULATOR_ENDPOINT } from "../../aws/clients.ts";
import { startDaemon } from "../../daemon/daemon.ts";
import { parseListen } from "../../daemon/endpoints.ts";
import { limitHeapGrowth } from "../../daemon/heap-growth.ts";
import { createLogger, LOG_LEVELS, type LogFormat, type Logger } from "../../daemon/logger.ts";
import { MemoryRelease } from "../../daemon/memory-release.ts";
import type { WorkerSettings } from "../../daemon/service-worker.ts";
import { callTimeoutsFrom } from "../aws-session.ts";
import { CliError } from "../cli-error.ts";
import { parseDuration } from "../duration.ts";
import { type EmulatorImageOptions, emulatorImagesFrom } from "../emulator-images.ts";
import { ExitCode } from "../exit-codes.ts";
import { parseListenerPorts } from "../listener-ports.ts";
import type { CliStreams } from "../terminal.ts";

export interface RunOptions extends EmulatorImageOptions {
  file: string;
  dryRun?: boolean;
  resync: string;
  slowResync: string;
  listen: string;
  local?: boolean;
  emulator?: boolean;
  emulatorSpeed: string;
  /** With --emulator: `80=8080` pairs, where load balancer listeners are served. */
  listenerPorts?: string;
  concurrency: string;
  prune?: boolean;
  logLevel: string;
  logFormat?: string;
  callTimeout?: string;
  connectTimeout?: string;
  passTimeout: string;
  watchdog: string;
  leaseTable?: string;
  leaseRegion?: string;
  leaseDuration: string;
  replicaId?: string;
}

/** How long the daemon waits before looking again at a rollout in progress (or a step waiting for AWS) on AWS. */
const ROLLOUT_POLL_MS = 2000;
/** The shortest poll on a fast emulator clock: the daemon keeps looking, but never in a busy loop. */
const MIN_ROLLOUT_POLL_MS = 20;

/**
 * The daemon's waits under `run`. Its timers run in real time, the built-in emulator's clock
 * `emulatorSpeed` times faster: a real 2 s between looks at a rollout would be 120 simulated seconds
 * at ×60, most of a load balancer's provisioning, and a from-scratch convergence took 1.8× its
 * critical path (bench/critical-path.ts). So against the emulator the poll keeps AWS's pace in
 * simulated time. Error backoff stays in real time: it spares a failing endpoint, whatever its clock.
 */
export function runWaits(
  emulatorSpeed = 1,
): Pick<WorkerSettings, "rolloutPollMs" | "initialBackoffMs" | "maxBackoffMs"> {
  return {
    rolloutPollMs: Math.max(MIN_ROLLOUT_POLL_MS, Math.round(ROLLOUT_POLL_MS / emulatorSpeed)),
    initialBackoffMs: 1000,
    maxBackoffMs: 5 * 60_000,
  };
}

/** Tasks that stop by themselves (a crash, a failed start), as opposed to ECS retiring them. */
const UNPLANNED_STOPS = new Set(["EssentialContainerExited", "TaskFailedToStart"]);

/** What the built-in ECS does, in the daemon's log: a killed task shows ECS replacing it. */
function logEcsActivity(log: Logger, activity: EcsActivity): void {
  if (activity.kind === "service event") {
    log.info({ service: activity.service, event: activity.message }, "ECS service event");
    return;
  }
  const { service, task, stopCode, reason, exitCodes } = activity;
  const fields = { service, task, stopCode, reason, exitCodes };
  if (stopCode !== undefined && UNPLANNED_STOPS.has(stopCode)) log.warn(fields, "ECS stops a task");
  else log.info(fields, "ECS stops a task");
}

/**
 * The built-in emulator where `--local` looks for it (127.0.0.1:4566), so `status`, `logs` and `plan`
 * with `--local` reach the daemon's own emulator; a free port when that one is taken (another emulator).
 */
async function startOnLocalPort(speed: number, options: Omit<EmulatorOptions, "clock">): Promise<Emulator> {
  // Loaded only here: a daemon against AWS never holds the emulator's code.
  const { Emulator, ScaledClock } = await import("../../../emulator/index.ts");
  const emulator = new Emulator({ ...options, clock: new ScaledClock(speed) });
  const { hostname, port } = new URL(LOCAL_EMULATOR_ENDPOINT);
  try {
    return await emulator.listen(Number(port), hostname);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") {
      await emulator.close();
      throw error;
    }
    return emulator.listen(0, hostname);
  }
}

/** `host-1234-9f3a`: unique per process, and says where to look. */
const defaultReplicaId = () => `${hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`;

/** Resolves on the first SIGTERM/SIGINT; a second one ends the process at once. */
function untilSignal(onSecond: () => void): Promise<string> {
  return new Promise((resolve) => {
    const first = (signal: string) => {
      process.off("SIGINT", first);
      process.off("SIGTERM", first);
      process.once("SIGINT", onSecond);
      process.once("SIGTERM", onSecond);
      resolve(signal);
    };
    process.once("SIGINT", first);
    process.once("SIGTERM", first);
  });
}

export async function runCommand(
  options: RunOptions,
  streams: CliStreams,
  stopped?: Promise<string>,
): Promise<ExitCode> {
  if (!LOG_LEVELS.includes(options.logLevel as never)) {
    throw new CliError(`--log-level ${options.logLevel}: expected one of ${LOG_LEVELS.join(", ")}`);
  }
  if (options.logFormat !== undefined && options.logFormat !== "json" && options.logFormat !== "pretty") {
    throw new CliError(`--log-format ${options.logFormat}: expected json or pretty`);
  }
  if (options.local && options.emulator)
    throw new CliError("--local and --emulator both choose an emulator: pass one of them");
  const images = emulatorImagesFrom(options);
  if (images.length > 0 && !options.emulator)
    throw new CliError("--run-image and --images configure the built-in emulator: add --emulator");
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new CliError(`--concurrency ${options.concurrency}: expected a positive integer`);
  const listenerPorts = parseListenerPorts(options.listenerPorts ?? "80=8080");
  const speed = Number(options.emulatorSpeed);
  if (!(speed > 0))
    throw new CliError(`--emulator-speed ${options.emulatorSpeed}: expected a positive number`);
  let listen: { host: string; port: number };
  try {
    listen = parseListen(options.listen);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const resyncMs = parseDuration("--resync", options.resync, { minMs: 1000, maxMs: 24 * 3_600_000 });
  const slowResyncMs = parseDuration("--slow-resync", options.slowResync, {
    minMs: 1000,
    maxMs: 24 * 3_600_000,
  });
  const callTimeouts = callTimeoutsFrom(options);
  const passTimeoutMs = parseDuration("--pass-timeout", options.passTimeout, {
    minMs: 1000,
    maxMs: 6 * 3_600_000,
  });
  const stuckAfterMs = parseDuration("--watchdog", options.watchdog, { minMs: 1000, maxMs: 24 * 3_600_000 });
  const leaseDurationMs = parseDuration("--lease-duration", options.leaseDuration, {
    minMs: 1000,
    maxMs: 3_600_000,
  });
  if (options.replicaId !== undefined && !/^[\w.:-]{1,128}$/.test(options.replicaId))
    throw new CliError(
      `--replica-id ${options.replicaId}: use up to 128 letters, digits, '.', ':', '_' or '-'`,
    );

  // Taken before anything starts: a signal that lands while the daemon starts up (after its "daemon
  // started" line, say, before the first await returns) must stop it cleanly, not kill it outright.
  const signalled = stopped ?? untilSignal(() => process.exit(ExitCode.Error));
  limitHeapGrowth();
  const log = createLogger({
    level: options.logLevel as never,
    destination: streams.stdout,
    ...(options.logFormat ? { format: options.logFormat as LogFormat } : {}),
  });
  const emulator = options.emulator
    ? await startOnLocalPort(speed, {
        images,
        listenerPorts,
        onListenerEvent: (message, { loadBalancer, dnsName, port, url }) =>
          log.info({ loadBalancer, dnsName, port, url }, message),
        onEcsActivity: (activity) => logEcsActivity(log, activity),
      })
    : undefined;
  if (emulator)
    log.info(
      {
        url: emulator.url,
        speed,
        ...(emulator.url === LOCAL_EMULATOR_ENDPOINT
          ? { try: "npx ecs-converge status -f service.yaml --local" }
          : { try: `AWS_ENDPOINT_URL=${emulator.url} npx ecs-converge status -f service.yaml` }),
      },
      "built-in AWS emulator started (simulated time runs faster)",
    );
  for (const { pattern, command } of emulator ? images : [])
    log.info({ image: pattern, command: command.join(" ") }, "tasks of this image run as local processes");

  const daemon = await startDaemon({
    path: options.file,
    log,
    ...(emulator ? { endpoint: emulator.url } : options.local ? { endpoint: LOCAL_EMULATOR_ENDPOINT } : {}),
    listen,
    ...(emulator
      ? { localUrlOf: (dnsName: string, port: number) => emulator.loadBalancers.urlOf(dnsName, port) }
      : {}),
    callTimeouts,
    concurrency,
    prune: Boolean(options.prune),
    ...(options.leaseTable
      ? {
          leases: {
            table: options.leaseTable,
            ...(options.leaseRegion ? { region: options.leaseRegion } : {}),
            durationMs: leaseDurationMs,
            replicaId: options.replicaId ?? defaultReplicaId(),
          },
        }
      : {}),
    settings: {
      resyncMs,
      ...runWaits(emulator ? speed : undefined),
      dryRun: Boolean(options.dryRun),
      passTimeoutMs,
      stuckAfterMs,
      slowResyncMs,
    },
  }).catch(async (error: unknown) => {
    await emulator?.close();
    throw error;
  });
  if (emulator) {
    log.info(
      { status: `${daemon.url}/status`, metrics: `${daemon.url}/metrics` },
      `watching ${options.file}: edit it (say APP_VERSION or the image tag for a rollout of a new revision, or autoscaling.minTasks: 3 for a third task) and the change is applied within a second; Ctrl-C stops`,
    );
  }

  const memory = new MemoryRelease({
    onReleased: ({ fromBytes, toBytes, pauseMs }) =>
      log.debug(
        {
          fromMB: Math.round(fromBytes / 2 ** 20),
          toMB: Math.round(toBytes / 2 ** 20),
          pauseMs: Math.round(pauseMs),
        },
        "memory the heap no longer uses handed back to the system",
      ),
  });
  memory.start();

  const signal = await signalled;
  log.info({ signal }, "shutting down");
  memory.stop();
  await daemon.stop();
  await emulator?.close();
  return ExitCode.Ok;
}
