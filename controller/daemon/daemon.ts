/**
 * `ecs-converge run`: keeps every service of a spec path converged, forever. Spec files are watched
 * (an edit is reconciled within about a second; a bad edit leaves the last good spec in force), each
 * service has its own worker, services reconcile in parallel up to a limit, and the daemon answers
 * /healthz, /readyz, /metrics and /status. SIGTERM or SIGINT stops it cleanly.
 */
import type { LoadedSpec } from "../../specs/index.ts";
import { formatIssue } from "../../specs/index.ts";
import { instrumentClients } from "../aws/call-metrics.ts";
import { type AwsClients, type CallTimeouts, clientsForService } from "../aws/clients.ts";
import { startEndpoints } from "./endpoints.ts";
import { ConcurrencyLimiter } from "./limiter.ts";
import type { Logger } from "./logger.ts";
import { DaemonMetrics } from "./metrics.ts";
import { destroyService } from "./prune.ts";
import { ServiceWorker, type WorkerSettings } from "./service-worker.ts";
import { SpecSources } from "./spec-sources.ts";

export interface DaemonOptions {
  /** A spec file or a directory of them. */
  path: string;
  log: Logger;
  /** Where the SDK sends calls (the emulator); otherwise the SDK's own resolution. */
  endpoint?: string;
  /** Per-attempt timeouts of every AWS call (default: DEFAULT_CALL_TIMEOUTS). */
  callTimeouts?: CallTimeouts;
  listen: { host: string; port: number };
  concurrency: number;
  /** Delete a service's resources when its spec file is deleted (off: stop managing it, delete nothing). */
  prune: boolean;
  settings: WorkerSettings;
  /** How long shutdown waits for reconciles in flight. */
  shutdownGraceMs?: number;
}

export interface RunningDaemon {
  /** The endpoints' base URL. */
  url: string;
  status(): unknown;
  stop(): Promise<void>;
}

/** What `/healthz` says: healthy unless a worker has made no progress for longer than the watchdog allows. */
export interface Health {
  healthy: boolean;
  /** One line per stuck service. */
  problems: string[];
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { log } = options;
  const metrics = new DaemonMetrics();
  const limiter = new ConcurrencyLimiter(options.concurrency);
  const workers = new Map<string, ServiceWorker>();
  let ready = false;

  const clientsFor = async (loaded: LoadedSpec): Promise<AwsClients> => {
    const clients = await clientsForService(loaded.spec, options.endpoint, options.callTimeouts);
    instrumentClients(clients, (call) => {
      metrics.recordAwsCall(call.service, call.operation);
      if (call.throttled) metrics.recordThrottle(call.service, call.operation);
    });
    return clients;
  };

  const updateConditionMetrics = () =>
    metrics.setConditions(
      [...workers.values()].map((worker) => ({ service: worker.name, conditions: worker.conditions() })),
    );

  const startWorker = (loaded: LoadedSpec) => {
    const worker = new ServiceWorker(loaded, {
      log,
      limiter,
      settings: options.settings,
      clientsFor,
      onReconciled: (service, outcome, seconds) => {
        metrics.recordReconcile(service, outcome.kind, seconds);
        updateConditionMetrics();
      },
      onDrift: (service, resource, field) => metrics.recordDrift(service, resource, field),
      onPassAbandoned: (service) => metrics.recordPassAbandoned(service),
    });
    workers.set(worker.name, worker);
    worker.trigger("started");
    return worker;
  };

  let stopping: Promise<void> | undefined;
  const sources = await SpecSources.open(options.path);
  for (const problem of sources.problems()) {
    for (const issue of problem.issues)
      log.error({ file: problem.file, issue: formatIssue(issue) }, "invalid spec");
  }
  /** Prunes in progress: a spec file that comes back meanwhile waits for its prune to end. */
  const pruning = new Map<string, Promise<void>>();
  sources.on("changed", ({ service, loaded }) => {
    const worker = workers.get(service);
    if (worker) {
      log.info({ service, file: loaded.file }, "spec changed");
      worker.setSpec(loaded);
      return;
    }
    const prune = pruning.get(service);
    if (!prune) {
      log.info({ service, file: loaded.file }, "managing service");
      startWorker(loaded);
      return;
    }
    log.warn(
      { service, file: loaded.file },
      "spec file back while its service is being pruned: managing it once the prune ends",
    );
    void prune.then(() => {
      if (stopping || workers.has(service) || sources.services().get(service) === undefined) return;
      startWorker(sources.services().get(service) ?? loaded);
    });
  });
  sources.on("invalid", ({ file, issues, keptService }) => {
    for (const issue of issues)
      log.error(
        { file, issue: formatIssue(issue), ...(keptService ? { keptInForce: keptService } : {}) },
        "invalid spec",
      );
  });
  sources.on("duplicate", ({ service, files }) => {
    log.error(
      { service, files },
      "two spec files name the same service; neither is managed until one is renamed or removed",
    );
    void workers.get(service)?.stop();
    workers.delete(service);
  });
  sources.on("watchError", ({ error }) =>
    log.error({ error: error.message }, "watching the spec files failed"),
  );
  sources.on("removed", ({ service, file, reason }) => {
    const worker = workers.get(service);
    workers.delete(service);
    if (reason !== "deleted") {
      // A duplicate is reported by its own event; a renamed service comes back under its new name.
      if (reason === "renamed")
        log.warn(
          { service, file },
          "the spec now names another service: no longer managing this one; nothing was deleted in AWS",
        );
      void worker?.stop();
      return;
    }
    const stopped = worker?.stop() ?? Promise.resolve();
    if (!options.prune || !worker) {
      log.warn(
        { service, file },
        "spec file deleted: no longer managing this service; nothing was deleted in AWS (use destroy, or run with --prune)",
      );
      return;
    }
    const prune = stopped.then(async () => {
      log.warn({ service, file }, "spec file deleted: --prune destroys the service's resources");
      try {
        await destroyService(await clientsFor(worker.spec), worker.spec, log.child({ service }));
      } catch (error) {
        log.error({ service, error: error instanceof Error ? error.message : String(error) }, "prune failed");
      } finally {
        pruning.delete(service);
      }
    });
    pruning.set(service, prune);
  });

  for (const loaded of sources.services().values()) {
    log.info({ service: loaded.spec.metadata.name, file: loaded.file }, "managing service");
    startWorker(loaded);
  }
  void Promise.all([...workers.values()].map((worker) => worker.firstPass)).then(() => {
    ready = true;
    log.info({ services: workers.size }, "first pass done: ready");
  });

  const health = (): Health => {
    const problems = [...workers.values()].flatMap((worker) => {
      const stuck = worker.stuck();
      if (!stuck) return [];
      const calls = stuck.inFlight.map((call) => `${call.call} for ${Math.round(call.forMs / 1000)} s`);
      return [
        `service ${worker.name}: no reconcile finished for ${Math.round(stuck.forMs / 1000)} s, waiting for ${stuck.waitingFor}${calls.length > 0 ? ` (in ${calls.join(", ")})` : ""}`,
      ];
    });
    return { healthy: problems.length === 0, problems };
  };
  const status = () => ({
    ready,
    health: health(),
    services: [...workers.values()].map((worker) => worker.status()),
    problems: sources
      .problems()
      .map((problem) => ({ file: problem.file, issues: problem.issues.map(formatIssue) })),
  });
  const endpoints = await startEndpoints({
    ...options.listen,
    metrics,
    status,
    ready: () => ready,
    health,
    log,
  });
  log.info({ url: endpoints.url, services: workers.size }, "daemon started");

  return {
    url: endpoints.url,
    status,
    stop() {
      stopping ??= (async () => {
        log.info("stopping: finishing reconciles in flight");
        await sources.close();
        const grace = new Promise<void>((resolve) =>
          setTimeout(resolve, options.shutdownGraceMs ?? 10_000).unref(),
        );
        await Promise.race([
          Promise.all([...[...workers.values()].map((worker) => worker.stop()), ...pruning.values()]),
          grace,
        ]);
        await endpoints.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
