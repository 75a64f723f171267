/**
 * When a task next has something to do. A quiet task (RUNNING and healthy, or STOPPED with its ENI
 * still lingering) would otherwise be looked at on every simulated second for nothing, and a fleet's
 * thousands of them made the emulator's work grow with its size. A task is due:
 *
 * - when a timed status ends (PROVISIONING, ACTIVATING, DEPROVISIONING), its ENI is released, or it
 *   is old enough to be forgotten;
 * - when its runtime says its containers or their output may change (a real process: every tick);
 * - on the next tick while it moves on by itself (asked to stop, unhealthy within its grace period);
 * - and whenever something else changes it: it is launched or asked to stop (`stopTask`), crashed
 *   (the control), or the load balancer changed the state of a target at its IP (`wakeTasksOfChangedTargets`).
 *
 * Waking a task that has nothing to do is harmless (advancing it changes nothing, as it did on every
 * tick before); missing a wake is the bug to avoid, so every case that is not sure polls.
 */
import type { RegionState } from "../../world.ts";
import { takeTargetChanges } from "../elbv2/internal.ts";
import type { EcsContext } from "./context.ts";
import { targetHealth } from "./load-balancing.ts";
import type { Cluster, Task } from "./state.ts";

/** When `task`, just advanced at `context.now`, next has something to do by itself. */
export function nextDueAt(context: EcsContext, task: Task): number {
  const { now } = context;
  let due = Number.POSITIVE_INFINITY;
  const dueBy = (at: number | undefined) => {
    due = Math.min(due, at ?? now);
  };
  if (!task.eni.released && task.eni.releaseAt !== undefined) dueBy(task.eni.releaseAt);
  if (task.lastStatus === "STOPPED") {
    // Forgotten once its retention is over and its ENI gone (the ENI's release wakes it first).
    if (task.stoppedAt !== undefined && task.eni.released)
      dueBy(task.stoppedAt + context.timings.ecsStoppedTaskRetentionMs);
    return due;
  }
  // Its containers are synced and their output shipped on every advance once they were started.
  if (task.pullStartedAt !== undefined) dueBy(context.runtime.nextChangeAt?.(task.arn, now));
  if (task.desiredStatus === "STOPPED") {
    switch (task.lastStatus) {
      case "DEACTIVATING": // until its targets are drained: the load balancer tells when they go
      case "STOPPING": // until its containers have stopped: the runtime tells when
        return task.pullStartedAt === undefined ? now : due;
      case "DEPROVISIONING":
        dueBy(task.statusUntil);
        return due;
      default:
        // Asked to stop: it starts draining or deprovisioning on the next tick.
        return now;
    }
  }
  switch (task.lastStatus) {
    case "PROVISIONING":
    case "ACTIVATING":
      dueBy(task.statusUntil);
      return due;
    case "PENDING":
      return due;
    case "RUNNING":
      // Unhealthy within its grace period: stopped once the period is over.
      return targetHealth(context.region, task).state === "unhealthy" ? now : due;
    default:
      return now;
  }
}

/** Wakes the tasks whose targets changed state in the load balancer since the last tick. */
export function wakeTasksOfChangedTargets(region: RegionState, now: number): void {
  const changes = takeTargetChanges(region);
  const { wakeups } = region.ecs;
  for (const cluster of region.ecs.clusters.values()) {
    if (changes.all) {
      for (const task of cluster.tasks.values()) if (task.lastStatus !== "STOPPED") wakeups.wake(task, now);
      continue;
    }
    for (const ip of changes.ips) for (const task of cluster.tasks.withIp(ip)) wakeups.wake(task, now);
  }
}

/** The tasks due by `now`, by cluster, each cluster's in the order its table iterates. */
export function takeDueTasks(region: RegionState, now: number): Map<Cluster, Task[]> {
  const byCluster = new Map<Cluster, Task[]>();
  for (const task of region.ecs.wakeups.takeDue(now)) {
    const cluster = region.ecs.clusters.get(task.clusterName);
    // A task forgotten since it was woken is not advanced.
    if (!cluster || cluster.tasks.get(task.id) !== task) continue;
    const tasks = byCluster.get(cluster) ?? [];
    byCluster.set(cluster, tasks);
    tasks.push(task);
  }
  for (const [cluster, tasks] of byCluster)
    tasks.sort((a, b) => (cluster.tasks.positionOf(a) ?? 0) - (cluster.tasks.positionOf(b) ?? 0));
  return byCluster;
}
