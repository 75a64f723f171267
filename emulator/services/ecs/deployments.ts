/**
 * Deployments of a service: a new PRIMARY for every change of what the tasks run, the circuit
 * breaker that fails one whose tasks keep failing, and the rollback to the last COMPLETED revision.
 */
import type { Random } from "../../random.ts";
import { deploymentId } from "./arns.ts";
import { addEvent } from "./events.ts";
import type { CircuitBreakerSettings, Deployment, Service, ServiceRevision } from "./state.ts";
import type { EcsTimings } from "./timings.ts";

const copyRevision = (revision: ServiceRevision): ServiceRevision => ({
  taskDefinitionArn: revision.taskDefinitionArn,
  network: structuredClone(revision.network),
  loadBalancers: revision.loadBalancers.map((binding) => ({ ...binding })),
  platformVersion: revision.platformVersion,
});

/** Makes `revision` the service's PRIMARY deployment; the previous PRIMARY keeps its tasks as ACTIVE until replaced. */
export function startDeployment(
  service: Service,
  revision: ServiceRevision,
  now: number,
  random: Random,
  rollback?: { to: string },
): Deployment {
  for (const deployment of service.deployments) {
    if (deployment.status === "PRIMARY") {
      deployment.status = "ACTIVE";
      deployment.updatedAt = now;
    }
  }
  const id = deploymentId(random);
  const deployment: Deployment = {
    ...copyRevision(revision),
    id,
    status: "PRIMARY",
    desiredCount: service.desiredCount,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: rollback
      ? `ECS deployment circuit breaker: rolling back to deploymentId ${rollback.to}.`
      : `ECS deployment ${id} in progress.`,
    createdAt: now,
    updatedAt: now,
    rollbackTo: rollback?.to,
  };
  service.deployments.unshift(deployment);
  Object.assign(service, copyRevision(revision));
  service.steady = false;
  return deployment;
}

/** Failed tasks that fail a deployment: 50% of the desired count clamped to [3, 200] by default, like AWS. */
export function failureThreshold(
  settings: CircuitBreakerSettings,
  desiredCount: number,
  timings: EcsTimings,
): number {
  const { type, value } = settings.threshold ?? { type: "BOUNDED_PERCENT", value: 50 };
  if (type === "COUNT") return value;
  const threshold = Math.ceil((value / 100) * desiredCount);
  if (type === "UNBOUNDED_PERCENT") return threshold;
  return Math.min(
    timings.ecsCircuitBreakerMaxThreshold,
    Math.max(timings.ecsCircuitBreakerMinThreshold, threshold),
  );
}

/** A task of `deploymentId` failed (could not start, exited, failed health checks) before it was ever healthy. */
export function recordFailedTask(
  service: Service,
  deploymentId: string | undefined,
  now: number,
  random: Random,
  timings: EcsTimings,
): void {
  const deployment = service.deployments.find((candidate) => candidate.id === deploymentId);
  if (deployment?.rolloutState !== "IN_PROGRESS") return;
  deployment.failedTasks += 1;
  deployment.updatedAt = now;
  const breaker = service.deploymentSettings.circuitBreaker;
  if (
    breaker.enable &&
    deployment.status === "PRIMARY" &&
    deployment.failedTasks >= failureThreshold(breaker, service.desiredCount, timings)
  ) {
    failDeployment(service, deployment, now, random);
  }
}

/** A task of `deploymentId` turned healthy: the count of consecutive failures starts over. */
export function recordHealthyTask(service: Service, deploymentId: string | undefined, now: number): void {
  const deployment = service.deployments.find((candidate) => candidate.id === deploymentId);
  if (!deployment || service.deploymentSettings.circuitBreaker.resetOnHealthyTask === false) return;
  if (deployment.failedTasks > 0) {
    deployment.failedTasks = 0;
    deployment.updatedAt = now;
  }
}

function failDeployment(service: Service, deployment: Deployment, now: number, random: Random): void {
  deployment.rolloutState = "FAILED";
  deployment.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
  deployment.updatedAt = now;
  addEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`, now, random);
  const target = service.lastCompleted;
  // A rollback that fails itself is not rolled back again: that would loop.
  if (!service.deploymentSettings.circuitBreaker.rollback || !target || deployment.rollbackTo !== undefined)
    return;
  startDeployment(service, target, now, random, { to: target.id });
  addEvent(service, `rolling back to deployment ${target.id}.`, now, random);
}

/** Marks the PRIMARY deployment COMPLETED: it becomes what a later failure rolls back to. */
export function completeDeployment(service: Service, deployment: Deployment, now: number): void {
  deployment.rolloutState = "COMPLETED";
  deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
  deployment.updatedAt = now;
  service.lastCompleted = { ...copyRevision(deployment), id: deployment.id };
}
