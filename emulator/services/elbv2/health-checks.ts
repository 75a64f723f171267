/**
 * The load balancer's health checks, run every tick for the groups that have one due: each target of
 * a group in use by an active load balancer is probed at the group's interval; thresholds of consecutive results move it between
 * `initial`, `healthy` and `unhealthy`. Draining targets disappear when their delay is over.
 */
import type { RegionState, World } from "../../world.ts";
import { probeTarget } from "../ecs/internal.ts";
import { isServing } from "./associations.ts";
import { nextTargetGroupDueAt, takeDueTargetGroups, wakeTargetGroup } from "./health-check-schedule.ts";
import type { Target, TargetGroup, UnhealthyReason } from "./state.ts";
import { noteTargetChanged } from "./target-changes.ts";
import { healthCheckPortOf } from "./targets.ts";

/** A probe's answer: `true` when healthy, else false or why it failed (AWS's reason code). */
export type ProbeResult = boolean | { reason: UnhealthyReason; description: string };

/** How one health check reaches a target: the ECS task runtime answers for the containers it runs. */
export type TargetProber = (
  world: World,
  region: RegionState,
  ip: string,
  port: number,
  path: string,
  check: { timeoutMs: number; httpCodes: string },
) => ProbeResult;

let prober: TargetProber = probeTarget;

/**
 * The seam between health checks and whatever answers them: ECS's `probeTarget` by default. Tests
 * (and a future runtime) may install another prober; `undefined` restores ECS's.
 */
export function useTargetProber(replacement: TargetProber | undefined): void {
  prober = replacement ?? probeTarget;
}

/** Advances the region's target groups that have a check or a drain due by `now` (see health-check-schedule.ts). */
export function runHealthChecks(region: RegionState, now: number, world: World): void {
  for (const group of takeDueTargetGroups(region.elbv2, now)) {
    for (const [key, target] of group.targets) {
      if (target.drainingUntil !== undefined && now >= target.drainingUntil) {
        group.targets.delete(key);
        noteTargetChanged(region.elbv2, target.id);
      }
    }
    const serving = isServing(region.elbv2, group.arn);
    for (const target of group.targets.values()) {
      if (target.drainingUntil !== undefined) continue;
      const health = target.health;
      // Out of service, a target starts over: when traffic comes back, AWS checks it from scratch.
      if (!serving) restart(target);
      else if (now >= (target.nextCheckAt ?? now)) check(world, region, group, target, now);
      if (target.health !== health) noteTargetChanged(region.elbv2, target.id);
    }
    wakeTargetGroup(region.elbv2, group, nextTargetGroupDueAt(group, serving, now));
  }
}

function restart(target: Target): void {
  Object.assign(target, { health: "initial", passes: 0, failures: 0, nextCheckAt: undefined });
}

function check(world: World, region: RegionState, group: TargetGroup, target: Target, now: number): void {
  const { healthCheck } = group;
  target.nextCheckAt = now + healthCheck.intervalSeconds * 1000;
  const result = prober(world, region, target.id, healthCheckPortOf(group, target), healthCheck.path, {
    timeoutMs: healthCheck.timeoutSeconds * 1000,
    httpCodes: "HttpCode" in healthCheck.matcher ? healthCheck.matcher.HttpCode : "200",
  });
  if (result === true) {
    target.passes += 1;
    target.failures = 0;
    if (target.health !== "healthy" && target.passes >= healthCheck.healthyThreshold)
      target.health = "healthy";
    return;
  }
  target.failures += 1;
  target.passes = 0;
  const failure =
    result === false
      ? { reason: "Target.FailedHealthChecks" as const, description: "Health checks failed" }
      : result;
  target.unhealthyReason = failure.reason;
  target.unhealthyDescription = failure.description;
  if (target.failures >= healthCheck.unhealthyThreshold) target.health = "unhealthy";
}
