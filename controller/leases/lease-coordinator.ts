/**
 * One writer per service across replicas, the way the Kinesis Client Library spreads shards over
 * workers: each replica holds a lease per service it manages, renews them on a beat, takes free and
 * expired ones up to its fair share of the fleet, hands back the ones above it, and hands all of them
 * back when it stops.
 *
 * Expiry is safe whatever the clocks say, because no timestamp crosses machines: a holder bumps the
 * lease's counter on every renewal, and another replica judges a lease expired only after it has seen
 * the same counter for longer than the lease duration by its own monotonic clock, counted from when its
 * read of that counter *finished*. The holder counts its own validity from when its renewal *started*,
 * so it always believes less than the others do. And it sends a write only while the lease stays valid
 * for longer than one write attempt can take (`writeWindowMs`, the per-attempt timeout): a write never
 * lands after the lease may have moved.
 *
 * Each replica also holds a lease of its own (`replica#<id>`) that it only renews: that is how replicas
 * count each other, to know what a fair share is.
 */
import { MutationRefusedError } from "../aws/call-guard.ts";
import type { Logger } from "../daemon/logger.ts";
import { type Lease, LeaseConflictError, type LeaseStore } from "./lease-store.ts";

const SERVICE_PREFIX = "service#";
const REPLICA_PREFIX = "replica#";

export interface LeaseCoordinatorOptions {
  store: LeaseStore;
  replicaId: string;
  /** A lease not renewed for this long may be taken by another replica. */
  leaseDurationMs: number;
  /** How often leases are renewed and the fleet rebalanced. */
  renewIntervalMs: number;
  /** The longest one write attempt may be in flight: writes stop this long before the lease may expire. */
  writeWindowMs: number;
  log: Logger;
  /** The services this replica could manage (its spec files), by name. */
  services(): readonly string[];
  /** The lease on `service` is now held: start managing it. */
  onAcquired(service: string): void;
  /** The lease on `service` is gone without being handed back (taken over, or not renewed in time). */
  onLost(service: string): void;
  /** Before handing the lease on `service` back: stop managing it and wait until nothing is in flight. */
  beforeRelease(service: string): Promise<void>;
  /** Monotonic milliseconds (tests drive it). */
  now?: () => number;
  /** Waits `ms` (tests drive it with their clock). */
  sleep?: (ms: number) => Promise<void>;
}

/** What `/status` shows of the leases. */
export interface LeaseSnapshot {
  replica: string;
  store: string;
  /** Replicas seen alive, this one included. */
  replicas: string[];
  /** Every service lease: who holds it, and for the ones held here, how long they stay valid without renewal. */
  leases: Array<{ service: string; owner: string | undefined; counter: number; validForMs?: number }>;
  lastRound: { at: string; error?: string } | undefined;
}

interface HeldLease {
  lease: Lease;
  /** Monotonic ms until which no other replica can take it (from when the last renewal started). */
  validUntil: number;
  /** When the gate last let a write attempt through: it may be in flight until `writeWindowMs` later. */
  lastWriteAt?: number;
  /** Being handed back: the gate refuses every write, the lease is still renewed until it is quiet. */
  closed?: boolean;
}

/** When a lease's counter was last seen to change, by this replica's clock. */
interface Sighting {
  counter: number;
  since: number;
}

export class LeaseCoordinator {
  readonly #options: LeaseCoordinatorOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #held = new Map<string, HeldLease>();
  readonly #sightings = new Map<string, Sighting>();
  /** Rounds in a row that found this replica's own entry changed by someone else. */
  #foreignRenewals = 0;
  /** Another process renews this replica's entry: two replicas were given one id. */
  #sharedId = false;
  /** Leases being handed back: `done` once their service has stopped. */
  readonly #releasing = new Map<string, { done: boolean }>();
  #replicaLease: Lease | undefined;
  #leases: Lease[] = [];
  #liveReplicas: string[] = [];
  #lastRound: LeaseSnapshot["lastRound"];
  #roundStartedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(options: LeaseCoordinatorOptions) {
    if (options.leaseDurationMs < options.writeWindowMs + 2 * options.renewIntervalMs)
      throw new RangeError(
        `the lease duration (${options.leaseDurationMs} ms) must exceed one write attempt (${options.writeWindowMs} ms) plus two renewals (${options.renewIntervalMs} ms each)`,
      );
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get replicaId(): string {
    return this.#options.replicaId;
  }

  /** Prepares the store, runs a first round, then renews on a beat until `stop`. */
  async start(): Promise<void> {
    await this.#options.store.ensureReady();
    await this.round();
    this.#scheduleNext();
  }

  /** One round: read every lease, renew ours, take or hand back to reach a fair share. */
  round(): Promise<void> {
    // After stop, a round would renew (or re-create) what stop is handing back.
    if (this.#stopped) return this.#round ?? Promise.resolve();
    this.#round ??= this.#runRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  /** Whether this replica holds the lease on `service` and may still write under it. */
  holds(service: string): boolean {
    const held = this.#held.get(service);
    return held !== undefined && !held.closed && this.#now() + this.#options.writeWindowMs < held.validUntil;
  }

  /** The mutation gate: throws unless a write to `service` would land while the lease is surely ours. */
  checkMutation(service: string, operation: string): void {
    if (this.#sharedId)
      throw new MutationRefusedError(
        operation,
        `another process renews replica ${this.replicaId}'s entry: two replicas share --replica-id`,
      );
    const held = this.#held.get(service);
    if (!held)
      throw new MutationRefusedError(
        operation,
        `replica ${this.replicaId} does not hold the lease on ${service}`,
      );
    if (held.closed)
      throw new MutationRefusedError(operation, `the lease on ${service} is being handed back`);
    const now = this.#now();
    if (now + this.#options.writeWindowMs >= held.validUntil)
      throw new MutationRefusedError(
        operation,
        `the lease on ${service} was not renewed in time and may pass to another replica`,
      );
    // The attempt may be in flight (or land) until a write window from now: no hand-back before that.
    held.lastWriteAt = now;
  }

  /**
   * Why this replica cannot work, if it cannot: another process renews its entry (two replicas were
   * given the same --replica-id). It writes nothing then, and `/healthz` says so.
   */
  problem(): string | undefined {
    return this.#sharedId
      ? `another process renews the lease table entry of replica ${this.replicaId}: give each replica its own --replica-id`
      : undefined;
  }

  /** A round still running after twice the lease duration is stuck (the watchdog's view). */
  stuckForMs(): number | undefined {
    if (this.#roundStartedAt === undefined) return undefined;
    const forMs = this.#now() - this.#roundStartedAt;
    return forMs > 2 * this.#options.leaseDurationMs ? Math.round(forMs) : undefined;
  }

  snapshot(): LeaseSnapshot {
    const now = this.#now();
    return {
      replica: this.replicaId,
      store: this.#options.store.description,
      replicas: this.#liveReplicas,
      leases: this.#leases
        .filter((lease) => lease.key.startsWith(SERVICE_PREFIX))
        .map((lease) => {
          const service = lease.key.slice(SERVICE_PREFIX.length);
          const held = this.#held.get(service);
          return {
            service,
            owner: lease.owner,
            counter: lease.counter,
            ...(held ? { validForMs: Math.max(0, Math.round(held.validUntil - now)) } : {}),
          };
        })
        .sort((a, b) => a.service.localeCompare(b.service)),
      lastRound: this.#lastRound,
    };
  }

  /** Services this replica holds the lease on. */
  held(): string[] {
    return [...this.#held.keys()].sort();
  }

  /** Stops renewing and hands every lease back (each after `beforeRelease`), then leaves the fleet. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round?.catch(() => undefined);
    await Promise.all(
      [...this.#held.keys()].map(async (service) => {
        await this.#options.beforeRelease(service);
        const held = this.#held.get(service);
        if (held) {
          held.closed = true;
          const quiet = this.#quietInMs(held);
          if (quiet > 0) await this.#sleep(quiet);
        }
        await this.#handBack(service).catch((error: unknown) =>
          this.#options.log.warn(
            { service, error: String(error) },
            "could not hand the lease back; it will expire",
          ),
        );
      }),
    );
    if (this.#replicaLease) {
      await this.#options.store.remove(this.#replicaLease).catch(() => undefined);
      this.#replicaLease = undefined;
    }
  }

  #scheduleNext(): void {
    if (this.#stopped) return;
    // Jitter keeps replicas started together from renewing in lockstep.
    const delay = this.#options.renewIntervalMs * (0.9 + Math.random() * 0.2);
    this.#timer = setTimeout(() => {
      void this.round().finally(() => this.#scheduleNext());
    }, delay);
  }

  async #runRound(): Promise<void> {
    this.#roundStartedAt = this.#now();
    try {
      const leases = await this.#options.store.list();
      // Whatever was read was written before now: a changed counter is dated from the end of the read.
      const readAt = this.#now();
      this.#leases = leases;
      this.#observe(leases, readAt);
      this.#dropLapsed();
      await this.#renewReplica(leases);
      await this.#renewHeld(leases);
      await this.#handBackReleased();
      this.#liveReplicas = this.#aliveReplicas(leases);
      await this.#forgetDeadReplicas(leases);
      if (!this.#stopped) await this.#rebalance(leases);
      this.#lastRound = { at: new Date().toISOString() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#lastRound = { at: new Date().toISOString(), error: message };
      this.#options.log.error(
        { error: message, store: this.#options.store.description },
        "lease round failed",
      );
      this.#dropLapsed();
    } finally {
      this.#roundStartedAt = undefined;
    }
  }

  #observe(leases: readonly Lease[], readAt: number): void {
    const keys = new Set<string>();
    for (const lease of leases) {
      keys.add(lease.key);
      const sighting = this.#sightings.get(lease.key);
      if (!sighting || sighting.counter !== lease.counter)
        this.#sightings.set(lease.key, { counter: lease.counter, since: readAt });
    }
    for (const key of this.#sightings.keys()) if (!keys.has(key)) this.#sightings.delete(key);
  }

  /** Another replica's lease whose counter has not moved for a whole lease duration, by our clock. */
  #expired(lease: Lease): boolean {
    const sighting = this.#sightings.get(lease.key);
    return sighting !== undefined && this.#now() - sighting.since > this.#options.leaseDurationMs;
  }

  /** Leases this replica could not renew in time are no longer ours to write under. */
  #dropLapsed(): void {
    for (const [service, held] of this.#held) {
      if (this.#now() < held.validUntil) continue;
      this.#held.delete(service);
      this.#options.log.warn(
        { service, replica: this.replicaId },
        "lease lapsed: it was not renewed in time",
      );
      this.#options.onLost(service);
    }
  }

  async #renewReplica(leases: readonly Lease[]): Promise<void> {
    const key = `${REPLICA_PREFIX}${this.replicaId}`;
    const current = leases.find((lease) => lease.key === key);
    // Our entry moved without us, round after round: another process uses our id. (Once could be a
    // renewal whose answer was lost; twice in a row is not.)
    const movedWithoutUs =
      current !== undefined &&
      this.#replicaLease !== undefined &&
      current.counter !== this.#replicaLease.counter;
    this.#foreignRenewals = movedWithoutUs ? this.#foreignRenewals + 1 : 0;
    if (this.#foreignRenewals >= 2 && !this.#sharedId) {
      this.#sharedId = true;
      this.#options.log.error(
        { replica: this.replicaId, store: this.#options.store.description },
        "another process uses this replica's id: writing nothing until it is restarted with its own --replica-id",
      );
    }
    try {
      this.#replicaLease = current
        ? await this.#options.store.write(current, this.replicaId)
        : await this.#options.store.create(key, this.replicaId);
    } catch (error) {
      if (!(error instanceof LeaseConflictError)) throw error;
      // Our own entry changed under us (a replica with the same id?): read it afresh next round.
    }
  }

  async #renewHeld(leases: readonly Lease[]): Promise<void> {
    const byKey = new Map(leases.map((lease) => [lease.key, lease]));
    // Every renewal settles before the round goes on: one that failed fast must not leave another to
    // land after the round (and after a loss or a hand-back it would undo).
    const renewals = await Promise.allSettled(
      [...this.#held].map(async ([service, held]) => {
        const current = byKey.get(held.lease.key);
        if (!current || current.owner !== this.replicaId || current.counter !== held.lease.counter) {
          this.#lose(service, "another replica holds it now");
          return;
        }
        const startedAt = this.#now();
        try {
          const renewed = await this.#options.store.write(current, this.replicaId);
          // Only the lease this renewal was for: one lost or handed back meanwhile stays so.
          if (this.#held.get(service) !== held) return;
          held.lease = renewed;
          held.validUntil = startedAt + this.#options.leaseDurationMs;
        } catch (error) {
          if (error instanceof LeaseConflictError) this.#lose(service, "another replica took it");
          else throw error;
        }
      }),
    );
    const failed = renewals.find((renewal) => renewal.status === "rejected");
    if (failed) throw failed.reason;
  }

  #lose(service: string, why: string): void {
    if (!this.#held.delete(service)) return;
    this.#options.log.warn({ service, replica: this.replicaId, why }, "lease lost");
    this.#options.onLost(service);
  }

  /**
   * Removes the entries of replicas that stopped renewing (killed, never stopped cleanly), so the table
   * does not grow with every crash. Conditional on the counter seen: a replica that comes back re-creates it.
   */
  async #forgetDeadReplicas(leases: readonly Lease[]): Promise<void> {
    for (const lease of leases) {
      if (!lease.key.startsWith(REPLICA_PREFIX) || lease.owner === this.replicaId || !this.#expired(lease))
        continue;
      await this.#options.store.remove(lease).catch((error: unknown) => {
        if (!(error instanceof LeaseConflictError)) throw error;
      });
    }
  }

  #aliveReplicas(leases: readonly Lease[]): string[] {
    const alive = new Set([this.replicaId]);
    for (const lease of leases) {
      if (lease.key.startsWith(REPLICA_PREFIX) && lease.owner !== undefined && !this.#expired(lease))
        alive.add(lease.owner);
    }
    return [...alive].sort();
  }

  /** Takes free and expired leases up to a fair share; hands back what is above it. */
  async #rebalance(leases: readonly Lease[]): Promise<void> {
    const services = [...new Set(this.#options.services())];
    const wanted = new Set(services);
    // A service whose spec is gone is not ours to hold.
    for (const service of this.#held.keys()) if (!wanted.has(service)) this.#startRelease(service);

    const alive = new Set(this.#liveReplicas);
    const byService = new Map<string, Lease>();
    for (const lease of leases)
      if (lease.key.startsWith(SERVICE_PREFIX)) byService.set(lease.key.slice(SERVICE_PREFIX.length), lease);
    const counts = new Map<string, number>([...alive].map((replica) => [replica, 0]));
    for (const service of services) {
      const owner = byService.get(service)?.owner;
      if (owner !== undefined && alive.has(owner) && owner !== this.replicaId)
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    const keeping = [...this.#held.keys()].filter(
      (service) => wanted.has(service) && !this.#releasing.has(service),
    );
    counts.set(this.replicaId, keeping.length);
    const most = Math.ceil(services.length / alive.size);
    const least = Math.floor(services.length / alive.size);
    const someoneStarved = [...counts.values()].some((count) => count < least);

    // Above the fair share: hand back the surplus. At it but above the floor while a replica is below
    // it: hand back one at a time (one per round, so a new replica gets its share without a stampede).
    const excess =
      keeping.length > most
        ? keeping.length - most
        : keeping.length > least && someoneStarved && this.#releasing.size === 0
          ? 1
          : 0;
    // Hand back the services this replica ranks last, so each replica settles on a stable set.
    const releasing = new Set(this.#ranked(keeping).reverse().slice(0, excess));
    for (const service of releasing) this.#startRelease(service);
    // Level-triggered: every lease kept is managed, also one whose worker stopped without the lease
    // moving (a spec file that was a duplicate, or deleted and restored, for a while).
    for (const service of keeping) if (!releasing.has(service)) this.#options.onAcquired(service);

    // Leave what is free to a starved replica rather than take it back at once.
    let room = someoneStarved && keeping.length >= least ? 0 : most - this.#held.size;
    for (const service of this.#ranked(services)) {
      if (room <= 0) break;
      if (this.#held.has(service)) continue;
      const lease = byService.get(service);
      // A holder that looks gone is not enough: only a lease whose counter stood still for a whole
      // duration is free, or a replica that lost its own entry could be robbed while it still writes.
      const free =
        lease === undefined ||
        lease.owner === undefined ||
        lease.owner === this.replicaId ||
        this.#expired(lease);
      if (!free) continue;
      if (await this.#take(service, lease)) room -= 1;
    }
  }

  /** Services in this replica's order of preference: each replica prefers different ones, so they rarely race. */
  #ranked(services: string[]): string[] {
    return services
      .map((service) => ({ service, rank: fnv1a(`${this.replicaId}/${service}`) }))
      .sort((a, b) => a.rank - b.rank)
      .map((entry) => entry.service);
  }

  async #take(service: string, lease: Lease | undefined): Promise<boolean> {
    const startedAt = this.#now();
    try {
      const taken = lease
        ? await this.#options.store.write(lease, this.replicaId)
        : await this.#options.store.create(`${SERVICE_PREFIX}${service}`, this.replicaId);
      this.#held.set(service, { lease: taken, validUntil: startedAt + this.#options.leaseDurationMs });
    } catch (error) {
      if (error instanceof LeaseConflictError) return false;
      throw error;
    }
    this.#options.log.info(
      {
        service,
        replica: this.replicaId,
        ...(lease?.owner && lease.owner !== this.replicaId ? { from: lease.owner } : {}),
      },
      "lease acquired",
    );
    this.#options.onAcquired(service);
    return true;
  }

  /**
   * Starts handing a lease back: `beforeRelease` stops the service's worker (or lets a prune finish)
   * while the lease stays held and renewed, so whatever is in flight completes under it; the round
   * after that hands it back (`#handBackReleased`).
   */
  #startRelease(service: string): void {
    if (this.#releasing.has(service) || !this.#held.has(service)) return;
    const released = { done: false };
    this.#releasing.set(service, released);
    void this.#options
      .beforeRelease(service)
      .catch((error: unknown) =>
        this.#options.log.warn(
          { service, error: String(error) },
          "stopping the service before handing its lease back failed",
        ),
      )
      .finally(() => {
        released.done = true;
      });
  }

  /**
   * Hands back every lease whose service has stopped and whose last write attempt can no longer be in
   * flight (serialised with renewals: runs inside a round). Until then the lease is kept and renewed,
   * with its gate closed: a stopped worker's abandoned call may still be on the wire.
   */
  async #handBackReleased(): Promise<void> {
    for (const [service, released] of this.#releasing) {
      if (!released.done) continue;
      const held = this.#held.get(service);
      if (held) {
        held.closed = true;
        if (this.#quietInMs(held) > 0) continue;
      }
      this.#releasing.delete(service);
      await this.#handBack(service);
    }
  }

  /** How long until no write attempt let through under `held` can still be in flight. */
  #quietInMs(held: HeldLease): number {
    if (held.lastWriteAt === undefined) return 0;
    return Math.max(0, Math.ceil(held.lastWriteAt + this.#options.writeWindowMs - this.#now()));
  }

  async #handBack(service: string): Promise<void> {
    const held = this.#held.get(service);
    if (!held) return;
    // From here on the gate refuses any write to the service.
    this.#held.delete(service);
    try {
      await this.#options.store.write(held.lease, undefined);
      this.#options.log.info({ service, replica: this.replicaId }, "lease handed back");
    } catch (error) {
      if (!(error instanceof LeaseConflictError)) throw error;
    }
  }
}

/** A small, stable string hash (FNV-1a, 32 bits): the same ranking on every run of a replica. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
