/**
 * ECS's lifecycle, once per tick per region: move every task along, run the scheduler over ACTIVE
 * services, let DRAINING services become INACTIVE once their tasks are past draining, and forget
 * STOPPED tasks after an hour (once their ENI is gone).
 */
import type { RegionState, World } from "../../world.ts";
import { ecsContext } from "./context.ts";
import { isPastDraining, scheduleService, tasksOfService } from "./scheduler.ts";
import { advanceTask } from "./task-lifecycle.ts";

export function tickEcs(region: RegionState, now: number, world: World): void {
  region.ecs.lastTickAt = now;
  if (region.ecs.clusters.size === 0) return;
  const context = ecsContext(world, region, now);
  for (const cluster of region.ecs.clusters.values()) {
    for (const task of cluster.tasks.values()) advanceTask(context, cluster, task);
    for (const service of cluster.services.values()) {
      if (service.status === "ACTIVE") scheduleService(context, cluster, service);
      else if (service.status === "DRAINING" && tasksOfService(cluster, service).every(isPastDraining)) {
        service.status = "INACTIVE";
        service.deployments = service.deployments.filter((deployment) => deployment.status === "PRIMARY");
      }
    }
    for (const [id, task] of cluster.tasks) {
      const expired =
        task.stoppedAt !== undefined && now >= task.stoppedAt + context.timings.ecsStoppedTaskRetentionMs;
      if (expired && task.eni.released) cluster.tasks.delete(id);
    }
  }
}
