/**
 * Where an observation's raw reads come from. `DirectReads` asks AWS for one service's resources, call
 * by call: what the CLI does, and what the daemon does whenever a pass must see AWS as it is now (the
 * first pass, a spec edit, a pass after a write, a rollout being followed). The fleet inventory
 * (fleet-inventory.ts) answers the same questions for every service from one batched, shared read per
 * kind: what a plain resync uses. Each kind's own read lives in its folder under resources/; this
 * interface only names them, so every kind's observation part (see
 * resources/observation-part.ts) reads the same way from either.
 */
import type { ScalableTarget, ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { Cluster, Service } from "@aws-sdk/client-ecs";
import type { Listener, LoadBalancer, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../aws/clients.ts";
import type { ElbTagBatch } from "../aws/elb-tags.ts";
import { describeClusterNamed } from "../resources/cluster/cluster.ts";
import { describeListenersOf } from "../resources/listener/listener.ts";
import { describeLoadBalancerNamed } from "../resources/load-balancer/load-balancer.ts";
import { describeLogGroupNamed } from "../resources/log-group/log-group.ts";
import { describeScalableTarget, describeScalingPolicies } from "../resources/scaling/scaling.ts";
import { describeOwnedSecurityGroups } from "../resources/security-groups/security-groups.ts";
import { describeServiceNamed } from "../resources/service/service.ts";
import { describeTargetGroups } from "../resources/target-group/target-group.ts";
import type { SlowReadPace } from "./slow-read-pace.ts";

export interface ObservationReads {
  /** Groups tagged as managed by ecs-converge for this service, in any VPC. */
  ownedSecurityGroups(service: string): Promise<SecurityGroup[]>;
  loadBalancerNamed(name: string): Promise<LoadBalancer | undefined>;
  /** Every target group of the account and region (callers pick theirs by name). */
  targetGroups(): Promise<TargetGroup[]>;
  listenersOf(loadBalancerArn: string): Promise<Listener[]>;
  /** The ACTIVE cluster with this name, with its tags. */
  cluster(name: string): Promise<Cluster | undefined>;
  /** The service unless missing, INACTIVE or its cluster gone; with its tags. */
  service(cluster: string, name: string): Promise<Service | undefined>;
  scalableTarget(resourceId: string): Promise<ScalableTarget | undefined>;
  /** Every policy on the ECS service's scalable target. */
  scalingPolicies(resourceId: string): Promise<ScalingPolicy[]>;
  logGroupNamed(name: string): Promise<LogGroup | undefined>;
  /** Where ELBv2 tag lookups are batched with other passes' (absent: each pass batches its own). */
  readonly elbTagBatch?: ElbTagBatch;
  /** How fast a fleet's due slow-tier refreshes may be made (absent: each as soon as it is due). */
  readonly slowPace?: SlowReadPace;
}

/** Reads several services' passes may share, as long as each is as fresh as a direct read of its own. */
export interface SharedDirectReads {
  targetGroups(read: () => Promise<TargetGroup[]>): Promise<TargetGroup[]>;
  readonly elbTagBatch: ElbTagBatch;
}

/** One service's reads, straight from AWS. */
export class DirectReads implements ObservationReads {
  readonly #clients: AwsClients;
  readonly #shared: SharedDirectReads | undefined;

  /** `shared`: the daemon's, so concurrent passes share their region-wide listings (see JoinableRead). */
  constructor(clients: AwsClients, shared?: SharedDirectReads) {
    this.#clients = clients;
    this.#shared = shared;
  }

  get elbTagBatch(): ElbTagBatch | undefined {
    return this.#shared?.elbTagBatch;
  }

  ownedSecurityGroups(service: string) {
    return describeOwnedSecurityGroups(this.#clients, service);
  }
  loadBalancerNamed(name: string) {
    return describeLoadBalancerNamed(this.#clients, name);
  }
  targetGroups() {
    const read = () => describeTargetGroups(this.#clients);
    return this.#shared ? this.#shared.targetGroups(read) : read();
  }
  listenersOf(loadBalancerArn: string) {
    return describeListenersOf(this.#clients, loadBalancerArn);
  }
  cluster(name: string) {
    return describeClusterNamed(this.#clients, name);
  }
  service(cluster: string, name: string) {
    return describeServiceNamed(this.#clients, cluster, name);
  }
  scalableTarget(resourceId: string) {
    return describeScalableTarget(this.#clients, resourceId);
  }
  scalingPolicies(resourceId: string) {
    return describeScalingPolicies(this.#clients, resourceId);
  }
  logGroupNamed(name: string) {
    return describeLogGroupNamed(this.#clients, name);
  }
}
