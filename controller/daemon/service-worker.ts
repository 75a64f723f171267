/**
 * One service under management: reconciles it one pass at a time (level-triggered: every pass reads
 * the world and converges it), logs the drift it finds and the rollouts it starts, and schedules the
 * next pass from the outcome — synced: the resync interval after the pass fell due; an expected wait (a rollout in
 * progress): soon; an error: exponential backoff with jitter, reset on success; terminal (a spec that
 * does not match AWS, a name owned by someone else, access denied): only when the spec changes.
 */
import type { LoadedSpec } from "../../specs/index.ts";
import {
  abortReason,
  type CallGuard,
  CallsInFlight,
  DeadlineExceededError,
  MutationRefusedError,
  withCallGuard,
} from "../aws/call-guard.ts";
import { type AwsClients, NoRegionError } from "../aws/clients.ts";
import { classifyAwsError } from "../aws/errors.ts";
import { describeRetriedFailure } from "../aws/failed-call.ts";
import { desiredCountOwnedByAutoscaling } from "../engine/autoscaling-owned.ts";
import { SpecReferenceError } from "../engine/network.ts";
import { OwnershipConflictError } from "../engine/ownership-check.ts";
import { type Change, type HeldBack, type LeftInPlace, summarize, type Waiting } from "../engine/plan.ts";
import { applyPlan, createPassCaches, type PassCaches, planService } from "../engine/reconcile.ts";
import {
  type KnownRolloutFacts,
  type RolloutState,
  readRollout,
  serviceRecordOf,
} from "../engine/rollout.ts";
import type { ApplyEvent } from "../engine/stack.ts";
import type { FleetInventory } from "../inventory/fleet-inventory.ts";
import type { SlowReadPace } from "../inventory/slow-read-pace.ts";
import type { ObservedService } from "../resources/service/service.ts";
import { desiredTargetGroup } from "../resources/target-group/target-group.ts";
import { markRevisionFailed, revisionName } from "../resources/task-definition/task-definition.ts";
import { type Condition, Conditions } from "./conditions.ts";
import type { ConcurrencyLimiter, PassPriority } from "./limiter.ts";
import type { Logger } from "./logger.ts";
import { nextResyncDelayMs } from "./resync-schedule.ts";
import { RolloutStory } from "./rollout-story.ts";
import { specFingerprint } from "./spec-files.ts";
import { steadyTargetHealth, type TargetHealthRead, targetHealthRead } from "./steady-target-health.ts";

export type Outcome =
  | { kind: "synced" }
  | { kind: "requeue"; afterMs: number; reason: string }
  | { kind: "error"; error: unknown }
  | { kind: "terminal"; reason: string };

export interface WorkerSettings {
  resyncMs: number;
  /** How soon to look again while a rollout is in progress. */
  rolloutPollMs: number;
  /** First error backoff; doubles per consecutive error up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Report drift and planned changes, mutate nothing. */
  dryRun: boolean;
  /** A pass still running after this long is abandoned: its calls are cut and it counts as an error. */
  passTimeoutMs: number;
  /** A worker with a pass due but none finished for this long is stuck: `/healthz` fails. */
  stuckAfterMs: number;
  /**
   * How long the slow tier keeps what it read (inventory/slow-reads.ts), and how long a steady
   * service's all-healthy targets are taken as still healthy; 0 reads everything every pass.
   */
  slowResyncMs: number;
}

/** Why a pass was abandoned: it ran past the pass deadline. */
export class PassDeadlineError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`the reconcile pass ran past its deadline of ${Math.round(timeoutMs / 1000)} s`);
    this.timeoutMs = timeoutMs;
    this.name = "PassDeadlineError";
  }
}

/** A worker that has had a pass due for longer than `stuckAfterMs` without finishing one. */
export interface StuckReport {
  /** How long since the pass became due. */
  forMs: number;
  /** What it is waiting for: a concurrency slot (other passes hold them all) or its own pass. */
  waitingFor: "a concurrency slot" | "its reconcile pass";
  /** The AWS calls the pass is waiting on, longest first. */
  inFlight: Array<{ call: string; forMs: number }>;
}

/** How long a pass ran once it had a concurrency slot, and how long it waited for one. */
export interface PassTiming {
  priority: PassPriority;
  seconds: number;
  slotWaitSeconds: number;
}

export interface WorkerDependencies {
  log: Logger;
  limiter: ConcurrencyLimiter;
  /**
   * The first pass was asked for (a spec file added while the daemon runs): it goes as `urgent`.
   * Otherwise (the services a daemon starts with, or takes over from another replica) it goes with
   * the first round, which shares the slots with the resyncs of the services already read.
   */
  firstPassUrgent?: boolean;
  settings: WorkerSettings;
  /**
   * Clients for a spec (its region, the daemon's endpoint), instrumented for metrics, shared by every
   * worker in the region and guarded by caller: each pass's calls run under its own guard (withCallGuard).
   */
  clientsFor(loaded: LoadedSpec): Promise<AwsClients>;
  /**
   * The fleet inventory of the spec's account and region (`clients.region`), shared by every worker
   * there: plain resyncs read from it, and every write is reported to it. Absent: every pass reads
   * its own service straight from AWS.
   */
  inventoryFor?(loaded: LoadedSpec, clients: AwsClients): Promise<FleetInventory>;
  /** A pass finished: how long it ran once it had a slot, and how long it waited for one. */
  onReconciled(service: string, outcome: Outcome, timing: PassTiming): void;
  onDrift(service: string, resource: string, field: string): void;
  /** A pass ran past its deadline and was abandoned. */
  onPassAbandoned?(service: string): void;
  /**
   * Whether this replica may write to the service now (its lease): throws MutationRefusedError when
   * not. Checked before every mutating attempt. Absent: a single daemon, always allowed.
   */
  beforeMutation?(service: string, operation: string): void;
  /**
   * Where a load balancer's listener (its DNS name and port) is served on this machine: the built-in
   * emulator's local URL. Absent (real AWS): the DNS name is the address.
   */
  localUrlOf?(dnsName: string, port: number): string | undefined;
}

/** What `/status` shows for a service. */
export interface ServiceStatus {
  service: string;
  file: string;
  region: string | undefined;
  conditions: Condition[];
  lastReconcile: { at: string; result: Outcome["kind"]; durationMs: number } | undefined;
  /** In `plan --json`'s shape: only the documented actions (no no-ops), what is left in place, what is held back. */
  lastPlan:
    | {
        changes: Change[];
        skipped: LeftInPlace[];
        heldBack: HeldBack[];
        /** Steps a later pass takes once AWS is ready (a replaced target group's). */
        waiting: Waiting[];
        summary: ReturnType<typeof summarize>;
      }
    | undefined;
  rollout: RolloutState | undefined;
  lastError: string | undefined;
  nextReconcileAt: string | undefined;
  /** The AWS calls the pass in progress is waiting on, longest first. */
  inFlight: Array<{ call: string; forMs: number }>;
  /** Set when the worker has made no progress for longer than the watchdog allows. */
  stuck: StuckReport | undefined;
}

const jitter = (ms: number, fraction = 0.1) => Math.round(ms * (1 - fraction + Math.random() * 2 * fraction));

export class ServiceWorker {
  readonly name: string;
  readonly #deps: WorkerDependencies;
  readonly #log: Logger;
  readonly #conditions = new Conditions();
  #loaded: LoadedSpec;
  /** The fingerprint of the spec in force, taken once per spec rather than on every pass. */
  #specKey: string;
  #clients: AwsClients | undefined;
  #clientsKey = "";
  #caches: PassCaches = createPassCaches();
  /** The last target health read, while it may stand in for a new one (see #knownRolloutFacts). */
  #lastTargets: TargetHealthRead | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextAt: number | undefined;
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;
  #terminal = false;
  #consecutiveErrors = 0;
  /** The spec last seen fully converged: differences found while it is still in force are drift. */
  #convergedKey: string | undefined;
  /** The spec whose differences were last reported as drift: while it stays in force, they stay drift. */
  #driftKey: string | undefined;
  #firstPass = true;
  /**
   * The next pass is a plain resync (the last one was synced, nothing asked for a pass since): it may
   * read from the shared fleet inventory, as the first pass may. Every other pass reads AWS as it is now.
   */
  #resyncDue = false;
  /**
   * The next pass was asked for (spec changed, or a service added while the daemon runs): it goes ahead
   * of queued resyncs and first passes. A first pass otherwise goes with the first round (`first`).
   */
  #urgent: boolean;
  /** Moves the pass waiting for a concurrency slot, if one is, ahead of the others. */
  #promoteWaitingPass: (() => void) | undefined;
  /** Whether the pass running now was asked for: its AWS calls go ahead of resyncs' in the rate limiter. */
  #passUrgent = false;
  /** Passes in a row that ended throttled: their backoff grows like an error's. */
  #consecutiveThrottles = 0;
  #lastReconcile: ServiceStatus["lastReconcile"];
  /** `performance.now()` when the last pass began reading AWS (had its slot), if it ended in sync (what `oldest_sync_seconds` is from). */
  #syncedPassStartedAt: number | undefined;
  #lastPlan: ServiceStatus["lastPlan"];
  #rollout: RolloutState | undefined;
  #lastError: string | undefined;
  /** The spec version whose desiredCount autoscaling owns was last reported (once per version). */
  #autoscalingOwnedKey: string | undefined;
  /** The rollout being told in the log; its revision is what a rollback is told from. */
  readonly #story: RolloutStory;
  /** The revision held back after its rollout failed, as the last plan found it (undefined: none). */
  #heldBack: HeldBack | undefined;
  /** The held-back revision last logged: each is logged once. */
  #toldHeldBack: string | undefined;
  /** The failed revision last tagged as failed without a story (after a restart): tagged once. */
  #markedFailed: string | undefined;
  /** Whether the service was last told ready (serving at its URL): told again only after it was not. */
  #toldReady = false;
  /** Passes that failed in a row, whatever spec was in force: the recovery from a streak is logged. */
  #failedPasses = 0;
  readonly #inFlight = new CallsInFlight();
  /** Aborted when the pass in progress runs past its deadline: every call of the pass then fails at once. */
  #passAbort: AbortController | undefined;
  /** `performance.now()` when the pending pass became due (its timer fired); cleared when it finishes. */
  #dueSince: number | undefined;
  /** `performance.now()` when the due pass got its concurrency slot; undefined while it has none. */
  #slotHeldSince: number | undefined;
  #firstPassDone: () => void = () => {};
  /** Resolves after the first pass (whatever its outcome): the daemon's readiness. */
  readonly firstPass: Promise<void>;

  constructor(loaded: LoadedSpec, deps: WorkerDependencies) {
    this.name = loaded.spec.metadata.name;
    this.#loaded = loaded;
    this.#specKey = specFingerprint(loaded.spec);
    this.#deps = deps;
    this.#urgent = deps.firstPassUrgent ?? false;
    this.#log = deps.log.child({ service: this.name });
    this.#story = new RolloutStory(this.#log);
    this.firstPass = new Promise((resolve) => {
      this.#firstPassDone = resolve;
    });
  }

  get spec(): LoadedSpec {
    return this.#loaded;
  }

  /** A new version of the spec is in force: reconcile it now (and leave any terminal state). */
  setSpec(loaded: LoadedSpec): void {
    this.#loaded = loaded;
    this.#specKey = specFingerprint(loaded.spec);
    this.#terminal = false;
    this.#consecutiveErrors = 0;
    this.#urgent = true;
    // A pass already waiting for a slot (a restart's first round, a resync) takes the edit: it goes next.
    this.#promoteWaitingPass?.();
    this.trigger("spec changed");
  }

  /** Asks for a pass as soon as possible; a pass already running is followed by another. */
  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#log.debug({ reason }, "reconcile requested");
    if (this.#running) {
      this.#dirty = true;
      return;
    }
    this.#schedule(0);
  }

  /**
   * Cuts the pass in flight short (shutdown past its grace): its AWS calls fail at once and it unwinds.
   * Only after `stop`, which this does not replace.
   */
  abandon(reason: string): void {
    if (this.#stopped) this.#passAbort?.abort(new Error(reason));
  }

  /** Stops scheduling; resolves when the pass in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  status(): ServiceStatus {
    return {
      service: this.name,
      file: this.#loaded.file,
      region: this.#clients?.region,
      conditions: this.#conditions.list(),
      lastReconcile: this.#lastReconcile,
      lastPlan: this.#lastPlan,
      rollout: this.#rollout,
      lastError: this.#lastError,
      nextReconcileAt: this.#nextAt === undefined ? undefined : new Date(this.#nextAt).toISOString(),
      inFlight: this.#inFlight.list(),
      stuck: this.stuck(),
    };
  }

  /** The watchdog's view: undefined while the worker makes progress (or has nothing due). */
  stuck(now = performance.now()): StuckReport | undefined {
    if (this.#dueSince === undefined || this.#stopped) return undefined;
    // No progress is measured from what the pass waits on. Holding its slot: from when it got it.
    // Queued for one: from when the limiter last handed one over, if later than when it fell due. A
    // queue that moves is progress, however long (a thousand services' first round queues for
    // minutes); slots that all hang make every queued pass stuck, and each holder too.
    const since = this.#slotHeldSince ?? Math.max(this.#dueSince, this.#deps.limiter.lastHandoverAt);
    if (now - since <= this.#deps.settings.stuckAfterMs) return undefined;
    return {
      forMs: Math.round(now - this.#dueSince),
      waitingFor: this.#slotHeldSince !== undefined ? "its reconcile pass" : "a concurrency slot",
      inFlight: this.#inFlight.list(now),
    };
  }

  /** When (`performance.now()`) the pass that last found the service in sync began reading AWS; undefined if the last did not. */
  syncedSince(): number | undefined {
    return this.#syncedPassStartedAt;
  }

  conditions(): Condition[] {
    return this.#conditions.list();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#nextAt = Date.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#nextAt = undefined;
      this.#dueSince = performance.now();
      this.#running = this.#pass()
        .catch((error: unknown) => {
          // A bug in a pass must not take the daemon (and every other service) down: log it and back off.
          this.#log.error(
            { error: error instanceof Error ? error.stack : String(error) },
            "reconcile pass crashed",
          );
          this.#schedule(this.#deps.settings.maxBackoffMs);
        })
        .finally(() => {
          this.#running = undefined;
          this.#dueSince = undefined;
        });
    }, delayMs);
  }

  async #pass(): Promise<void> {
    this.#dirty = false;
    // The timer that fell due calls this at once: when the pass began is when it fell due.
    const started = performance.now();
    const asked: PassPriority = this.#urgent ? "urgent" : this.#firstPass ? "first" : "resync";
    this.#urgent = false;
    const resyncDue = this.#resyncDue;
    this.#resyncDue = false;
    let slotAt = started;
    let priority = asked;
    // A pass that waited for a slot while the worker was stopped (shutdown, a deleted or duplicate spec) does nothing.
    const outcome = await this.#deps.limiter.run(
      async (servedAs) => {
        this.#promoteWaitingPass = undefined;
        slotAt = performance.now();
        priority = servedAs;
        // A service's first pass reads the fleet inventory too, as fresh as any resync's (at most one
        // interval old; for the services a daemon starts with, taken after it started). A restarted
        // daemon's first round over a fleet so costs batched reads, not a dozen calls per service. As on
        // any resync, a plan that finds a change is made again from direct reads before anything is written.
        const resync = (resyncDue && servedAs === "resync") || this.#firstPass;
        return this.#stopped ? undefined : this.#reconcileWithDeadline(resync, servedAs === "urgent");
      },
      asked,
      (wait) => {
        this.#promoteWaitingPass = () => wait.promote();
      },
    );
    if (!outcome) return;
    // From when it began reading AWS, not from when it fell due: a pass that queued for a slot held no
    // older view meanwhile (a restart's first passes queue for minutes, and were never read before).
    this.#syncedPassStartedAt = outcome.kind === "synced" ? slotAt : undefined;
    const timing: PassTiming = {
      priority,
      seconds: (performance.now() - slotAt) / 1000,
      slotWaitSeconds: (slotAt - started) / 1000,
    };
    this.#lastReconcile = {
      at: new Date().toISOString(),
      result: outcome.kind,
      durationMs: Math.round(timing.seconds * 1000),
    };
    this.#deps.onReconciled(this.name, outcome, timing);
    if (!(outcome.kind === "requeue" && outcome.reason === "throttled")) this.#consecutiveThrottles = 0;
    this.#noteStreak(outcome);
    this.#firstPassDone();
    if (this.#stopped) return;
    if (this.#dirty) return this.#schedule(0);
    switch (outcome.kind) {
      case "synced":
        this.#consecutiveErrors = 0;
        this.#resyncDue = true;
        return this.#schedule(
          nextResyncDelayMs({
            dueAt: started,
            now: performance.now(),
            resyncMs: this.#deps.settings.resyncMs,
          }),
        );
      case "requeue":
        this.#consecutiveErrors = 0;
        return this.#schedule(outcome.afterMs);
      case "error": {
        this.#consecutiveErrors += 1;
        const { initialBackoffMs, maxBackoffMs } = this.#deps.settings;
        const backoff = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (this.#consecutiveErrors - 1));
        return this.#schedule(jitter(backoff, 0.5));
      }
      case "terminal":
        // Nothing will change by trying again: wait for the spec to change (setSpec).
        this.#terminal = true;
        return;
    }
  }

  /**
   * One pass under its deadline. Past it, the pass's signal is aborted: every AWS call of the pass, in
   * flight or still to come, fails at once, so the pass unwinds, releases its concurrency slot and is
   * reported as an error (backed off like any other). Should a pass hang on anything but an AWS call,
   * the watchdog (`stuck`) turns it into a failing `/healthz`.
   */
  async #reconcileWithDeadline(resync: boolean, urgent: boolean): Promise<Outcome> {
    const { passTimeoutMs } = this.#deps.settings;
    this.#passUrgent = urgent;
    const abort = new AbortController();
    this.#passAbort = abort;
    this.#slotHeldSince = performance.now();
    const deadline = setTimeout(() => {
      const inFlight = this.#inFlight.list();
      this.#log.error(
        { deadlineMs: passTimeoutMs, inFlight },
        "reconcile pass ran past its deadline: abandoning it",
      );
      this.#deps.onPassAbandoned?.(this.name);
      abort.abort(new PassDeadlineError(passTimeoutMs));
    }, passTimeoutMs);
    try {
      return await withCallGuard(this.#callGuard(), this.#inFlight, () => this.#reconcile(resync));
    } finally {
      clearTimeout(deadline);
      this.#slotHeldSince = undefined;
      this.#passAbort = undefined;
    }
  }

  /** Every call the worker makes is bounded by the pass deadline and, for writes, gated by the lease. */
  #callGuard(): CallGuard {
    const { beforeMutation } = this.#deps;
    return {
      signal: () => this.#passAbort?.signal,
      urgent: () => this.#passUrgent,
      ...(beforeMutation
        ? { beforeMutation: (operation: string) => beforeMutation(this.name, operation) }
        : {}),
    };
  }

  async #clientsForSpec(): Promise<AwsClients> {
    const key = `${this.#loaded.spec.spec.region ?? ""}`;
    if (!this.#clients || key !== this.#clientsKey) {
      this.#clients = await this.#deps.clientsFor(this.#loaded);
      this.#clientsKey = key;
      this.#caches = createPassCaches(this.#deps.settings.slowResyncMs);
    }
    return this.#clients;
  }

  /** Counts failed passes in a row; the first success after them says so, or the last line stays the error. */
  #noteStreak(outcome: Outcome): void {
    const succeeded =
      (outcome.kind === "synced" || outcome.kind === "requeue") && this.#lastError === undefined;
    if (!succeeded) {
      if (outcome.kind === "error" || outcome.kind === "terminal") this.#failedPasses += 1;
      return;
    }
    if (this.#failedPasses > 0)
      this.#log.info({ failures: this.#failedPasses }, "reconcile succeeded after failures");
    this.#failedPasses = 0;
  }

  /** One pass; `resync`: a plain resync, which may read the shared fleet inventory. */
  async #reconcile(resync: boolean): Promise<Outcome> {
    if (this.#terminal) return { kind: "terminal", reason: "waiting for the spec to change" };
    const loaded = this.#loaded;
    const key = this.#specKey;
    try {
      const clients = await this.#clientsForSpec();
      // A rollout being told may have failed and been rolled back since the last pass: learn that
      // before planning (it tags the revision), or the plan would roll the failed revision out again.
      if (this.#story.revision) {
        const cluster = loaded.spec.spec.cluster;
        const rollout = await readRollout(clients, cluster, this.name, undefined, this.#story.revision);
        if (rollout?.failure) await this.#tellRollout(clients, rollout);
      }
      const inventory = await this.#deps.inventoryFor?.(loaded, clients);
      // Every pass, direct or not, keeps the service in the next snapshot.
      inventory?.expect(loaded.spec);
      const fromInventory = resync && inventory !== undefined;
      const hadCachedReads = fromInventory || this.#caches.tags.size > 0 || this.#caches.slow.size > 0;
      // Otherwise straight from AWS as of now, sharing only what other passes read since.
      let plan = await planService(
        clients,
        loaded.spec,
        this.#caches,
        {},
        fromInventory ? inventory : inventory?.directReads(clients),
      );
      const pendingIn = (changes: readonly Change[]) => changes.filter((change) => change.action !== "noop");
      if (hadCachedReads && pendingIn(plan.changes).length > 0) {
        // About to report or change something: decide with fresh tags and slow-tier attributes, so a
        // resource whose ownership tags were removed since they were cached is never touched, and
        // drift is reported as AWS has it now.
        this.#log.debug(
          { changes: pendingIn(plan.changes).length },
          "cached reads differ from the spec: planning again from AWS as it is now",
        );
        this.#caches.tags.clear();
        this.#caches.slow.clear();
        plan = await planService(clients, loaded.spec, this.#caches, {}, inventory?.directReads(clients));
      }
      const pending = pendingIn(plan.changes);
      this.#lastPlan = {
        changes: pending,
        skipped: plan.skipped,
        heldBack: plan.heldBack,
        waiting: plan.waiting,
        summary: summarize(plan.changes),
      };
      // A revision held back after a failed rollout: the spec is not running, whatever else matches.
      this.#heldBack = plan.heldBack[0];
      this.#reportHeldBack();
      const isDrift = this.#convergedKey === key || this.#driftKey === key || this.#firstPass;
      this.#firstPass = false;
      if (isDrift) this.#driftKey = key;
      this.#reportChanges(pending, isDrift);
      this.#reportOwnedByAutoscaling(key, plan.observation.service);

      const reportOnly = this.#deps.settings.dryRun || loaded.spec.spec.driftPolicy === "report";
      if (pending.length > 0 && reportOnly) {
        const why = this.#deps.settings.dryRun ? "DryRun" : "DriftPolicyReport";
        this.#log.info({ changes: pending.length, reason: why }, "changes not applied");
        this.#conditions.set("Synced", "False", why, `${pending.length} change(s) not applied`);
      } else {
        if (pending.length > 0) {
          try {
            await applyPlan(plan, (event) => this.#logApplyEvent(event));
          } finally {
            // No snapshot taken before this write may serve another pass, this service's or another's.
            inventory?.wrote();
          }
        }
        this.#convergedKey = key;
        const held = this.#heldBack;
        if (held)
          this.#conditions.set(
            "Synced",
            "False",
            "RevisionHeldBack",
            `${held.name} is held back: ${held.reason}`,
          );
        else if (pending.length > 0)
          this.#conditions.set("Synced", "True", "ReconcileSuccess", `applied ${pending.length} change(s)`);
        else this.#conditions.set("Synced", "True", "ReconcileSuccess", "AWS matches the spec");
      }

      const document = loaded.spec;
      const targetGroupArn = plan.observation.targetGroups.find(
        (group) => group.name === desiredTargetGroup(document, plan.context.network).name,
      )?.arn;
      // Read against the revision being rolled out (or held back), a rollback is told as one.
      const applied = pending.length > 0 && !reportOnly;
      const known = applied
        ? {}
        : this.#knownRolloutFacts(
            plan.observation.service,
            targetGroupArn,
            fromInventory ? inventory.slowPace : undefined,
          );
      this.#rollout = await readRollout(
        clients,
        document.spec.cluster,
        this.name,
        targetGroupArn,
        this.#story.revision ?? this.#heldBack?.arn,
        known,
      );
      if (targetGroupArn && this.#rollout && !known.targets)
        this.#lastTargets = targetHealthRead(
          targetGroupArn,
          this.#rollout.targets,
          plan.observation.service,
          performance.now(),
        );
      this.#lastError = undefined;
      const outcome = await this.#followRollout(clients);
      this.#tellReady(plan.observation.loadBalancer?.dnsName, document.spec.loadBalancer.listenerPort);
      // A change that takes several passes (a replaced target group): the next step comes as soon as
      // AWS is ready for it, not a resync interval later.
      if (outcome.kind === "synced" && plan.waiting.length > 0)
        return {
          kind: "requeue",
          afterMs: this.#deps.settings.rolloutPollMs,
          reason: `${plan.waiting.length} step(s) waiting for AWS`,
        };
      return outcome;
    } catch (error) {
      return this.#failure(error);
    }
  }

  /**
   * What a pass that changed nothing already knows of its rollout: the service as it observed it,
   * and, while it is steady and nothing moved, the last target health read (steady-target-health.ts).
   */
  #knownRolloutFacts(
    observed: ObservedService | undefined,
    targetGroupArn: string | undefined,
    pace: SlowReadPace | undefined,
  ): KnownRolloutFacts {
    if (!observed) return {};
    const service = serviceRecordOf(observed);
    const targets = steadyTargetHealth(this.#lastTargets, observed, targetGroupArn, {
      nowMs: performance.now(),
      slowResyncMs: this.#deps.settings.slowResyncMs,
      pace,
    });
    return targets ? { service, targets } : { service };
  }

  /** Drift at warn, one line per field; changes a spec edit asks for at info. */
  #reportChanges(changes: Change[], isDrift: boolean): void {
    for (const change of changes) {
      const { resource, name } = change;
      if (!isDrift || (this.#convergedKey === undefined && change.action === "create")) {
        // Field by field, as drift is: `path: observed → desired`; a create or delete is one line.
        const reason = change.reason ? { reason: change.reason } : {};
        const fields =
          change.action === "create" || change.action === "delete" || change.diff.length === 0
            ? [{}]
            : change.diff.map(({ path, observed, desired }) => ({ path, observed, desired }));
        for (const field of fields)
          this.#log.info({ resource, name, action: change.action, ...field, ...reason }, "change planned");
        continue;
      }
      const fields =
        change.action === "create" || change.action === "delete" || change.diff.length === 0
          ? [
              {
                path: "(resource)",
                desired: change.action === "delete" ? "absent" : "present",
                observed: change.action === "delete" ? "present" : "absent",
              },
            ]
          : change.diff;
      for (const field of fields) {
        this.#deps.onDrift(this.name, resource, field.path);
        this.#log.warn(
          { resource, name, path: field.path, desired: field.desired, observed: field.observed },
          "drift detected",
        );
      }
    }
  }

  /** An edit of desiredCount plans nothing when autoscaling owns it: say so, once per spec version. */
  #reportOwnedByAutoscaling(key: string, observed: { desiredCount: number } | undefined): void {
    const owned = desiredCountOwnedByAutoscaling(this.#loaded.spec, observed);
    if (!owned || this.#autoscalingOwnedKey === key) return;
    this.#autoscalingOwnedKey = key;
    this.#log.info(
      {
        path: owned.path,
        desired: owned.specValue,
        observed: owned.observed,
        within: `[${owned.within.join(", ")}]`,
        hint: "change autoscaling.minTasks or maxTasks to change the count",
      },
      "desiredCount is managed by autoscaling",
    );
  }

  #logApplyEvent(event: ApplyEvent): void {
    const { resource, name, action, reason } = event.change;
    const verb = { create: "creat", update: "updat", replace: "replac", delete: "delet", noop: "" }[action];
    if (event.phase === "waiting") this.#log.info({ resource, name, reason: event.reason }, "waiting");
    else
      this.#log.info(
        { resource, name, ...(reason ? { reason } : {}) },
        `${verb}${event.phase === "start" ? "ing" : "ed"}`,
      );
  }

  /**
   * Once the service turns ready (its rollout steady, every target healthy), says where it answers:
   * the one line a newcomer needs to `curl` it. Told again after each rollout, not every pass.
   */
  #tellReady(dnsName: string | undefined, port: number): void {
    const ready = this.#conditions.get("Ready")?.status === "True";
    if (ready && !this.#toldReady && dnsName !== undefined) {
      const url =
        this.#deps.localUrlOf?.(dnsName, port) ?? `http://${dnsName}${port === 80 ? "" : `:${port}`}/`;
      this.#log.info(
        { url, loadBalancer: dnsName, revision: revisionName(this.#rollout?.taskDefinition ?? "") },
        "service ready: it answers at its load balancer's url",
      );
    }
    this.#toldReady = ready && dnsName !== undefined;
  }

  /** Logs each held-back revision once: the spec is not running until it changes or the revision is retried. */
  #reportHeldBack(): void {
    const held = this.#heldBack;
    if (held && held.arn !== this.#toldHeldBack)
      this.#log.warn(
        { revision: held.name, runningRevision: held.running, reason: held.reason },
        "revision held back: the spec is not running",
      );
    this.#toldHeldBack = held?.arn;
  }

  /** Tells the rollout's story; a failed rollout's revision is tagged, so no pass rolls it out again by itself. */
  async #tellRollout(clients: AwsClients, rollout: RolloutState): Promise<void> {
    const rollback = this.#loaded.spec.spec.service.deployment.circuitBreaker.rollback;
    const end = this.#story.follow(rollout, rollback);
    // A failure the story did not tell (seen first after a restart) is tagged once.
    const failed =
      end?.kind === "failed"
        ? end.revision
        : rollout.failure && rollout.failedTaskDefinition !== this.#markedFailed
          ? rollout.failedTaskDefinition
          : undefined;
    if (!failed) return;
    await markRevisionFailed(clients, this.#caches.taskDefinitions, failed);
    this.#markedFailed = failed;
  }

  async #followRollout(clients: AwsClients): Promise<Outcome> {
    const rollout = this.#rollout;
    if (!rollout) {
      this.#conditions.set("Ready", "False", "ServiceMissing", "the ECS service does not exist");
      return { kind: "synced" };
    }
    await this.#tellRollout(clients, rollout);
    // After a rollback the service runs the previous revision: ready once that is steady.
    const steady = rollout.failure ? rollout.steady : rollout.stable;
    if (rollout.failure) this.#conditions.set("Degraded", "True", "RolloutFailed", rollout.failure);
    if (steady) {
      this.#conditions.set(
        "Ready",
        "True",
        "Available",
        `${rollout.running} task(s) of ${revisionName(rollout.taskDefinition)} running, all targets healthy`,
      );
      if (!rollout.failure) this.#conditions.set("Degraded", "False", "Healthy");
      return { kind: "synced" };
    }
    const counts = `${rollout.running}/${rollout.desired} running, ${rollout.targets.healthy ?? 0} healthy targets`;
    if (rollout.failure) {
      this.#conditions.set("Ready", "False", "RollingBack", counts);
      return { kind: "requeue", afterMs: this.#deps.settings.rolloutPollMs, reason: "rollback in progress" };
    }
    this.#conditions.set("Ready", "False", "RolloutInProgress", counts);
    return { kind: "requeue", afterMs: this.#deps.settings.rolloutPollMs, reason: "rollout in progress" };
  }

  #failure(error: unknown): Outcome {
    const abortedBy = this.#passAbort?.signal.aborted ? abortReason(this.#passAbort.signal) : undefined;
    // A call that failed on every attempt is named, with its resource and the attempts it took.
    const message =
      abortedBy ?? describeRetriedFailure(error) ?? (error instanceof Error ? error.message : String(error));
    this.#lastError = message;
    // A failed pass may have acted on a slow-tier fact that is no longer true: read everything again.
    this.#caches.slow.clear();
    this.#lastTargets = undefined;
    if (abortedBy !== undefined && this.#stopped) {
      // Cut short by the daemon stopping (abandon): not the service's failure, and not a deadline.
      this.#log.warn({ error: message }, "reconcile pass cut short: the daemon is stopping");
      return { kind: "error", error };
    }
    if (abortedBy !== undefined || error instanceof DeadlineExceededError) {
      this.#log.error(
        { error: message, attempt: this.#consecutiveErrors + 1 },
        "reconcile pass abandoned; retrying with backoff",
      );
      this.#conditions.set("Synced", "False", "PassDeadlineExceeded", message);
      this.#conditions.set("Degraded", "True", "PassDeadlineExceeded", message);
      return { kind: "error", error };
    }
    if (error instanceof MutationRefusedError) {
      // Not a failure of the service: this replica may no longer own it. Whoever holds the lease carries on.
      this.#log.warn(
        { error: message },
        "change not sent: this replica may no longer hold the service's lease",
      );
      this.#conditions.set("Synced", "Unknown", "LeaseNotHeld", message);
      // Backed off like an error: while the lease table is unreachable, re-planning every few seconds
      // would only burn AWS calls. A lease taken elsewhere stops this worker anyway.
      return { kind: "error", error };
    }
    const terminal =
      error instanceof SpecReferenceError ||
      error instanceof OwnershipConflictError ||
      error instanceof NoRegionError ||
      // Everything else, validation errors included, may pass (eventual consistency, a first-use role): back off and retry.
      classifyAwsError(error) === "access-denied";
    if (terminal) {
      const where =
        error instanceof SpecReferenceError
          ? {
              file: this.#loaded.file,
              ...this.#loaded.locate(error.path),
              path: error.path.map(String).join("."),
            }
          : {};
      this.#log.error(
        { ...where, error: message, ...(error instanceof SpecReferenceError ? { hint: error.hint } : {}) },
        "reconcile failed; waiting for the spec to change",
      );
      this.#conditions.set("Synced", "False", "ReconcileTerminal", message);
      this.#conditions.set("Degraded", "True", "ReconcileTerminal", message);
      return { kind: "terminal", reason: message };
    }
    if (classifyAwsError(error) === "throttled") return this.#throttled(message);
    this.#log.error(
      { error: message, attempt: this.#consecutiveErrors + 1 },
      "reconcile failed; retrying with backoff",
    );
    this.#conditions.set("Synced", "False", "ReconcileError", message);
    if (this.#consecutiveErrors >= 2) this.#conditions.set("Degraded", "True", "ReconcileError", message);
    return { kind: "error", error };
  }

  /**
   * AWS (or the client's own rate limit) kept refusing a call past its retries: the fleet is asking
   * too much at once, not the service failing. Requeued with a growing backoff, told at warn.
   */
  #throttled(message: string): Outcome {
    this.#consecutiveThrottles += 1;
    const { initialBackoffMs, maxBackoffMs } = this.#deps.settings;
    const afterMs = jitter(
      Math.min(maxBackoffMs, initialBackoffMs * 2 ** (this.#consecutiveThrottles - 1)),
      0.5,
    );
    this.#log.warn({ error: message, afterMs }, "throttled: the pass stops here and resumes after a backoff");
    this.#conditions.set("Synced", "False", "Throttled", message);
    return { kind: "requeue", afterMs, reason: "throttled" };
  }
}
