/**
 * `ecs-converge run`: keeps every service of a spec path converged, forever. Spec files are watched
 * (an edit is reconciled within about a second; a bad edit leaves the last good spec in force), each
 * service has its own worker, services reconcile in parallel up to a limit, and the daemon answers
 * /healthz, /readyz, /metrics and /status. SIGTERM or SIGINT stops it cleanly.
 */
import type { LoadedSpec } from "../../specs/index.ts";
import { formatIssue } from "../../specs/index.ts";
import { guardClients, guardClientsByCaller } from "../aws/call-guard.ts";
import { instrumentClients } from "../aws/call-metrics.ts";
import {
  type AwsClients,
  type CallTimeouts,
  clientsForService,
  DEFAULT_CALL_TIMEOUTS,
  defaultRegion,
  destroyAwsClients,
} from "../aws/clients.ts";
import { sharedRateLimiter } from "../aws/rate-limiter.ts";
import { CliError } from "../cli/cli-error.ts";
import { FleetInventory } from "../inventory/fleet-inventory.ts";
import { DynamoDbLeaseStore } from "../leases/dynamodb-lease-store.ts";
import { LeaseCoordinator } from "../leases/lease-coordinator.ts";
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
  /** Coordinate with other replicas through leases: one writer per service. Absent: this daemon writes to every service. */
  leases?: LeaseSettings;
  /** Where a load balancer's listener is served on this machine (the built-in emulator), by DNS name and port. */
  localUrlOf?: (dnsName: string, port: number) => string | undefined;
}

export interface LeaseSettings {
  /** The DynamoDB table (created if missing). */
  table: string;
  /** The table's region; default: the SDK's (AWS_REGION, the profile), else us-east-1 against an emulator. */
  region?: string;
  /** A lease not renewed for this long may be taken by another replica: failover takes about this long. */
  durationMs: number;
  /** This replica's name in the table. */
  replicaId: string;
}

/**
 * The lease coordinator for `settings`, with its timing derived from the call timeouts: a write is sent
 * only while the lease stays valid for longer than one attempt, so the lease must last at least twice that.
 */
async function openLeases(
  settings: LeaseSettings,
  options: DaemonOptions,
  callbacks: Pick<
    ConstructorParameters<typeof LeaseCoordinator>[0],
    "services" | "onAcquired" | "onLost" | "beforeRelease"
  >,
): Promise<LeaseCoordinator> {
  // An attempt may take its connection time and then its request time.
  const timeouts = options.callTimeouts ?? DEFAULT_CALL_TIMEOUTS;
  const writeWindowMs = timeouts.connectMs + timeouts.attemptMs;
  if (settings.durationMs < 2 * writeWindowMs)
    throw new CliError(
      `--lease-duration ${settings.durationMs / 1000}s is too short: a lease must last at least twice --connect-timeout plus --call-timeout (${writeWindowMs / 1000}s), so that no write is in flight when the lease may pass to another replica`,
    );
  const region = settings.region ?? (await defaultRegion()) ?? (options.endpoint ? "us-east-1" : undefined);
  if (!region) throw new CliError("no region for the lease table: set --lease-region or AWS_REGION");
  const store = new DynamoDbLeaseStore({
    region,
    table: settings.table,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.callTimeouts ? { timeouts: options.callTimeouts } : {}),
    // The next round retries anyway: a lease round should fail fast rather than retry for minutes.
    maxAttempts: 3,
  });
  return new LeaseCoordinator({
    store,
    replicaId: settings.replicaId,
    leaseDurationMs: settings.durationMs,
    renewIntervalMs: settings.durationMs / 4,
    writeWindowMs,
    log: options.log,
    ...callbacks,
  });
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
  // The limiter is the process's: this daemon counts the waits from its start to its stop.
  const stopCountingWaits = sharedRateLimiter.onWait(({ service, operation, seconds, urgent }) =>
    metrics.recordRateLimitWait(service, operation, seconds, urgent),
  );
  const limiter = new ConcurrencyLimiter(options.concurrency);
  const workers = new Map<string, ServiceWorker>();
  let ready = false;
  // Set below once the spec sources are open; the lease callbacks only run after that.
  let leases: LeaseCoordinator | undefined;

  /** Clients of their own, for work outside the workers' passes (the inventory, a prune). */
  const ownClientsFor = async (loaded: LoadedSpec): Promise<AwsClients> => {
    const clients = await clientsForService(loaded.spec, options.endpoint, options.callTimeouts);
    instrumentClients(clients, metrics.onAwsCall);
    return clients;
  };
  // One set of clients per region for every worker there, each call guarded by the pass that makes it:
  // a client per service would cost a fleet of a thousand a thousand sets of sockets and configuration.
  const sharedClients = new Map<string, Promise<AwsClients>>();
  const clientsFor = (loaded: LoadedSpec): Promise<AwsClients> => {
    const key = loaded.spec.spec.region ?? "";
    let clients = sharedClients.get(key);
    if (!clients) {
      clients = ownClientsFor(loaded).then((created) => {
        guardClientsByCaller(created);
        return created;
      });
      // Clients that could not be made (no region) are tried again by the next pass.
      clients.catch(() => sharedClients.delete(key));
      sharedClients.set(key, clients);
    }
    return clients;
  };

  // One fleet inventory per region, with clients of its own (not any worker's: a pass's deadline must
  // not cut a read other passes share). A snapshot serves resyncs for one resync interval, so each
  // kind is read about once per interval for the whole fleet, however long the fleet's passes take;
  // each load balancer is listed again on the slow tier (a listener added behind our back).
  const inventories = new Map<string, { clients: Promise<AwsClients>; inventory: Promise<FleetInventory> }>();
  const inventoryFor = (loaded: LoadedSpec, workerClients: AwsClients): Promise<FleetInventory> => {
    let entry = inventories.get(workerClients.region);
    if (!entry) {
      const clients = ownClientsFor(loaded);
      const inventory = clients.then(
        (shared) =>
          new FleetInventory(shared, {
            maxAgeMs: options.settings.resyncMs,
            slowMaxAgeMs: Math.max(options.settings.slowResyncMs, options.settings.resyncMs),
            onSlowReadDeferred: (service, operation) => metrics.recordSlowReadDeferred(service, operation),
          }),
      );
      entry = { clients, inventory };
      // A region whose clients could not be made is tried again by the next pass.
      inventory.catch(() => inventories.delete(workerClients.region));
      inventories.set(workerClients.region, entry);
    }
    return entry.inventory;
  };

  const updateConditionMetrics = () =>
    metrics.setConditions(
      [...workers.values()].map((worker) => ({ service: worker.name, conditions: worker.conditions() })),
    );

  /** `asked`: a spec file added while the daemon runs, whose first pass goes ahead of the first round. */
  const startWorker = (loaded: LoadedSpec, asked = false) => {
    const worker = new ServiceWorker(loaded, {
      log,
      limiter,
      firstPassUrgent: asked,
      settings: options.settings,
      clientsFor,
      inventoryFor,
      onReconciled: (service, outcome, { priority, seconds, slotWaitSeconds }) => {
        metrics.recordReconcile(service, outcome.kind, seconds);
        metrics.recordSlotWait(priority, slotWaitSeconds);
        updateConditionMetrics();
      },
      onDrift: (service, resource, field) => metrics.recordDrift(service, resource, field),
      onPassAbandoned: (service) => metrics.recordPassAbandoned(service),
      ...(leases ? { beforeMutation: leases.checkMutation.bind(leases) } : {}),
      ...(options.localUrlOf ? { localUrlOf: options.localUrlOf } : {}),
    });
    workers.set(worker.name, worker);
    metrics.trackService(worker.name);
    // Registered with its region's inventory before its first pass, so the first snapshots read every
    // service the daemon starts with in batches instead of each on its own. (A failure here is the
    // pass's to report: it makes the same clients.)
    void clientsFor(loaded)
      .then((clients) => inventoryFor(loaded, clients))
      .then((inventory) => inventory.expect(loaded.spec))
      .catch(() => {});
    worker.trigger("started");
    return worker;
  };

  let stopping: Promise<void> | undefined;
  /** Aborted when shutdown's grace is over: prunes still running give up. */
  const shutdown = new AbortController();
  /** Workers taken out of service whose last pass may still be running (shutdown waits for them too). */
  const retiring = new Map<string, { worker: ServiceWorker; stopped: Promise<void> }>();
  /** Stops managing `service`: resolves once its worker's pass in flight has ended. */
  const retire = (service: string): Promise<void> => {
    const worker = workers.get(service);
    workers.delete(service);
    if (!worker) return retiring.get(service)?.stopped ?? Promise.resolve();
    const stopped = worker.stop().finally(() => {
      if (retiring.get(service)?.worker === worker) retiring.delete(service);
    });
    retiring.set(service, { worker, stopped });
    return stopped;
  };
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
    if (leases) {
      // A new service: the next lease round takes its lease if this replica's fair share allows.
      void leases.round();
      return;
    }
    const prune = pruning.get(service);
    if (!prune) {
      log.info({ service, file: loaded.file }, "managing service");
      startWorker(loaded, true);
      return;
    }
    log.warn(
      { service, file: loaded.file },
      "spec file back while its service is being pruned: managing it once the prune ends",
    );
    void prune.then(() => {
      if (stopping || workers.has(service) || sources.services().get(service) === undefined) return;
      startWorker(sources.services().get(service) ?? loaded, true);
    });
  });
  sources.on("invalid", ({ file, issues, keptService }) => {
    for (const issue of issues)
      log.error(
        { file, issue: formatIssue(issue), ...(keptService ? { keptInForce: keptService } : {}) },
        "invalid spec",
      );
  });
  // A broken edit was reported loudly: its fix is confirmed, so the last word is not the error.
  sources.on("recovered", ({ file, service }) =>
    log.info({ file, service }, "spec valid again: the last edit fixed its problems"),
  );
  sources.on("duplicate", ({ service, files }) => {
    log.error(
      { service, files },
      "two spec files name the same service; neither is managed until one is renamed or removed",
    );
    void retire(service);
  });
  sources.on("watchError", ({ error }) =>
    log.error({ error: error.message }, "watching the spec files failed"),
  );
  sources.on("removed", ({ service, file, reason }) => {
    const worker = workers.get(service);
    const stopped = retire(service);
    if (reason !== "deleted") {
      // A duplicate is reported by its own event; a renamed service comes back under its new name.
      if (reason === "renamed")
        log.warn(
          { service, file },
          "the spec now names another service: no longer managing this one; nothing was deleted in AWS",
        );
      return;
    }
    if (!options.prune || !worker) {
      log.warn(
        { service, file },
        "spec file deleted: no longer managing this service; nothing was deleted in AWS (use destroy, or run with --prune)",
      );
      return;
    }
    const prune = stopped.then(async () => {
      log.warn({ service, file }, "spec file deleted: --prune destroys the service's resources");
      let clients: AwsClients | undefined;
      try {
        clients = await ownClientsFor(worker.spec);
        const gate = leases;
        guardClients(clients, {
          signal: () => shutdown.signal,
          ...(gate ? { beforeMutation: (operation: string) => gate.checkMutation(service, operation) } : {}),
        });
        await destroyService(clients, worker.spec, log.child({ service }));
        for (const { inventory } of inventories.values())
          inventory.then(
            (shared) => shared.wrote(),
            () => {},
          );
      } catch (error) {
        log.error({ service, error: error instanceof Error ? error.message : String(error) }, "prune failed");
      } finally {
        destroyAwsClients(clients);
        pruning.delete(service);
      }
    });
    pruning.set(service, prune);
  });

  if (options.leases && options.settings.dryRun) {
    log.info("--dry-run changes nothing, so it takes no lease: every service is reported");
  } else if (options.leases) {
    // A bad lease setting or an unreachable table must not leave the spec watcher running.
    leases = await openLeases(options.leases, options, {
      services: () => [...sources.services().keys()],
      onAcquired: (service) => {
        const loaded = sources.services().get(service);
        // A worker stopped on a lost lease may still be finishing its pass: the next round starts the new one.
        if (!loaded || workers.has(service) || retiring.has(service) || stopping) return;
        log.info({ service, file: loaded.file, replica: options.leases?.replicaId }, "managing service");
        startWorker(loaded);
      },
      onLost: (service) => {
        void retire(service);
      },
      beforeRelease: async (service) => {
        await retire(service);
        await pruning.get(service);
      },
    }).catch(async (error: unknown) => {
      await sources.close();
      throw error;
    });
    log.info({ store: options.leases.table, replica: options.leases.replicaId }, "joining the replicas");
    await leases.start().catch(async (error: unknown) => {
      await sources.close();
      throw error;
    });
  }
  if (!leases) {
    for (const loaded of sources.services().values()) {
      log.info({ service: loaded.spec.metadata.name, file: loaded.file }, "managing service");
      startWorker(loaded);
    }
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
    const leaseProblem = leases?.problem();
    if (leaseProblem !== undefined) problems.push(leaseProblem);
    const leaseRoundStuckMs = leases?.stuckForMs();
    if (leaseRoundStuckMs !== undefined)
      problems.push(
        `lease round running for ${Math.round(leaseRoundStuckMs / 1000)} s: the lease table does not answer`,
      );
    return { healthy: problems.length === 0, problems };
  };
  const status = () => ({
    ready,
    health: health(),
    ...(leases ? { leases: leases.snapshot() } : {}),
    services: [...workers.values()].map((worker) => worker.status()),
    problems: sources
      .problems()
      .map((problem) => ({ file: problem.file, issues: problem.issues.map(formatIssue) })),
  });
  const endpoints = await startEndpoints({
    ...options.listen,
    metrics: {
      contentType: metrics.contentType,
      text: () => {
        if (leases) metrics.setLeases(leases.snapshot());
        const syncedSince = [...workers.values()].map((worker) => worker.syncedSince());
        metrics.setOldestSync(
          syncedSince.filter((since) => since !== undefined),
          performance.now(),
        );
        return metrics.text();
      },
    },
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
        const inFlight = Promise.all([
          ...[...workers.keys()].map(retire),
          ...[...retiring.values()].map((entry) => entry.stopped),
          ...pruning.values(),
        ]);
        await Promise.race([inFlight, grace]);
        // Past the grace, what still runs is cut short: its AWS calls fail at once, so it ends now.
        for (const { worker } of retiring.values()) worker.abandon("the daemon is stopping");
        shutdown.abort(new Error("the daemon is stopping"));
        await inFlight;
        // Every worker has stopped: hand the leases back, so other replicas take over at once (each
        // once a write its worker sent can no longer be in flight).
        await leases?.stop();
        for (const clients of [
          ...sharedClients.values(),
          ...[...inventories.values()].map((entry) => entry.clients),
        ])
          destroyAwsClients(await clients.catch(() => undefined));
        await endpoints.close();
        stopCountingWaits();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
