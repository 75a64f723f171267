/**
 * What other services ask of ECS inside the emulator (not API operations): load balancers probe task
 * containers; Application Auto Scaling reads a service's CPU and sets its desired count.
 * A contract between service folders; change it only together with its callers (elbv2/, autoscaling/).
 */
import type { RegionState, World } from "../../world.ts";
import { runtimeOf } from "./runtime/runtime-of.ts";
import { tasksOfService } from "./scheduler.ts";
import type { Cluster, Service } from "./state.ts";

/** Task states in which the containers may be up and serving (draining tasks still answer). */
const SERVING = new Set(["ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING"]);

/**
 * A load balancer's HTTP health check of `ip:port` at `path`: true when a running task's container
 * there answers healthy (decided by the task runtime). Nothing at that address → false.
 */
export function probeTarget(
  world: World,
  region: RegionState,
  ip: string,
  port: number,
  path: string,
): boolean {
  for (const cluster of region.ecs.clusters.values()) {
    for (const task of cluster.tasks.values()) {
      if (task.eni.privateIp !== ip || !SERVING.has(task.lastStatus)) continue;
      return runtimeOf(region, world.timings).probe(task.arn, port, path, world.time);
    }
  }
  return false;
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
}

/** The service's average CPU utilisation in percent over its running tasks (the simulated workload), or undefined without tasks. */
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
