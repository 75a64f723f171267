/**
 * The service scheduler, once per tick for each ACTIVE service: keep the PRIMARY deployment at the
 * desired count, replace older deployments' tasks within `maximumPercent` while keeping
 * `minimumHealthyPercent` healthy, retire deployments whose tasks are gone, and say when the
 * rollout is COMPLETED and the service steady. Replacing failed tasks needs nothing special: a
 * stopped task no longer counts, so the next tick launches another.
 */
import type { EcsContext } from "./context.ts";
import { completeDeployment } from "./deployments.ts";
import { addEvent, taskList } from "./events.ts";
import { targetHealth } from "./load-balancing.ts";
import type { Cluster, Deployment, Service, Task } from "./state.ts";
import { findTaskDefinition } from "./task-definitions.ts";
import { launchTask } from "./task-launch.ts";
import { stopTask } from "./task-lifecycle.ts";

/** The service's tasks, stopped ones included. */
export function tasksOfService(cluster: Cluster, service: Service): Task[] {
  // Only the service its cluster holds under that name has tasks (see serviceOfTask).
  if (cluster.services.get(service.name) !== service) return [];
  return [...cluster.tasks.ofService(service.name, service.incarnation)];
}

/** RUNNING, and healthy in every target group the task serves. */
export function isHealthy(context: EcsContext, task: Task): boolean {
  return task.lastStatus === "RUNNING" && targetHealth(context.region, task).state === "healthy";
}

/** Whether a task has gone past draining (STOPPING or later): it no longer holds its deployment or service. */
export const isPastDraining = (task: Task) =>
  ["STOPPING", "DEPROVISIONING", "STOPPED"].includes(task.lastStatus);

/** Stops tasks for the scheduler's own reasons (scale-in, replacement) and says so once. */
function retire(
  context: EcsContext,
  cluster: Cluster,
  service: Service,
  tasks: Task[],
  by: Deployment,
): void {
  if (tasks.length === 0) return;
  for (const task of tasks) {
    stopTask(context, cluster, task, {
      code: "ServiceSchedulerInitiated",
      reason: `Scaling activity initiated by (deployment ${by.id})`,
      failure: false,
    });
  }
  addEvent(
    service,
    `has stopped ${tasks.length} running tasks: ${taskList(tasks)}.`,
    context.now,
    context.random,
  );
}

/** Unhealthy and newest first: the order in which tasks are given up. */
function byExpendability(context: EcsContext, tasks: Task[]): Task[] {
  return [...tasks].sort(
    (a, b) => Number(isHealthy(context, a)) - Number(isHealthy(context, b)) || b.createdAt - a.createdAt,
  );
}

function launch(context: EcsContext, cluster: Cluster, service: Service, primary: Deployment, count: number) {
  const definition = findTaskDefinition(context.region.ecs, primary.taskDefinitionArn);
  if (count <= 0 || !definition || context.now < service.launchRetryAt) return;
  if (service.launchType === "EC2") {
    // The emulator has no container instances, so EC2 tasks never place, as in an empty AWS cluster.
    addEvent(
      service,
      "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
      context.now,
      context.random,
    );
    service.launchRetryAt = context.now + context.timings.ecsLaunchRetryMs;
    return;
  }
  const started: Task[] = [];
  for (let index = 0; index < count; index++) {
    const live = tasksOfService(cluster, service).filter((task) => task.desiredStatus === "RUNNING");
    const task = launchTask(context, cluster, service, primary, definition, live);
    if ("error" in task) {
      addEvent(service, `was unable to place a task. Reason: ${task.error}`, context.now, context.random);
      service.launchRetryAt = context.now + context.timings.ecsLaunchRetryMs;
      break;
    }
    cluster.tasks.set(task.id, task);
    context.region.ecs.wakeups.wake(task, context.now);
    started.push(task);
  }
  if (started.length > 0)
    addEvent(
      service,
      `has started ${started.length} tasks: ${taskList(started)}.`,
      context.now,
      context.random,
    );
}

/** One scheduling pass over an ACTIVE service. */
export function scheduleService(context: EcsContext, cluster: Cluster, service: Service): void {
  const [primary] = service.deployments;
  if (!primary) return;
  const desired = service.desiredCount;
  const { minimumHealthyPercent, maximumPercent } = service.deploymentSettings;
  const live = () => tasksOfService(cluster, service).filter((task) => task.desiredStatus === "RUNNING");
  primary.desiredCount = desired;

  // Scale in: the PRIMARY deployment above the desired count gives up its least useful tasks.
  const primaryLive = live().filter((task) => task.deploymentId === primary.id);
  if (primaryLive.length > desired) {
    retire(
      context,
      cluster,
      service,
      byExpendability(context, primaryLive).slice(0, primaryLive.length - desired),
      primary,
    );
  }

  // Replace older deployments' tasks: unhealthy ones at once, healthy ones while enough others stay healthy.
  // A FAILED primary launches nothing, so it must not take the old healthy tasks away either.
  const older = live().filter((task) => task.deploymentId !== primary.id);
  const minimumHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
  const unhealthyOlder = older.filter((task) => !isHealthy(context, task));
  const retiring = [...unhealthyOlder];
  if (primary.rolloutState !== "FAILED") {
    let healthy = live().filter((task) => isHealthy(context, task)).length;
    for (const task of older.filter((candidate) => isHealthy(context, candidate))) {
      if (healthy - 1 < minimumHealthy) break;
      retiring.push(task);
      healthy -= 1;
    }
  }
  retire(context, cluster, service, retiring, primary);

  // Launch the PRIMARY's missing tasks within maximumPercent of the desired count.
  if (primary.rolloutState !== "FAILED") {
    const maximum = Math.floor((desired * maximumPercent) / 100);
    const missing = desired - live().filter((task) => task.deploymentId === primary.id).length;
    launch(context, cluster, service, primary, Math.min(missing, maximum - live().length));
  }

  settleDeployments(context, cluster, service, primary);
}

/**
 * Retires older deployments whose tasks are gone (a FAILED one stays in sight until the deployment
 * that replaced it completes), completes the rollout, reports a steady state.
 */
function settleDeployments(
  context: EcsContext,
  cluster: Cluster,
  service: Service,
  primary: Deployment,
): void {
  const tasks = tasksOfService(cluster, service);
  const holdingTasks = (deployment: Deployment) =>
    tasks.filter((task) => task.deploymentId === deployment.id && !isPastDraining(task));
  for (const deployment of service.deployments) {
    if (deployment !== primary)
      deployment.desiredCount = holdingTasks(deployment).filter(
        (task) => task.desiredStatus === "RUNNING",
      ).length;
  }
  const live = tasks.filter((task) => task.desiredStatus === "RUNNING");
  const settled =
    service.deployments.every(
      (deployment) => deployment === primary || holdingTasks(deployment).length === 0,
    ) &&
    live.length === service.desiredCount &&
    live.every((task) => task.deploymentId === primary.id && isHealthy(context, task));
  if (settled && primary.rolloutState === "IN_PROGRESS") completeDeployment(service, primary, context.now);
  service.deployments = service.deployments.filter(
    (deployment) =>
      deployment === primary ||
      holdingTasks(deployment).length > 0 ||
      (deployment.rolloutState === "FAILED" && primary.rolloutState === "IN_PROGRESS"),
  );
  const steady = settled && primary.rolloutState === "COMPLETED";
  if (steady && !service.steady)
    addEvent(service, "has reached a steady state.", context.now, context.random);
  service.steady = steady;
}
