/**
 * A fleet at steady state, shared by the fleet tests and bench/fleet-calls.ts: N copies of the sample
 * spec (distinct names, one shared cluster, as a platform team runs them) under one in-process daemon
 * against an emulator, and a window of resync passes counted from the emulator's call log and the
 * daemon's own `ecs_converge_reconciles_total`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Logger, pino } from "pino";
import { parse, stringify } from "yaml";
import { EMULATOR_ACCESS_KEY_ID } from "../../controller/aws/clients.ts";
import { type RunningDaemon, startDaemon } from "../../controller/daemon/daemon.ts";
import type { WorkerSettings } from "../../controller/daemon/service-worker.ts";
import type { CallRecord, Emulator } from "../../emulator/index.ts";
import { merge } from "../../specs/test-builders.ts";
import { WaitTimeoutError, waitFor } from "./wait-for.ts";

export const FLEET_CLUSTER = "fleet";
/** The CLI's default `--concurrency`. */
export const FLEET_CONCURRENCY = 4;
const SERVICE_YAML = fileURLToPath(new URL("../../service.yaml", import.meta.url));

export const fleetServiceName = (index: number) => `svc-${String(index + 1).padStart(3, "0")}`;

/** N copies of the sample spec, each its own service, all in one cluster; returns their names. */
export async function writeFleetSpecs(directory: string, size: number): Promise<string[]> {
  const sample = parse(await readFile(SERVICE_YAML, "utf8")) as Parameters<typeof merge>[0];
  const names = Array.from({ length: size }, (_, index) => fleetServiceName(index));
  for (const name of names) {
    const document = merge(sample, { metadata: { name }, spec: { cluster: FLEET_CLUSTER } });
    await writeFile(join(directory, `${name}.yaml`), stringify(document));
  }
  return names;
}

/** An in-process daemon on the fleet's directory (against an emulator or its URL), silent, with short resync and backoff. */
export function startFleetDaemon(
  emulator: Pick<Emulator, "url">,
  directory: string,
  settings: Partial<WorkerSettings> = {},
  concurrency = FLEET_CONCURRENCY,
  log: Logger = pino({ level: "silent" }),
): Promise<RunningDaemon> {
  return startDaemon({
    path: directory,
    log,
    endpoint: emulator.url,
    listen: { host: "127.0.0.1", port: 0 },
    concurrency,
    prune: false,
    settings: {
      resyncMs: 2_000,
      rolloutPollMs: 500,
      initialBackoffMs: 500,
      maxBackoffMs: 5_000,
      dryRun: false,
      passTimeoutMs: 60_000,
      stuckAfterMs: 120_000,
      slowResyncMs: 10 * 60_000,
      ...settings,
    },
  });
}

interface ServiceView {
  service: string;
  conditions: Array<{ type: string; status: string }>;
}

/** Whether the daemon reports all `size` services Ready and Synced. */
export function allConverged(daemon: RunningDaemon, size: number): boolean {
  const services = (daemon.status() as { services: ServiceView[] }).services;
  const isTrue = (service: ServiceView, type: string) =>
    service.conditions.some((condition) => condition.type === type && condition.status === "True");
  return (
    services.length === size &&
    services.every((service) => isTrue(service, "Ready") && isTrue(service, "Synced"))
  );
}

/** A daemon's endpoints: one in this process (RunningDaemon) or in its own (DaemonProcess). */
type DaemonEndpoints = Pick<RunningDaemon, "url">;

interface ReconcileCounts {
  /** Every finished pass, by service. */
  total: Map<string, number>;
  synced: number;
  /** `ecs_converge_oldest_sync_seconds`: how long ago the stalest in-sync service was last read. */
  oldestSyncSeconds: number;
}

/** Reads `ecs_converge_reconciles_total{service,result}` from the daemon's own /metrics. */
async function reconcileCounts(daemon: DaemonEndpoints): Promise<ReconcileCounts> {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  const counts: ReconcileCounts = { total: new Map(), synced: 0, oldestSyncSeconds: 0 };
  for (const line of text.split("\n")) {
    if (line.startsWith("ecs_converge_oldest_sync_seconds "))
      counts.oldestSyncSeconds = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (!line.startsWith("ecs_converge_reconciles_total{")) continue;
    const service = /service="([^"]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (service === undefined || !Number.isFinite(value)) continue;
    counts.total.set(service, (counts.total.get(service) ?? 0) + value);
    if (line.includes('result="synced"')) counts.synced += value;
  }
  return counts;
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

export const isWrite = (call: CallRecord) => !/^(Describe|List|Get)/.test(call.operation);

/** Calls by `service:Operation`. */
export function countByOperation(calls: readonly CallRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = `${call.service}:${call.operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** An emulator's call log: in this process (`emulator.calls`) or another's, over its control API. */
export interface CallLogView {
  reset(): unknown;
  calls(): readonly CallRecord[] | Promise<readonly CallRecord[]>;
}

/** The call log of an emulator in another process, through `/_emulator/calls`. */
export function remoteCallLog(url: string): CallLogView {
  return {
    reset: () => fetch(`${url}/_emulator/calls`, { method: "DELETE" }).then((response) => response.text()),
    calls: async () =>
      ((await (await fetch(`${url}/_emulator/calls`)).json()) as { calls: CallRecord[] }).calls,
  };
}

export interface ResyncWindow {
  /** The daemon's calls in the window (a probe's, signed with another key, are left out). */
  calls: CallRecord[];
  passes: number;
  passesNotSynced: number;
  seconds: number;
  /**
   * The longest any in-sync service went without a pass in the window, as the daemon's
   * `oldest_sync_seconds` showed it at each read of /metrics (so up to one poll short).
   */
  longestWithoutPassSeconds: number;
  /**
   * The same during the warm-up (a restart's first round, when the daemon was just restarted): how
   * long services already read went without a pass while the others were read for the first time.
   */
  warmUpLongestWithoutPassSeconds: number;
  /** When the window began (performance.now()), after the warm-up. */
  startedAt: number;
}

const WARM_UP_PASSES = 2;
/** How many resync intervals the warm-up waits for the daemon to keep up before the window opens regardless. */
const KEEP_UP_INTERVALS = 10;

/**
 * Waits until every service in sync was read within the last `resyncMs` (`oldest_sync_seconds`), for
 * at most `forMs`. A daemon that does not keep up by then is measured as it is: the window's
 * `longestWithoutPassSeconds` shows how far behind.
 */
async function keptUp(
  daemon: DaemonEndpoints,
  resyncMs: number,
  forMs: number,
  pollMs: number,
): Promise<number> {
  let oldestSyncSeconds = 0;
  await waitFor(
    "the daemon to keep up with its resync interval",
    async () => {
      const read = await reconcileCounts(daemon);
      oldestSyncSeconds = Math.max(oldestSyncSeconds, read.oldestSyncSeconds);
      return read.oldestSyncSeconds * 1000 <= resyncMs ? true : undefined;
    },
    forMs,
    pollMs,
  ).catch((error: unknown) => {
    // Not keeping up is measured, not fatal; a failed read of /metrics is.
    if (!(error instanceof WaitTimeoutError)) throw error;
  });
  return oldestSyncSeconds;
}

/**
 * Waits until every service has finished `passes` more passes than `before`; returns the counts then,
 * with the largest `oldestSyncSeconds` any read of /metrics saw on the way.
 */
async function passesDone(
  daemon: DaemonEndpoints,
  names: string[],
  before: ReconcileCounts,
  passes: number,
  deadlineMs: number,
  pollMs: number,
): Promise<ReconcileCounts> {
  let oldestSyncSeconds = 0;
  const counts = await waitFor(
    `${passes} resync passes of every service`,
    async () => {
      const read = await reconcileCounts(daemon);
      oldestSyncSeconds = Math.max(oldestSyncSeconds, read.oldestSyncSeconds);
      const done = names.every(
        (name) => (read.total.get(name) ?? 0) - (before.total.get(name) ?? 0) >= passes,
      );
      return done ? read : undefined;
    },
    deadlineMs,
    pollMs,
  );
  return { ...counts, oldestSyncSeconds };
}

export interface WindowOptions {
  /** How long the warm-up and the window may take in all (ms). */
  deadlineMs: number;
  /**
   * How often /metrics is read to count passes (ms): the window's end is seen up to this late. A large
   * fleet's /metrics is not free, and every read of it is work for the daemon measured.
   */
  pollMs?: number;
  /**
   * The daemon's resync interval (ms): the warm-up also lasts until the daemon keeps up, every service
   * in sync read within the interval (`oldest_sync_seconds`), so that no pass slowed by a restart's
   * first round is still running when the window opens (waiting ten intervals at most).
   */
  resyncMs?: number;
  /** Called as the window opens, after the warm-up: where a caller reads what it counts over the window. */
  onOpen?: () => Promise<void>;
}

/**
 * After a warm-up of two passes per service (and, given the resync interval, until the daemon keeps
 * up), clears the call log, then waits until every service has finished `passesPerService` more
 * passes. A pass in flight at either edge is counted by its calls or by its end but not both, so the
 * error is at most one pass per service against `passesPerService` × N counted.
 */
export async function countResyncWindow(
  log: CallLogView,
  daemon: DaemonEndpoints,
  names: string[],
  passesPerService: number,
  { deadlineMs, pollMs = 250, resyncMs, onOpen }: WindowOptions,
): Promise<ResyncWindow> {
  // Warm-up: the passes right after convergence (a rollout's last, the first resyncs, whose keys the
  // fleet inventory does not hold yet) are not steady state.
  const warmUp = await passesDone(
    daemon,
    names,
    await reconcileCounts(daemon),
    WARM_UP_PASSES,
    deadlineMs,
    pollMs,
  );
  const keepUpOldestSyncSeconds =
    resyncMs === undefined
      ? 0
      : await keptUp(daemon, resyncMs, Math.min(deadlineMs, KEEP_UP_INTERVALS * resyncMs), pollMs);
  await onOpen?.();
  const before = await reconcileCounts(daemon);
  await log.reset();
  const started = performance.now();
  const after = await passesDone(daemon, names, before, passesPerService, deadlineMs, pollMs);
  // Copied at once: the fleet keeps calling while the figures are worked out.
  const calls = (await log.calls()).filter((call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID);
  const passes = sum(after.total.values()) - sum(before.total.values());
  return {
    calls,
    passes,
    passesNotSynced: passes - (after.synced - before.synced),
    seconds: (performance.now() - started) / 1000,
    longestWithoutPassSeconds: after.oldestSyncSeconds,
    warmUpLongestWithoutPassSeconds: Math.max(warmUp.oldestSyncSeconds, keepUpOldestSyncSeconds),
    startedAt: started,
  };
}
