/**
 * Application Auto Scaling's lifecycle: once per metric period, every target tracking policy reads its
 * ECS service's metric and may scale the service (see target-tracking.ts); old activities expire.
 */
import type { RegionState, World } from "../../world.ts";
import { pruneActivities, scaleTo } from "./activities.ts";
import { ecs } from "./ecs-bridge.ts";
import { CPU_METRIC } from "./scaling-policies.ts";
import type { ScalableTarget } from "./state.ts";
import {
  type AlarmWindows,
  decideScaling,
  noteScaling,
  recordDatapoints,
  scalingCause,
} from "./target-tracking.ts";

export function tickAutoscaling(region: RegionState, now: number, world: World): void {
  const timings = world.timings;
  pruneActivities(region, now, timings.scalingActivityRetentionMs);
  const period = timings.targetTrackingMetricPeriodMs;
  const windows: AlarmWindows = {
    scaleOut: Math.max(1, Math.round(timings.targetTrackingScaleOutAlarmMs / period)),
    scaleIn: Math.max(1, Math.round(timings.targetTrackingScaleInAlarmMs / period)),
  };
  for (const target of region.autoscaling.targets.values()) {
    if (now - target.lastSampleAt < period) continue;
    // Datapoints stay on the period grid that started when the target was registered.
    target.lastSampleAt += period * Math.floor((now - target.lastSampleAt) / period);
    if (target.policies.size > 0) evaluate(region, target, now, world, windows);
  }
}

function evaluate(
  region: RegionState,
  target: ScalableTarget,
  now: number,
  world: World,
  windows: AlarmWindows,
) {
  const service = ecs().findServiceByResourceId(region, target.resourceId);
  const cpu = service ? ecs().averageCpuUtilization(region, target.resourceId) : undefined;
  // Only CPU is simulated; a memory policy sees no data, so its alarms never leave INSUFFICIENT_DATA.
  recordDatapoints(
    target,
    (policy) => (policy.configuration.predefinedMetricType === CPU_METRIC ? cpu : undefined),
    Math.max(windows.scaleOut, windows.scaleIn),
  );
  if (!service) return;
  const decision = decideScaling(target, service, now, windows);
  if (!decision) return;
  scaleTo(region, target, decision.desiredCount, scalingCause(decision), now, world.random);
  noteScaling(target, decision, now);
}
