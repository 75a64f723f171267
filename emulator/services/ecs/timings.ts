/**
 * How long ECS's lifecycles take, in simulated milliseconds, and the scheduler's tunable limits.
 * Defaults follow what Fargate shows in practice: a task needs tens of seconds from launch to RUNNING.
 */

export interface EcsTimings {
  /** PROVISIONING: Fargate finds capacity and attaches the task's ENI. */
  ecsTaskProvisioningMs: number;
  /** PENDING, in the simulated runtime: pulling the image until the container process starts. */
  ecsImagePullMs: number;
  /** Simulated runtime: from the container starting to its app answering health checks (per image overridable). */
  ecsContainerBootMs: number;
  /** ACTIVATING: ECS registers the task with its target groups before calling it RUNNING. */
  ecsTaskActivatingMs: number;
  /** Simulated runtime: how long a container takes to exit after SIGTERM. */
  ecsContainerStopMs: number;
  /** A container's `stopTimeout` when the task definition sets none: SIGKILL follows SIGTERM after this. */
  ecsDefaultStopTimeoutMs: number;
  /** DEPROVISIONING: Fargate detaches the ENI and releases the capacity. */
  ecsTaskDeprovisioningMs: number;
  /** A STOPPED task's ENI lingers (and keeps its security groups in use) this long before EC2 deletes it. */
  ecsEniReleaseMs: number;
  /** STOPPED tasks stay describable this long (AWS: at least one hour). */
  ecsStoppedTaskRetentionMs: number;
  /** Simulated runtime: how long a crashing image's container runs before it exits. */
  ecsCrashAfterMs: number;
  /** After a task cannot be placed (e.g. its subnet has no free address), the scheduler retries this much later. */
  ecsLaunchRetryMs: number;
  /** The circuit breaker's failure threshold is 50% of the desired count, clamped to [min, max]. */
  ecsCircuitBreakerMinThreshold: number;
  ecsCircuitBreakerMaxThreshold: number;
  /** The workload's CPU percent (average over a service's tasks) until a control sets another. */
  ecsDefaultCpuPercent: number;
}

export const DEFAULT_ECS_TIMINGS: EcsTimings = {
  ecsTaskProvisioningMs: 10_000,
  ecsImagePullMs: 10_000,
  ecsContainerBootMs: 10_000,
  ecsTaskActivatingMs: 2_000,
  ecsContainerStopMs: 2_000,
  ecsDefaultStopTimeoutMs: 30_000,
  ecsTaskDeprovisioningMs: 5_000,
  ecsEniReleaseMs: 60_000,
  ecsStoppedTaskRetentionMs: 3_600_000,
  ecsCrashAfterMs: 3_000,
  ecsLaunchRetryMs: 15_000,
  ecsCircuitBreakerMinThreshold: 3,
  ecsCircuitBreakerMaxThreshold: 200,
  ecsDefaultCpuPercent: 10,
};
