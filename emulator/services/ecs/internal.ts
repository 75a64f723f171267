/**
 * What other services ask of ECS inside the emulator (not API operations): load balancers probe task
 * containers; Application Auto Scaling reads a service's CPU and sets its desired count.
 * A contract between service folders; change it only together with its callers (elbv2/, autoscaling/).
 */
import type { RegionState, World } from "../../world.ts";

/**
 * A load balancer's HTTP health check of `ip:port` at `path`: true when a running task's container
 * there answers healthy (decided by the task runtime). Nothing at that address → false.
 */
export function probeTarget(
  _world: World,
  _region: RegionState,
  _ip: string,
  _port: number,
  _path: string,
): boolean {
  throw new Error("probeTarget: to be implemented in ecs/");
}

export interface EcsServiceFacts {
  clusterName: string;
  serviceName: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  runningCount: number;
}

/** `service/<cluster>/<service>` (Application Auto Scaling's ResourceId) → the service, if it exists and is ACTIVE. */
export function findServiceByResourceId(
  _region: RegionState,
  _resourceId: string,
): EcsServiceFacts | undefined {
  throw new Error("findServiceByResourceId: to be implemented in ecs/");
}

/** Sets a service's desiredCount, as Application Auto Scaling does (no deployment starts). */
export function setDesiredCount(
  _region: RegionState,
  _resourceId: string,
  _desiredCount: number,
  _now: number,
): void {
  throw new Error("setDesiredCount: to be implemented in ecs/");
}

/** The service's average CPU utilisation in percent over its running tasks (the simulated workload), or undefined without tasks. */
export function averageCpuUtilization(_region: RegionState, _resourceId: string): number | undefined {
  throw new Error("averageCpuUtilization: to be implemented in ecs/");
}
