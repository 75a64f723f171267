/**
 * The shortest a service can take to converge from nothing on the emulator: the longest chain of
 * simulated waits, with every API call taken as instant (the controller's own time is what the bench
 * measures against this). Read from the emulator's lifecycles, which run in ticks of TICK_MS:
 *
 * - The controller creates the load balancer, its listener and the service in its first pass
 *   (controller/engine/stack.ts: the service waits only for the listener to exist, not for the load
 *   balancer to be active), so the two branches below start together.
 * - Load balancer: `provisioning` until `loadBalancerProvisioningMs` has passed (elbv2/lifecycle.ts).
 *   Its target groups are health-checked only from then on (health-checks.ts: not serving → no checks).
 * - Tasks: the scheduler launches them on the tick after CreateService (ecs/lifecycle.ts), each
 *   PROVISIONING for `ecsTaskProvisioningMs`, then PENDING while the image pulls (`ecsImagePullMs`);
 *   once the container runs, the task turns ACTIVATING and registers its target (task-lifecycle.ts).
 *   Its app answers `ecsContainerBootMs` after the container started (simulated-runtime.ts), and the
 *   task is RUNNING `ecsTaskActivatingMs` after it registered.
 * - Health checks: the first one on the tick the load balancer turns active, or on the tick after the
 *   target registers (ELBv2 ticks before ECS), then every `intervalSeconds`; `healthyThreshold`
 *   passes in a row make the target healthy. Checks before the app answers fail; `unhealthyThreshold`
 *   of them make it unhealthy, which ECS acts on (stops the task) only after the grace period.
 * - ECS completes the deployment (and the daemon's rollout turns stable) on the tick every task is
 *   RUNNING with a healthy target: all tasks start together, so one task's chain is the service's.
 *
 * Exact on a manual clock (the test checks it against the emulator). On a clock that moves by itself
 * the ticks do not fall on these instants, so each wait ends on the first tick after it: up to a tick
 * late per wait, which the bench shows apart from the controller's own time.
 */

import { TICK_MS } from "../emulator/world.ts";
import type { ServiceSpec } from "../specs/index.ts";

/** The emulator's durations this chain depends on (emulator/timings.ts), in simulated ms. */
export interface ChainTimings {
  loadBalancerProvisioningMs: number;
  ecsTaskProvisioningMs: number;
  ecsImagePullMs: number;
  ecsContainerBootMs: number;
  ecsTaskActivatingMs: number;
}

export interface ChainStep {
  name: string;
  ms: number;
}

export interface CriticalPath {
  /** From CreateLoadBalancer and CreateService (one instant) to the deployment COMPLETED, every target healthy. */
  totalMs: number;
  /** The longest chain, in order; the steps sum to `totalMs`. */
  steps: ChainStep[];
  /** The branch that is not on the critical path, and how much sooner it is done (it waits for the other). */
  parallel: { name: string; doneAtMs: number; slackMs: number } | undefined;
}

/**
 * The critical path of `spec` converging from nothing under `timings`. Throws when the first tasks
 * would be stopped for failing health checks past their grace period: convergence then depends on
 * replacements (and may never happen), so there is no single chain to compare against.
 */
export function criticalPath(timings: ChainTimings, spec: ServiceSpec, tickMs = TICK_MS): CriticalPath {
  const check = spec.spec.loadBalancer.healthCheck;
  const intervalMs = check.intervalSeconds * 1000;
  if (spec.spec.service.desiredCount === 0) {
    // Nothing to start: the scheduler settles the deployment on its first tick.
    return { totalMs: tickMs, steps: [{ name: "scheduler's first tick", ms: tickMs }], parallel: undefined };
  }

  const lbActiveAt = timings.loadBalancerProvisioningMs;
  const launchedAt = tickMs;
  const registeredAt = launchedAt + timings.ecsTaskProvisioningMs + timings.ecsImagePullMs;
  const runningAt = registeredAt + timings.ecsTaskActivatingMs;
  const answersAt = registeredAt + timings.ecsContainerBootMs;
  // Registered during ECS's part of a tick: the load balancer checks it from the next tick.
  const firstCheckAt = Math.max(lbActiveAt, registeredAt + tickMs);
  const failingChecks = Math.ceil(Math.max(0, answersAt - firstCheckAt) / intervalMs);
  const healthyAt = firstCheckAt + (failingChecks + check.healthyThreshold - 1) * intervalMs;
  const completedAt = Math.max(healthyAt, runningAt);

  // Unhealthy from the unhealthyThreshold-th failure until healthy: ECS stops the task if that
  // stretch reaches past RUNNING + grace period.
  if (failingChecks >= check.unhealthyThreshold) {
    const unhealthyFrom = firstCheckAt + (check.unhealthyThreshold - 1) * intervalMs;
    const graceEndsAt = runningAt + spec.spec.service.healthCheckGracePeriodSeconds * 1000;
    if (Math.max(unhealthyFrom, graceEndsAt) < healthyAt)
      throw new Error(
        `the first tasks fail ${failingChecks} health checks before their app answers, past the ${spec.spec.service.healthCheckGracePeriodSeconds} s grace period: ECS replaces them, so convergence has no single chain`,
      );
  }

  const tasksBound = registeredAt + tickMs >= lbActiveAt;
  const steps: ChainStep[] = tasksBound
    ? [
        { name: "scheduler launches the tasks on its next tick", ms: launchedAt },
        { name: "task PROVISIONING", ms: timings.ecsTaskProvisioningMs },
        { name: "image pull (PENDING) until the target registers", ms: timings.ecsImagePullMs },
        { name: "first health check on the next tick", ms: firstCheckAt - registeredAt },
      ]
    : [{ name: "load balancer provisioning", ms: lbActiveAt }];
  if (failingChecks > 0)
    steps.push({
      name: `${failingChecks} failing health check(s) until the app answers (boot ${timings.ecsContainerBootMs / 1000} s)`,
      ms: failingChecks * intervalMs,
    });
  steps.push({
    name: `healthy threshold: ${check.healthyThreshold} passes ${check.intervalSeconds} s apart`,
    ms: (check.healthyThreshold - 1) * intervalMs,
  });
  if (runningAt > healthyAt)
    steps.push({ name: "task still ACTIVATING after its target is healthy", ms: runningAt - healthyAt });

  const otherDoneAt = tasksBound ? lbActiveAt : registeredAt + tickMs;
  return {
    totalMs: completedAt,
    steps,
    parallel: {
      name: tasksBound
        ? "load balancer provisioning"
        : "tasks launched, provisioned, image pulled and registered",
      doneAtMs: otherDoneAt,
      slackMs: firstCheckAt - otherDoneAt,
    },
  };
}
