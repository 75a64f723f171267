/**
 * One task's way through Fargate's states, one tick at a time:
 * PROVISIONING → PENDING → ACTIVATING → RUNNING, and once asked to stop,
 * DEACTIVATING (draining its targets) → STOPPING → DEPROVISIONING → STOPPED; the ENI goes later.
 * The runtime says what the containers do; the load balancer says whether the task is healthy.
 */
import { releaseNetworkInterface } from "../ec2/internal.ts";
import type { EcsContext } from "./context.ts";
import { recordFailedTask, recordHealthyTask } from "./deployments.ts";
import { addEvent } from "./events.ts";
import { deregisterTask, isDrained, registerTask, targetHealth } from "./load-balancing.ts";
import type { RuntimeTask } from "./runtime/task-runtime.ts";
import type { Cluster, Service, StopCode, Task, TaskStatus } from "./state.ts";
import { findTaskDefinition } from "./task-definitions.ts";
import { openLogStreams, shipOutput } from "./task-logs.ts";

export interface StopRequest {
  code: StopCode;
  reason: string;
  /** Whether this counts as a failed task of its deployment (for the circuit breaker). */
  failure: boolean;
}

/** The service that launched `task`, while that very service (not a namesake) exists. */
export function serviceOfTask(cluster: Cluster, task: Task): Service | undefined {
  const service = task.serviceName === undefined ? undefined : cluster.services.get(task.serviceName);
  return service?.incarnation === task.serviceIncarnation ? service : undefined;
}

/** The runtime's workload of a service's tasks: they share its simulated CPU load. */
export const workloadOf = (clusterName: string, group: string) => `${clusterName}/${group}`;

function setStatus(task: Task, status: TaskStatus): void {
  task.lastStatus = status;
  task.version += 1;
}

/** Asks a task to stop; the lifecycle then drains, stops and deprovisions it. Stopping twice changes nothing. */
export function stopTask(context: EcsContext, cluster: Cluster, task: Task, request: StopRequest): void {
  if (task.desiredStatus === "STOPPED") return;
  context.region.ecs.wakeups.wake(task, context.now);
  task.desiredStatus = "STOPPED";
  task.stopCode = request.code;
  task.stoppedReason = request.reason;
  task.stoppingAt = context.now;
  task.version += 1;
  const service = serviceOfTask(cluster, task);
  // A task that once was healthy and fails later does not say the deployment is bad.
  if (service && request.failure && !task.becameHealthy) {
    recordFailedTask(service, task.deploymentId, context.now, context.random, context.timings);
  }
}

function runtimeTask(context: EcsContext, task: Task): RuntimeTask {
  const definition = findTaskDefinition(context.region.ecs, task.taskDefinitionArn);
  return {
    taskArn: task.arn,
    workload: workloadOf(task.clusterName, task.group),
    ip: task.eni.privateIp,
    cpuUnits: Number(task.cpu ?? definition?.cpu ?? 256) || 256,
    containers: (definition?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image,
      essential: container.essential,
      ports: [...container.containerPorts],
      stopTimeoutSeconds: container.stopTimeoutSeconds ?? context.timings.ecsDefaultStopTimeoutMs / 1000,
      environment: { ...container.environment },
      secretNames: [...container.secretNames],
    })),
  };
}

/** Copies the runtime's view of each container into the task. */
function syncContainers(context: EcsContext, task: Task): void {
  for (const container of task.containers) {
    const status = context.runtime.status(task.arn, container.name, context.now);
    if (status.phase === "starting") container.lastStatus = "PENDING";
    else if (status.phase === "running") container.lastStatus = "RUNNING";
    else {
      container.lastStatus = "STOPPED";
      container.exitCode = status.phase === "exited" ? status.exitCode : undefined;
      container.reason = status.reason;
    }
  }
}

/** Why the task must stop because of its containers, if it must. */
function containerFailure(context: EcsContext, task: Task): StopRequest | undefined {
  for (const container of task.containers) {
    if (!container.essential) continue;
    const status = context.runtime.status(task.arn, container.name, context.now);
    if (status.phase === "failed") return { code: "TaskFailedToStart", reason: status.reason, failure: true };
    if (status.phase === "exited")
      return {
        code: "EssentialContainerExited",
        reason: "Essential container in task exited",
        failure: true,
      };
  }
  return undefined;
}

function activate(context: EcsContext, cluster: Cluster, task: Task): void {
  task.pullStoppedAt = context.now;
  setStatus(task, "ACTIVATING");
  task.statusUntil = context.now + context.timings.ecsTaskActivatingMs;
  const refused = registerTask(context.region, task, context.now);
  const service = serviceOfTask(cluster, task);
  if (!service) return;
  for (const target of task.targets) {
    addEvent(
      service,
      `registered 1 targets in (target-group ${target.targetGroupArn})`,
      context.now,
      context.random,
    );
  }
  for (const { targetGroupArn, error } of refused) {
    addEvent(
      service,
      `failed to register targets in (target-group ${targetGroupArn}) (error ${error})`,
      context.now,
      context.random,
    );
  }
}

function checkHealth(context: EcsContext, cluster: Cluster, task: Task): void {
  const service = serviceOfTask(cluster, task);
  const health = targetHealth(context.region, task);
  if (health.state === "healthy" && !task.becameHealthy) {
    task.becameHealthy = true;
    if (service) recordHealthyTask(service, task.deploymentId, context.now);
  }
  if (health.state !== "unhealthy") return;
  // The grace period covers slow starters: unhealthy verdicts are ignored until it has passed.
  const graceMs = (service?.healthCheckGracePeriodSeconds ?? 0) * 1000;
  if (context.now < (task.startedAt ?? context.now) + graceMs) return;
  if (service) {
    addEvent(
      service,
      `(task ${task.id}) (port ${health.port}) is unhealthy in (target-group ${health.targetGroupArn}) due to (reason Health checks failed).`,
      context.now,
      context.random,
    );
    addEvent(service, `has stopped 1 running tasks: (task ${task.id}).`, context.now, context.random);
  }
  stopTask(context, cluster, task, {
    code: "ServiceSchedulerInitiated",
    reason: `Task failed ELB health checks in (target-group ${health.targetGroupArn})`,
    failure: true,
  });
}

function advanceRunning(context: EcsContext, cluster: Cluster, task: Task): void {
  const { now } = context;
  if (task.lastStatus === "PROVISIONING") {
    if (now < (task.statusUntil ?? now)) return;
    const logError = openLogStreams(context, task);
    if (logError !== undefined) {
      stopTask(context, cluster, task, { code: "TaskFailedToStart", reason: logError, failure: true });
      return;
    }
    setStatus(task, "PENDING");
    task.pullStartedAt = now;
    context.runtime.start(runtimeTask(context, task), now);
    return;
  }
  const failure = containerFailure(context, task);
  if (failure) {
    stopTask(context, cluster, task, failure);
    return;
  }
  if (task.lastStatus === "PENDING") {
    const started = task.containers.every(
      (container) => !container.essential || container.lastStatus === "RUNNING",
    );
    if (started) activate(context, cluster, task);
  } else if (task.lastStatus === "ACTIVATING") {
    if (now < (task.statusUntil ?? now)) return;
    setStatus(task, "RUNNING");
    task.startedAt = now;
  } else if (task.lastStatus === "RUNNING") {
    checkHealth(context, cluster, task);
  }
}

function beginStopping(context: EcsContext, task: Task): void {
  setStatus(task, "STOPPING");
  context.runtime.stop(task.arn, context.now);
}

function advanceStopping(context: EcsContext, cluster: Cluster, task: Task): void {
  const { now } = context;
  switch (task.lastStatus) {
    case "PROVISIONING":
      // Never started: nothing to drain or stop.
      for (const container of task.containers) container.lastStatus = "STOPPED";
      setStatus(task, "DEPROVISIONING");
      task.statusUntil = now + context.timings.ecsTaskDeprovisioningMs;
      return;
    case "PENDING":
    case "ACTIVATING":
    case "RUNNING": {
      if (task.targets.length === 0) {
        beginStopping(context, task);
        return;
      }
      deregisterTask(context.region, task, now);
      setStatus(task, "DEACTIVATING");
      const service = serviceOfTask(cluster, task);
      if (!service) return;
      addEvent(service, "has begun draining connections on 1 tasks.", now, context.random);
      for (const target of task.targets) {
        addEvent(
          service,
          `deregistered 1 targets in (target-group ${target.targetGroupArn})`,
          now,
          context.random,
        );
      }
      return;
    }
    case "DEACTIVATING":
      if (!isDrained(context.region, task)) return;
      task.targets = [];
      beginStopping(context, task);
      return;
    case "STOPPING":
      if (task.containers.some((container) => container.lastStatus !== "STOPPED")) return;
      task.executionStoppedAt = now;
      setStatus(task, "DEPROVISIONING");
      task.statusUntil = now + context.timings.ecsTaskDeprovisioningMs;
      return;
    case "DEPROVISIONING":
      if (now < (task.statusUntil ?? now)) return;
      setStatus(task, "STOPPED");
      task.stoppedAt = now;
      task.eni.releaseAt = now + context.timings.ecsEniReleaseMs;
      context.runtime.forget(task.arn);
      return;
    case "STOPPED":
      return;
  }
}

/** Moves a task along by one tick. */
export function advanceTask(context: EcsContext, cluster: Cluster, task: Task): void {
  if (task.lastStatus !== "STOPPED" && task.pullStartedAt !== undefined) {
    syncContainers(context, task);
    shipOutput(context, task, context.runtime.takeOutput(task.arn, context.now));
  }
  if (task.desiredStatus === "RUNNING") advanceRunning(context, cluster, task);
  else advanceStopping(context, cluster, task);
  if (!task.eni.released && task.eni.releaseAt !== undefined && context.now >= task.eni.releaseAt) {
    releaseNetworkInterface(context.region, task.eni.networkInterfaceId);
    task.eni.released = true;
  }
}
