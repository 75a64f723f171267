/**
 * ECS's lifecycle, once per tick per region: move along the tasks that have something to do (see
 * task-wakeups.ts), run the scheduler over the ACTIVE services that are not steady or whose tasks
 * moved (see unsettled-services.ts), let DRAINING services become INACTIVE once their tasks are past
 * draining, and forget STOPPED tasks after an hour (once their ENI is gone). Within a cluster, tasks
 * and services are visited in table order, as a pass over all of them would: a seed plays out the same.
 */
import type { RegionState, World } from "../../world.ts";
import { ecsContext } from "./context.ts";
import { isPastDraining, scheduleService, tasksOfService } from "./scheduler.ts";
import type { Cluster, Service, Task } from "./state.ts";
import { advanceTask, serviceOfTask } from "./task-lifecycle.ts";
import { nextDueAt, takeDueTasks, wakeTasksOfChangedTargets } from "./task-wakeups.ts";
import { isUnsettled } from "./unsettled-services.ts";

export function tickEcs(region: RegionState, now: number, world: World): void {
  region.ecs.lastTickAt = now;
  if (region.ecs.clusters.size === 0) return;
  const context = ecsContext(world, region, now);
  const { wakeups, unsettledServices } = region.ecs;
  wakeTasksOfChangedTargets(region, now);
  const due = takeDueTasks(region, now);
  // One replaced by a namesake is not the cluster's any more: nothing visits it again.
  for (const service of unsettledServices)
    if (region.ecs.clusters.get(service.clusterName)?.services.positionOf(service) === undefined)
      unsettledServices.delete(service);
  const unsettled = byCluster(unsettledServices);
  for (const cluster of region.ecs.clusters.values()) {
    const advanced = due.get(cluster) ?? [];
    const versions = new Map(advanced.map((task) => [task, task.version]));
    const moved = new Set<Service>();
    for (const task of advanced) {
      advanceTask(context, cluster, task);
      const service = serviceOfTask(cluster, task);
      if (service) moved.add(service);
    }
    for (const service of servicesToVisit(cluster, unsettled.get(cluster.name), moved)) {
      if (service.status === "ACTIVE") {
        if (!service.steady || moved.has(service)) scheduleService(context, cluster, service);
      } else if (service.status === "DRAINING" && tasksOfService(cluster, service).every(isPastDraining)) {
        service.status = "INACTIVE";
        service.deployments = service.deployments.filter((deployment) => deployment.status === "PRIMARY");
      }
      if (isUnsettled(service)) unsettledServices.add(service);
      else unsettledServices.delete(service);
    }
    for (const task of advanced) {
      if (isExpired(context.timings.ecsStoppedTaskRetentionMs, task, now)) {
        cluster.tasks.delete(task.id);
        wakeups.forget(task);
      } else {
        // A task that changed status acts on its new one from the next tick (as STOPPING checks its containers).
        const changed = task.version !== versions.get(task);
        wakeups.wake(task, changed ? now : nextDueAt(context, task));
      }
    }
  }
}

function byCluster(services: Iterable<Service>): Map<string, Service[]> {
  const grouped = new Map<string, Service[]>();
  for (const service of services) {
    const list = grouped.get(service.clusterName) ?? [];
    grouped.set(service.clusterName, list);
    list.push(service);
  }
  return grouped;
}

/** The cluster's unsettled services and those whose tasks moved, in table order; a replaced one is dropped. */
function servicesToVisit(
  cluster: Cluster,
  unsettled: readonly Service[] = [],
  moved: Set<Service>,
): Service[] {
  const position = (service: Service) => cluster.services.positionOf(service) ?? -1;
  return [...new Set([...unsettled, ...moved])]
    .filter((service) => position(service) >= 0)
    .sort((a, b) => position(a) - position(b));
}

const isExpired = (retentionMs: number, task: Task, now: number) =>
  task.stoppedAt !== undefined && now >= task.stoppedAt + retentionMs && task.eni.released;
