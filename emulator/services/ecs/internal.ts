/**
 * What other services ask of ECS inside the emulator (not API operations): load balancers probe task
 * containers; Application Auto Scaling reads a service's CPU and sets its desired count.
 * A contract between service folders; change it only together with its callers (elbv2/, autoscaling/).
 */
import type { RegionState, World } from "../../world.ts";
import { processRuntimeOf, runtimeOf } from "./runtime/runtime-of.ts";
import type { HealthCheckRequest, ProbeAnswer } from "./runtime/task-runtime.ts";
import { tasksOfService } from "./scheduler.ts";
import type { Cluster, Service } from "./state.ts";
import { unsettle } from "./unsettled-services.ts";

/** Task states in which the containers may be up and serving (draining tasks still answer). */
const SERVING = new Set(["ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING"]);

/** A health check with AWS's defaults, for callers that do not say (5 s timeout, `200`). */
const DEFAULT_CHECK: HealthCheckRequest = { timeoutMs: 5000, httpCodes: "200" };

/**
 * A load balancer's HTTP health check of `ip:port` at `path`, with the target group's timeout and
 * matcher: true when a running task's container there answers healthy (decided by the task runtime;
 * for a real process, the last finished HTTP check). Nothing at that address → false.
 */
export function probeTarget(
  world: World,
  region: RegionState,
  ip: string,
  port: number,
  path: string,
  check: HealthCheckRequest = DEFAULT_CHECK,
): ProbeAnswer {
  for (const cluster of region.ecs.clusters.values()) {
    for (const task of cluster.tasks.withIp(ip)) {
      if (!SERVING.has(task.lastStatus)) continue;
      return runtimeOf(region, world.timings).probe(task.arn, port, path, world.time, check);
    }
  }
  return false;
}

/**
 * Where traffic for a task's `ip:port` really goes, for a load balancer that sends real requests: the
 * address its process listens on. Identity in the loopback network mode on Linux (the process listens on
 * its ENI IP and container port); `127.0.0.1` and a remapped port where that address cannot be bound.
 */
export function addressOf(region: RegionState, ip: string, port: number): { host: string; port: number } {
  return processRuntimeOf(region)?.addressOf(region.name, ip, port) ?? { host: ip, port };
}

export interface EcsServiceFacts {
  clusterName: string;
  serviceName: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  runningCount: number;
}

/** `service/<cluster>/<service>` → the ACTIVE service and its cluster. */
function activeService(
  region: RegionState,
  resourceId: string,
): { cluster: Cluster; service: Service } | undefined {
  const match = resourceId.match(/^service\/([^/]+)\/([^/]+)$/);
  if (!match) return undefined;
  const cluster = region.ecs.clusters.get(match[1] as string);
  const service = cluster?.services.get(match[2] as string);
  if (cluster?.status !== "ACTIVE" || service?.status !== "ACTIVE") return undefined;
  return { cluster, service };
}

/** `service/<cluster>/<service>` (Application Auto Scaling's ResourceId) → the service, if it exists and is ACTIVE. */
export function findServiceByResourceId(
  region: RegionState,
  resourceId: string,
): EcsServiceFacts | undefined {
  const found = activeService(region, resourceId);
  if (!found) return undefined;
  const { cluster, service } = found;
  return {
    clusterName: cluster.name,
    serviceName: service.name,
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: tasksOfService(cluster, service).filter(
      (task) => task.desiredStatus === "RUNNING" && task.lastStatus === "RUNNING",
    ).length,
  };
}

/** Sets a service's desiredCount, as Application Auto Scaling does (no deployment starts). */
export function setDesiredCount(
  region: RegionState,
  resourceId: string,
  desiredCount: number,
  _now: number,
): void {
  const found = activeService(region, resourceId);
  if (!found || found.service.desiredCount === desiredCount) return;
  found.service.desiredCount = desiredCount;
  found.service.steady = false;
  unsettle(region.ecs, found.service);
}

/** The service's average CPU utilisation in percent over its running tasks (simulated, or measured from their processes), or undefined without tasks. */
export function averageCpuUtilization(region: RegionState, resourceId: string): number | undefined {
  const found = activeService(region, resourceId);
  const runtime = region.ecs.runtime;
  if (!found || !runtime) return undefined;
  const samples = tasksOfService(found.cluster, found.service)
    .filter((task) => task.lastStatus === "RUNNING")
    .map((task) => runtime.cpuPercent(task.arn, region.ecs.lastTickAt))
    .filter((percent) => percent !== undefined);
  if (samples.length === 0) return undefined;
  return samples.reduce((sum, percent) => sum + percent, 0) / samples.length;
}
