/**
 * One inventory per account and region, shared by every service the daemon manages there: the idea of
 * a Kubernetes informer, on AWS's read APIs. Each kind is read for the whole fleet at once, batched to
 * the API's limits — security groups by the managed-by tag, load balancers and target groups paged 400
 * at a time, services 10 per DescribeServices per cluster, clusters 100 per call (on the slow tier), scalable targets 50 per call, log groups 50
 * per call, listeners 20 ARNs per call — and the snapshot serves every resync pass while it is fresh:
 * younger than `maxAgeMs` and taken after this daemon's last write. Per service that is a fraction of
 * a call per kind instead of one. Each load balancer is listed on its own when it is new, when a
 * listener of it is gone, and on the slow tier (`slowMaxAgeMs`), which also serves scaling policies.
 *
 * Late in a snapshot's life (80 % of its max age) the next one is read in the background while the
 * current one still answers, so a fleet's passes do not stall on a refresh: a resync of a thousand
 * services is not held up for the seconds its reads take under AWS's rate limits.
 *
 * A key first asked for after the snapshot was taken (a service added, a load balancer created) is
 * read on its own until the next snapshot includes it. Keys not asked for in a while are dropped.
 * Passes that must see AWS as it is now (a spec edit, a write, a rollout) never read a snapshot: they
 * read through `directReads`, straight from AWS, sharing only a listing issued after they began.
 *
 * A pass awaits a shared read through `untilCallerEnds`: it gives the read up the moment it is cut
 * short (its deadline, the daemon stopping), while the read goes on for the others, and the read counts
 * among the pass's calls in flight meanwhile.
 */
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  type ScalableTarget,
  type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeLogGroupsCommand, type LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { Cluster, Service } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  type Listener,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServiceSpec } from "../../specs/index.ts";
import { untilCallerEnds } from "../aws/call-guard.ts";
import type { AwsClients } from "../aws/clients.ts";
import { ElbTagBatch } from "../aws/elb-tags.ts";
import { isNotFound } from "../aws/errors.ts";
import {
  CLUSTERS_PER_CALL,
  describeActiveClusters,
  describeClusterNamed,
} from "../resources/cluster/cluster.ts";
import { describeListenersOf } from "../resources/listener/listener.ts";
import { describeAllLoadBalancers } from "../resources/load-balancer/load-balancer.ts";
import { describeLogGroupNamed } from "../resources/log-group/log-group.ts";
import {
  describeScalableTarget,
  describeScalingPolicies,
  scalingResourceId,
} from "../resources/scaling/scaling.ts";
import {
  describeManagedSecurityGroups,
  securityGroupService,
} from "../resources/security-groups/security-groups.ts";
import { describeServiceNamed, describeServicesIn, SERVICES_PER_CALL } from "../resources/service/service.ts";
import { describeTargetGroups } from "../resources/target-group/target-group.ts";
import { JoinableRead } from "./joinable-read.ts";
import { DirectReads, type ObservationReads } from "./observation-reads.ts";
import { SlowReadPace, type SlowReadPaceOptions } from "./slow-read-pace.ts";

/** The APIs' batch limits. */
const SCALABLE_TARGETS_PER_CALL = 50;
const LOG_GROUPS_PER_CALL = 50;
const LISTENER_ARNS_PER_CALL = 20;
/** Below this many resources, policies are read per resource; above, all ECS policies are listed (10 a page). */
const POLICIES_LISTED_FROM = 10;
/** How long a region's batch of tag lookups stays open: a few milliseconds more per pass, far fewer calls. */
const TAG_BATCH_WINDOW_MS = 10;
/** A key not asked for in this many max ages is dropped from the next snapshot. */
const FORGET_AFTER_MAX_AGES = 10;

const NAMESPACE = "ecs" as const;
const DIMENSION = "ecs:service:DesiredCount" as const;

export interface FleetInventoryOptions {
  /** How long a snapshot serves resync passes (the daemon: the resync interval). */
  maxAgeMs: number;
  /**
   * The slow tier (the daemon: `--slow-resync`): how long clusters (only their tags can drift unseen)
   * and scaling policies (their target value and cooldowns drift rarely; the scalable target's bounds
   * are read every resync) are served, and listener
   * ARNs learned from a snapshot trusted before each load balancer is listed again. Default: `maxAgeMs`.
   */
  slowMaxAgeMs?: number;
  now?: () => number;
  /** Told each slow-tier refresh put off by the pace (see slow-read-pace.ts). */
  onSlowReadDeferred?: SlowReadPaceOptions["onDeferred"];
}

/** When this daemon last wrote to AWS: no snapshot started before serves again, whatever its tier. */
interface LastWrite {
  at: number;
}

/** What a tier's snapshots share: the clock, the tier's max age and the time of the last write. */
class Freshness {
  readonly maxAgeMs: number;
  readonly now: () => number;
  readonly #lastWrite: LastWrite;

  constructor(maxAgeMs: number, now: () => number, lastWrite: LastWrite) {
    this.maxAgeMs = maxAgeMs;
    this.now = now;
    this.#lastWrite = lastWrite;
  }

  /** Whether a snapshot started at `at` may still be served. */
  fresh(at: number): boolean {
    return at > this.#lastWrite.at && this.now() - at <= this.maxAgeMs;
  }
}

/** Past this share of its max age, a snapshot's next read starts in the background. */
const REFRESH_AHEAD = 0.8;

/**
 * One kind's snapshot and the read of the next. Past REFRESH_AHEAD of the max age, the first reader
 * starts the next read in the background and goes on with the current snapshot, so under a steady
 * stream of passes none waits for a refresh. Once the current one is stale (past its max age, or
 * taken before this daemon wrote), readers wait for the next: the one under way when it started after
 * the last write, else a new one. A read that fails is not kept.
 */
class RefreshingSlot<S extends { at: number; ready: Promise<unknown> }> {
  readonly #start: (now: number) => S;
  readonly #freshness: Freshness;
  #current: S | undefined;
  #next: S | undefined;

  constructor(start: (now: number) => S, freshness: Freshness) {
    this.#start = start;
    this.#freshness = freshness;
  }

  get(): S {
    const freshness = this.#freshness;
    const current = this.#current;
    if (current && freshness.fresh(current.at)) {
      if (!this.#next && freshness.now() - current.at > REFRESH_AHEAD * freshness.maxAgeMs) this.#begin();
      return current;
    }
    if (this.#next && freshness.fresh(this.#next.at)) return this.#next;
    return this.#begin();
  }

  #begin(): S {
    const next = this.#start(this.#freshness.now());
    this.#next = next;
    next.ready.then(
      () => {
        if (this.#next !== next) return;
        this.#current = next;
        this.#next = undefined;
      },
      () => {
        if (this.#next === next) this.#next = undefined;
      },
    );
    return next;
  }
}

/** A kind read whole: one read serves every service while fresh. */
class Snapshot<T> {
  readonly #slot: RefreshingSlot<{ at: number; ready: Promise<T> }>;

  constructor(read: () => Promise<T>, freshness: Freshness) {
    this.#slot = new RefreshingSlot((at) => ({ at, ready: read() }), freshness);
  }

  get(): Promise<T> {
    return this.#slot.get().ready;
  }
}

/** A kind read by key: one batched read of every key asked for lately serves them all while fresh. */
class KeyedSnapshot<V> {
  readonly #readOne: (key: string) => Promise<V>;
  readonly #freshness: Freshness;
  readonly #askedAt = new Map<string, number>();
  readonly #slot: RefreshingSlot<{ at: number; keys: ReadonlySet<string>; ready: Promise<Map<string, V>> }>;

  constructor(
    readMany: (keys: string[]) => Promise<Map<string, V>>,
    readOne: (key: string) => Promise<V>,
    freshness: Freshness,
  ) {
    this.#readOne = readOne;
    this.#freshness = freshness;
    this.#slot = new RefreshingSlot((at) => {
      const keys = this.#keysAskedFor(at);
      return { at, keys, ready: readMany([...keys]) };
    }, freshness);
  }

  /** Counts `key` as asked for: the next snapshot includes it. */
  expect(key: string): void {
    this.#askedAt.set(key, this.#freshness.now());
  }

  async get(key: string): Promise<V | undefined> {
    this.#askedAt.set(key, this.#freshness.now());
    const taken = this.#slot.get();
    // Asked for first after the snapshot was taken: read alone; the next snapshot has it.
    if (!taken.keys.has(key)) return this.#readOne(key);
    return (await taken.ready).get(key);
  }

  /** Every key asked for lately; those not asked for in a long while are forgotten. */
  #keysAskedFor(now: number): ReadonlySet<string> {
    const forgetBefore = now - FORGET_AFTER_MAX_AGES * this.#freshness.maxAgeMs;
    for (const [key, at] of this.#askedAt) if (at < forgetBefore) this.#askedAt.delete(key);
    return new Set(this.#askedAt.keys());
  }
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

const serviceKey = (cluster: string, name: string) => `${cluster}\u0000${name}`;

export class FleetInventory implements ObservationReads {
  readonly #clients: AwsClients;
  readonly #freshness: Freshness;
  readonly #slow: Freshness;
  readonly #lastWrite: LastWrite = { at: Number.NEGATIVE_INFINITY };
  readonly #securityGroups: Snapshot<Map<string, SecurityGroup[]>>;
  readonly #loadBalancers: Snapshot<Map<string, LoadBalancer>>;
  readonly #targetGroups: Snapshot<TargetGroup[]>;
  /**
   * Every pass's ELBv2 tag lookups in the region, made together when they come within
   * TAG_BATCH_WINDOW_MS of each other or while the previous call is in flight: up to 20 ARNs a
   * DescribeTags call, across services.
   */
  readonly elbTagBatch = new ElbTagBatch(TAG_BATCH_WINDOW_MS);
  /**
   * How fast the slow tier's per-resource refreshes may go, region-wide: this inventory's listener
   * re-lists and the resync passes' target-group attributes and target health.
   */
  readonly slowPace: SlowReadPace;
  /** Direct passes' listings of every target group, shared while under way (see directReads). */
  readonly #liveTargetGroups: JoinableRead<TargetGroup[]>;
  readonly #clusters: KeyedSnapshot<Cluster | undefined>;
  readonly #services: KeyedSnapshot<Service | undefined>;
  readonly #scalableTargets: KeyedSnapshot<ScalableTarget | undefined>;
  readonly #scalingPolicies: KeyedSnapshot<ScalingPolicy[]>;
  readonly #logGroups: KeyedSnapshot<LogGroup | undefined>;
  readonly #listeners: KeyedSnapshot<Listener[]>;
  /** Each load balancer's listener ARNs as last listed, so the next snapshot can batch them by ARN. */
  readonly #knownListeners = new Map<string, { arns: string[]; at: number }>();

  constructor(clients: AwsClients, options: FleetInventoryOptions) {
    this.#clients = clients;
    const now = options.now ?? (() => performance.now());
    const freshness = new Freshness(options.maxAgeMs, now, this.#lastWrite);
    const slow = new Freshness(options.slowMaxAgeMs ?? options.maxAgeMs, now, this.#lastWrite);
    this.#freshness = freshness;
    this.#slow = slow;
    this.slowPace = new SlowReadPace(clients.rateLimiter, clients.region, {
      now,
      onDeferred: options.onSlowReadDeferred,
    });
    this.#securityGroups = new Snapshot(async () => {
      const byService = new Map<string, SecurityGroup[]>();
      for (const group of await describeManagedSecurityGroups(clients)) {
        const service = securityGroupService(group);
        if (service !== undefined) byService.set(service, [...(byService.get(service) ?? []), group]);
      }
      return byService;
    }, freshness);
    this.#loadBalancers = new Snapshot(
      async () =>
        new Map(
          (await describeAllLoadBalancers(clients)).map((balancer) => [
            balancer.LoadBalancerName ?? "",
            balancer,
          ]),
        ),
      freshness,
    );
    this.#targetGroups = new Snapshot(() => describeTargetGroups(clients), freshness);
    this.#liveTargetGroups = new JoinableRead(now);
    // Slow tier: while a service is ACTIVE its cluster exists; only the cluster's tags drift unseen.
    this.#clusters = new KeyedSnapshot(
      (names) => this.#describeClusters(names),
      (name) => describeClusterNamed(clients, name),
      slow,
    );
    this.#services = new KeyedSnapshot(
      (keys) => this.#describeServices(keys),
      (key) => {
        const [cluster = "", name = ""] = key.split("\u0000");
        return describeServiceNamed(clients, cluster, name);
      },
      freshness,
    );
    this.#scalableTargets = new KeyedSnapshot(
      (keys) => this.#describeScalableTargets(keys),
      (key) => describeScalableTarget(clients, key),
      freshness,
    );
    this.#scalingPolicies = new KeyedSnapshot(
      (keys) => this.#describeScalingPolicies(keys),
      (key) => describeScalingPolicies(clients, key),
      slow,
    );
    this.#logGroups = new KeyedSnapshot(
      (keys) => this.#describeLogGroups(keys),
      (key) => describeLogGroupNamed(clients, key),
      freshness,
    );
    this.#listeners = new KeyedSnapshot(
      (keys) => this.#describeListeners(keys),
      (key) => this.#listLoadBalancer(key),
      freshness,
    );
  }

  /**
   * Registers what observing this spec's service will ask for, so the next snapshot reads it with the
   * rest of the fleet rather than on its own.
   */
  expect(document: ServiceSpec): void {
    const { cluster, logging } = document.spec;
    const name = document.metadata.name;
    this.#clusters.expect(cluster);
    this.#services.expect(serviceKey(cluster, name));
    this.#scalableTargets.expect(scalingResourceId(cluster, name));
    this.#scalingPolicies.expect(scalingResourceId(cluster, name));
    this.#logGroups.expect(logging.logGroup);
  }

  /**
   * Reads straight from AWS for a pass that must see it as it is now, through the pass's own `clients`.
   * The listing of every target group is shared with other passes' while under way, if it was issued
   * after this pass began (now): the one read here that grows with the fleet, once per pass.
   */
  directReads(clients: AwsClients): ObservationReads {
    const notBefore = this.#freshness.now();
    return new DirectReads(clients, {
      targetGroups: (read) =>
        untilCallerEnds(this.#liveTargetGroups.get(notBefore, read), "elbv2:DescribeTargetGroups"),
      elbTagBatch: this.elbTagBatch,
    });
  }

  /** This daemon wrote to AWS: no snapshot taken before now serves another pass. */
  wrote(): void {
    this.#lastWrite.at = this.#freshness.now();
  }

  async ownedSecurityGroups(service: string): Promise<SecurityGroup[]> {
    return (
      (await untilCallerEnds(this.#securityGroups.get(), "ec2:DescribeSecurityGroups")).get(service) ?? []
    );
  }
  async loadBalancerNamed(name: string): Promise<LoadBalancer | undefined> {
    return (await untilCallerEnds(this.#loadBalancers.get(), "elbv2:DescribeLoadBalancers")).get(name);
  }
  targetGroups(): Promise<TargetGroup[]> {
    return untilCallerEnds(this.#targetGroups.get(), "elbv2:DescribeTargetGroups");
  }
  async listenersOf(loadBalancerArn: string): Promise<Listener[]> {
    return (await untilCallerEnds(this.#listeners.get(loadBalancerArn), "elbv2:DescribeListeners")) ?? [];
  }
  cluster(name: string): Promise<Cluster | undefined> {
    return untilCallerEnds(this.#clusters.get(name), "ecs:DescribeClusters");
  }
  service(cluster: string, name: string): Promise<Service | undefined> {
    return untilCallerEnds(this.#services.get(serviceKey(cluster, name)), "ecs:DescribeServices");
  }
  scalableTarget(resourceId: string): Promise<ScalableTarget | undefined> {
    return untilCallerEnds(this.#scalableTargets.get(resourceId), "autoscaling:DescribeScalableTargets");
  }
  async scalingPolicies(resourceId: string): Promise<ScalingPolicy[]> {
    return (
      (await untilCallerEnds(this.#scalingPolicies.get(resourceId), "autoscaling:DescribeScalingPolicies")) ??
      []
    );
  }
  logGroupNamed(name: string): Promise<LogGroup | undefined> {
    return untilCallerEnds(this.#logGroups.get(name), "logs:DescribeLogGroups");
  }

  /** DescribeClusters, 100 names per call: a fleet usually shares a handful of clusters. */
  async #describeClusters(names: string[]): Promise<Map<string, Cluster | undefined>> {
    const found = new Map<string, Cluster | undefined>(names.map((name) => [name, undefined]));
    await Promise.all(
      chunks(names, CLUSTERS_PER_CALL).map(async (batch) => {
        for (const cluster of await describeActiveClusters(this.#clients, batch))
          found.set(cluster.clusterName ?? "", cluster);
      }),
    );
    return found;
  }

  /** DescribeServices, 10 names per call per cluster; a missing cluster means missing services. */
  async #describeServices(keys: string[]): Promise<Map<string, Service | undefined>> {
    const found = new Map<string, Service | undefined>(keys.map((key) => [key, undefined]));
    const byCluster = new Map<string, string[]>();
    for (const key of keys) {
      const [cluster = "", name = ""] = key.split("\u0000");
      byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
    }
    const calls = [...byCluster].flatMap(([cluster, names]) =>
      chunks(names, SERVICES_PER_CALL).map(async (batch) => {
        for (const service of await describeServicesIn(this.#clients, cluster, batch))
          found.set(serviceKey(cluster, service.serviceName ?? ""), service);
      }),
    );
    await Promise.all(calls);
    return found;
  }

  async #describeScalableTargets(resourceIds: string[]): Promise<Map<string, ScalableTarget | undefined>> {
    const found = new Map<string, ScalableTarget | undefined>(resourceIds.map((id) => [id, undefined]));
    await Promise.all(
      chunks(resourceIds, SCALABLE_TARGETS_PER_CALL).map(async (batch) => {
        let NextToken: string | undefined;
        do {
          const page = await this.#clients.autoscaling.send(
            new DescribeScalableTargetsCommand({
              ServiceNamespace: NAMESPACE,
              ResourceIds: batch,
              ScalableDimension: DIMENSION,
              NextToken,
            }),
          );
          for (const target of page.ScalableTargets ?? []) found.set(target.ResourceId ?? "", target);
          NextToken = page.NextToken;
        } while (NextToken);
      }),
    );
    return found;
  }

  /**
   * Every policy on each resource. DescribeScalingPolicies takes one resource at a time and pages by 10,
   * so a few resources are read one by one, and a fleet by listing every ECS policy of the region.
   */
  async #describeScalingPolicies(resourceIds: string[]): Promise<Map<string, ScalingPolicy[]>> {
    const found = new Map<string, ScalingPolicy[]>(resourceIds.map((id) => [id, []]));
    if (resourceIds.length < POLICIES_LISTED_FROM) {
      await Promise.all(
        resourceIds.map(async (id) => found.set(id, await describeScalingPolicies(this.#clients, id))),
      );
      return found;
    }
    let NextToken: string | undefined;
    do {
      const page = await this.#clients.autoscaling.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: NAMESPACE, NextToken }),
      );
      for (const policy of page.ScalingPolicies ?? []) {
        const policies = found.get(policy.ResourceId ?? "");
        if (policies && policy.ScalableDimension === DIMENSION) policies.push(policy);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }

  async #describeLogGroups(names: string[]): Promise<Map<string, LogGroup | undefined>> {
    const found = new Map<string, LogGroup | undefined>(names.map((name) => [name, undefined]));
    await Promise.all(
      chunks(names, LOG_GROUPS_PER_CALL).map(async (batch) => {
        let nextToken: string | undefined;
        do {
          const page = await this.#clients.logs.send(
            new DescribeLogGroupsCommand({ logGroupIdentifiers: batch, nextToken }),
          );
          for (const group of page.logGroups ?? [])
            if (found.has(group.logGroupName ?? "")) found.set(group.logGroupName ?? "", group);
          nextToken = page.nextToken;
        } while (nextToken);
      }),
    );
    return found;
  }

  /** Lists one load balancer's listeners, and remembers their ARNs for batched reads. */
  async #listLoadBalancer(loadBalancerArn: string): Promise<Listener[]> {
    const listeners = await describeListenersOf(this.#clients, loadBalancerArn);
    this.#knownListeners.set(loadBalancerArn, {
      arns: listeners.map((listener) => listener.ListenerArn ?? ""),
      at: this.#freshness.now(),
    });
    return listeners;
  }

  /**
   * Listeners of many load balancers: those whose listener ARNs are known and recent are described 20
   * ARNs a call; a batch with a listener gone since (ListenerNotFound), and every load balancer not known
   * or not listed for a while (a listener added behind our back), are listed one by one.
   */
  async #describeListeners(loadBalancerArns: string[]): Promise<Map<string, Listener[]>> {
    const found = new Map<string, Listener[]>();
    const now = this.#freshness.now();
    const relist: string[] = [];
    const byArn: string[] = [];
    for (const arn of loadBalancerArns) {
      const known = this.#knownListeners.get(arn);
      // A re-list that is due waits while the slow tier is at its pace (see slow-read-pace.ts).
      if (
        known &&
        known.arns.length > 0 &&
        (now - known.at < this.#slow.maxAgeMs || !this.slowPace.mayRefresh("elbv2", "DescribeListeners"))
      )
        byArn.push(...known.arns);
      else relist.push(arn);
    }
    await Promise.all(
      chunks(byArn, LISTENER_ARNS_PER_CALL).map(async (batch) => {
        try {
          const { Listeners = [] } = await this.#clients.elbv2.send(
            new DescribeListenersCommand({ ListenerArns: batch }),
          );
          for (const listener of Listeners) {
            const owner = listener.LoadBalancerArn ?? "";
            found.set(owner, [...(found.get(owner) ?? []), listener]);
          }
        } catch (error) {
          if (!isNotFound(error)) throw error;
          for (const arn of loadBalancerArns)
            if (this.#knownListeners.get(arn)?.arns.some((listener) => batch.includes(listener)))
              relist.push(arn);
        }
      }),
    );
    await Promise.all(
      [...new Set(relist)].map(async (arn) => found.set(arn, await this.#listLoadBalancer(arn))),
    );
    for (const arn of loadBalancerArns) if (!found.has(arn)) found.set(arn, []);
    return found;
  }
}
