/** Scaling activities: the record of every desired-count change Application Auto Scaling made, newest first. */
import type { Random } from "../../random.ts";
import type { RegionState } from "../../world.ts";
import type { Operation } from "../service-definition.ts";
import { ecs } from "./ecs-bridge.ts";
import { paginate, read, readFilter, readMaxResults, readNamespace, uuid } from "./input.ts";
import type { ScalableTarget, ScalingActivity } from "./state.ts";

/** Sets the target's ECS service to `desiredCount` and records the activity, as AWS does for every change. */
export function scaleTo(
  region: RegionState,
  target: ScalableTarget,
  desiredCount: number,
  cause: string,
  now: number,
  random: Random,
): void {
  ecs().setDesiredCount(region, target.resourceId, desiredCount, now);
  region.autoscaling.activities.unshift({
    ActivityId: uuid(random),
    ServiceNamespace: target.serviceNamespace,
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    Description: `Setting desired count to ${desiredCount}.`,
    Cause: cause,
    StartTime: now,
    EndTime: now,
    StatusCode: "Successful",
    StatusMessage: `Successfully set desired count to ${desiredCount}. Change successfully fulfilled by ecs.`,
  });
}

/** Forgets activities older than the retention (AWS keeps six weeks). */
export function pruneActivities(region: RegionState, now: number, retentionMs: number): void {
  const activities = region.autoscaling.activities;
  while (activities.length > 0 && (activities.at(-1)?.StartTime ?? now) < now - retentionMs) activities.pop();
}

/** An activity as the API returns it (times as Dates, so they go out as epoch seconds). */
export function describeActivity(activity: ScalingActivity) {
  return { ...activity, StartTime: new Date(activity.StartTime), EndTime: new Date(activity.EndTime) };
}

export const activityOperations: Record<string, Operation> = {
  DescribeScalingActivities(input, context) {
    const args = read(input);
    const namespace = readNamespace(args);
    const { resourceId, scalableDimension } = readFilter(args);
    const maxResults = readMaxResults(args, 50);
    // Only successful changes are recorded, so there are no "not scaled" activities to include.
    args.optionalBool("IncludeNotScaledActivities");
    const matching = context.region.autoscaling.activities.filter(
      (activity) =>
        activity.ServiceNamespace === namespace &&
        (resourceId === undefined || activity.ResourceId === resourceId) &&
        (scalableDimension === undefined || activity.ScalableDimension === scalableDimension),
    );
    const { page, NextToken } = paginate(matching, args.optionalString("NextToken"), maxResults);
    return { ScalingActivities: page.map(describeActivity), NextToken };
  },
};
