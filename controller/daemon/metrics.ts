/**
 * The daemon's Prometheus metrics. Each `DaemonMetrics` owns its registry (never prom-client's global
 * one), so several daemons in one process, and the tests, never see each other's counts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AwsCall, AwsService } from "../aws/call-metrics.ts";
import type { LeaseSnapshot } from "../leases/lease-coordinator.ts";
import type { PassPriority } from "./limiter.ts";

/** How a reconcile ended (see DESIGN.md: synced, expected wait, error with backoff, terminal). */
export type ReconcileResult = "synced" | "requeue" | "error" | "terminal";

/** Every result, so each managed service's counters exist at zero before its first pass ends. */
const RECONCILE_RESULTS: readonly ReconcileResult[] = ["synced", "requeue", "error", "terminal"];

/** What the `services` gauge is set from: each service's conditions as `/status` shows them. */
export interface ServiceConditions {
  service: string;
  conditions: ReadonlyArray<{ type: string; status: string }>;
}

const PREFIX = "ecs_converge_";

/** Always exported, at zero when no service has them, so a dashboard's series never vanish. */
const CONDITION_TYPES = ["Ready", "Synced", "Degraded"] as const;
const CONDITION_STATUSES = ["True", "False"] as const;

/** From a no-op pass against a warm cache (tens of ms) to a reconcile that waits out an ALB (minutes). */
const RECONCILE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** From a free slot (none) to a restart's first round queued behind a fleet's passes (minutes). */
const SLOT_WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #reconciles: Counter<"service" | "result">;
  readonly #reconcileDuration: Histogram<"result">;
  readonly #slotWait: Histogram<"priority">;
  readonly #drift: Counter<"service" | "resource" | "field">;
  readonly #awsCalls: Counter<"aws_service" | "operation">;
  readonly #awsThrottles: Counter<"aws_service" | "operation">;
  readonly #rateLimitWait: Counter<"aws_service" | "operation" | "queue">;
  readonly #slowReadsDeferred: Counter<"aws_service" | "operation">;
  readonly #services: Gauge<"condition" | "status">;
  readonly #passesAbandoned: Counter<"service">;
  readonly #leaseOwners: Gauge<"service" | "owner">;
  readonly #leasesHeld: Gauge<"replica">;
  readonly #replicas: Gauge;
  readonly #oldestSync: Gauge;

  constructor() {
    // Process metrics keep their standard names (process_*, nodejs_*), which existing dashboards expect.
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.#reconciles = new Counter({
      name: `${PREFIX}reconciles_total`,
      help: "Reconciles finished, by service and result (synced, requeue, error, terminal).",
      labelNames: ["service", "result"],
      registers,
    });
    this.#reconcileDuration = new Histogram({
      name: `${PREFIX}reconcile_duration_seconds`,
      help: "How long one reconcile took, from observing AWS to the last mutation (its wait for a concurrency slot not counted), by result (every service together).",
      // By result, not by service: fifteen lines per service (buckets, sum, count) would make a
      // thousand-service fleet's every scrape 15,000 lines longer. Which service is slow, /status tells (its last pass).
      labelNames: ["result"],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.#slotWait = new Histogram({
      name: `${PREFIX}pass_slot_wait_seconds`,
      help: "How long a pass waited for one of --concurrency's slots, by priority (urgent: a changed or added spec; first: a service's first pass in this daemon, as after a restart; resync). Long resync waits: raise --concurrency.",
      labelNames: ["priority"],
      buckets: SLOT_WAIT_BUCKETS,
      registers,
    });
    this.#drift = new Counter({
      name: `${PREFIX}drift_total`,
      help: "Differences found between the spec and AWS that the controller did not cause, per field.",
      labelNames: ["service", "resource", "field"],
      registers,
    });
    // `aws_service`, not `service`: every other metric's `service` is the managed ECS service.
    this.#awsCalls = new Counter({
      name: `${PREFIX}aws_calls_total`,
      help: "AWS API calls, one per attempt (the SDK's retries included), by AWS service and operation.",
      labelNames: ["aws_service", "operation"],
      registers,
    });
    this.#awsThrottles = new Counter({
      name: `${PREFIX}aws_throttles_total`,
      help: "AWS API attempts refused for rate (ThrottlingException, RequestLimitExceeded, ...).",
      labelNames: ["aws_service", "operation"],
      registers,
    });
    this.#rateLimitWait = new Counter({
      name: `${PREFIX}aws_rate_limit_wait_seconds_total`,
      help: "Time AWS API attempts waited for the client-side rate limit's tokens, by AWS service, operation and queue (urgent: the calls of a pass someone asked for, which go first; routine).",
      labelNames: ["aws_service", "operation", "queue"],
      registers,
    });
    this.#slowReadsDeferred = new Counter({
      name: `${PREFIX}slow_reads_deferred_total`,
      help: "Due slow-tier refreshes put off because the slow tier had used its share of the rate limit (the value already read served).",
      labelNames: ["aws_service", "operation"],
      registers,
    });
    this.#services = new Gauge({
      name: `${PREFIX}services`,
      help: "Managed services by condition (Ready, Synced, Degraded) and its status (True, False).",
      labelNames: ["condition", "status"],
      registers,
    });
    this.#passesAbandoned = new Counter({
      name: `${PREFIX}reconcile_passes_abandoned_total`,
      help: "Reconcile passes abandoned because they ran past the pass deadline (--pass-timeout).",
      labelNames: ["service"],
      registers,
    });
    this.#leaseOwners = new Gauge({
      name: `${PREFIX}lease_owner`,
      help: "1 for each service lease and the replica holding it (owner is empty when it is free); with --lease-table only.",
      labelNames: ["service", "owner"],
      registers,
    });
    this.#leasesHeld = new Gauge({
      name: `${PREFIX}leases_held`,
      help: "Service leases this replica holds; with --lease-table only.",
      labelNames: ["replica"],
      registers,
    });
    this.#replicas = new Gauge({
      name: `${PREFIX}lease_replicas`,
      help: "Replicas this one sees alive in the lease table, itself included; with --lease-table only.",
      registers,
    });
    this.#oldestSync = new Gauge({
      name: `${PREFIX}oldest_sync_seconds`,
      help: "Seconds since the least recently read service in sync was last read (since its last pass, which found it in sync, began reading AWS); while the daemon keeps up, about the resync interval (--resync) plus one pass. 0 when no service is in sync.",
      registers,
    });
    this.setConditions([]);
  }

  /**
   * Sets `oldest_sync_seconds` from when (ms) the last synced pass of each service in sync began reading: how
   * stale the stalest view the daemon holds of the fleet is, which is what a full resync bounds.
   */
  setOldestSync(syncedSince: Iterable<number>, now: number): void {
    let oldest = now;
    for (const since of syncedSince) oldest = Math.min(oldest, since);
    this.#oldestSync.set(Math.round(now - oldest) / 1000);
  }

  /** Replaces the lease gauges with this snapshot of the lease table. */
  setLeases(snapshot: LeaseSnapshot): void {
    this.#leaseOwners.reset();
    for (const lease of snapshot.leases)
      this.#leaseOwners.set({ service: lease.service, owner: lease.owner ?? "" }, 1);
    this.#leasesHeld.set(
      { replica: snapshot.replica },
      snapshot.leases.filter((lease) => lease.owner === snapshot.replica).length,
    );
    this.#replicas.set(snapshot.replicas.length);
  }

  /**
   * A service is under management: its counters exist from now on, at zero until something happens, so
   * `rate()` and alerts on them work from the first scrape instead of from the first error.
   */
  trackService(service: string): void {
    for (const result of RECONCILE_RESULTS) this.#reconciles.inc({ service, result }, 0);
    this.#passesAbandoned.inc({ service }, 0);
  }

  /** Counts a pass abandoned at its deadline. */
  recordPassAbandoned(service: string): void {
    this.#passesAbandoned.inc({ service });
  }

  /** Counts a finished reconcile and observes how long it took. */
  recordReconcile(service: string, result: ReconcileResult, seconds: number): void {
    this.#reconciles.inc({ service, result });
    this.#reconcileDuration.observe({ result }, seconds);
  }

  /** Observes how long a pass waited for a concurrency slot. */
  recordSlotWait(priority: PassPriority, seconds: number): void {
    this.#slotWait.observe({ priority }, seconds);
  }

  /** Counts one drifted field of one resource. */
  recordDrift(service: string, resource: string, field: string): void {
    this.#drift.inc({ service, resource, field });
  }

  /** Counts one attempt of an AWS API call. */
  recordAwsCall(service: AwsService, operation: string): void {
    this.#awsCalls.inc({ aws_service: service, operation });
    // An operation that was called has a throttle count, zero until AWS first refuses it.
    this.#awsThrottles.inc({ aws_service: service, operation }, 0);
    this.#rateLimitWait.inc({ aws_service: service, operation }, 0);
  }

  /** Counts one throttled attempt of an AWS API call. */
  recordThrottle(service: AwsService, operation: string): void {
    this.#awsThrottles.inc({ aws_service: service, operation });
  }

  /** Adds the time one attempt waited for client-side rate-limit tokens. */
  recordRateLimitWait(service: string, operation: string, seconds: number, urgent: boolean): void {
    this.#rateLimitWait.inc(
      { aws_service: service, operation, queue: urgent ? "urgent" : "routine" },
      seconds,
    );
  }

  recordSlowReadDeferred(service: string, operation: string): void {
    this.#slowReadsDeferred.inc({ aws_service: service, operation });
  }

  /** An observer for `instrumentClients`: counts the attempt, and the throttle if it was one. */
  readonly onAwsCall = (call: AwsCall): void => {
    this.recordAwsCall(call.service, call.operation);
    if (call.throttled) this.recordThrottle(call.service, call.operation);
  };

  /** Replaces the `services` gauge with the counts in this snapshot of every managed service. */
  setConditions(perService: readonly ServiceConditions[]): void {
    const counts = new Map<string, { condition: string; status: string; count: number }>();
    for (const condition of CONDITION_TYPES) {
      for (const status of CONDITION_STATUSES)
        counts.set(`${condition}/${status}`, { condition, status, count: 0 });
    }
    for (const { conditions } of perService) {
      for (const { type, status } of conditions) {
        const key = `${type}/${status}`;
        const entry = counts.get(key) ?? { condition: type, status, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
    }
    // Reset first: a condition no service reports any more (a removed spec) must not linger.
    this.#services.reset();
    for (const { condition, status, count } of counts.values())
      this.#services.set({ condition, status }, count);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
