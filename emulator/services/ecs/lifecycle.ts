/**
 * ECS's lifecycle, once per tick per region: move along the tasks that have something to do (see
 * task-wakeups.ts), run the scheduler over ACTIVE services that are not steady or whose tasks moved,
 * let DRAINING services become INACTIVE once their tasks are past draining, and forget STOPPED tasks
 * after an hour (once their ENI is gone). A steady service whose tasks did not move would get a pass
 * that changes nothing, so it is skipped: every change that matters to it either clears `steady`
 * (desired count, deployment, deletion) or goes through one of its tasks.
 */
import type { RegionState, World } from "../../world.ts";
import { ecsContext } from "./context.ts";
import { isPastDraining, scheduleService, tasksOfService } from "./scheduler.ts";
import type { Service, Task } from "./state.ts";
import { advanceTask, serviceOfTask } from "./task-lifecycle.ts";
import { nextDueAt, takeDueTasks, wakeTasksOfChangedTargets } from "./task-wakeups.ts";

export function tickEcs(region: RegionState, now: number, world: World): void {
  region.ecs.lastTickAt = now;
  if (region.ecs.clusters.size === 0) return;
  const context = ecsContext(world, region, now);
  const { wakeups } = region.ecs;
  wakeTasksOfChangedTargets(region, now);
  const due = takeDueTasks(region, now);
  for (const cluster of region.ecs.clusters.values()) {
    const advanced = due.get(cluster) ?? [];
    const versions = new Map(advanced.map((task) => [task, task.version]));
    const moved = new Set<Service>();
    for (const task of advanced) {
      advanceTask(context, cluster, task);
      const service = serviceOfTask(cluster, task);
      if (service) moved.add(service);
    }
    for (const service of cluster.services.values()) {
      if (service.status === "ACTIVE") {
        if (!service.steady || moved.has(service)) scheduleService(context, cluster, service);
      } else if (service.status === "DRAINING" && tasksOfService(cluster, service).every(isPastDraining)) {
        service.status = "INACTIVE";
        service.deployments = service.deployments.filter((deployment) => deployment.status === "PRIMARY");
      }
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

const isExpired = (retentionMs: number, task: Task, now: number) =>
  task.stoppedAt !== undefined && now >= task.stoppedAt + retentionMs && task.eni.released;
