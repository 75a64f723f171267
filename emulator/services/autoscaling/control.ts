/** Autoscaling's routes in the emulator's control API (under /_emulator/): a read-only view of scaling activities. */
import type { ControlRoute } from "../../control.ts";
import type { World } from "../../world.ts";
import { describeActivity } from "./activities.ts";

/** Every region's scaling activities, newest first, optionally of one region and one resource id. */
export function scalingActivities(world: World, filter: { region?: string; resourceId?: string } = {}) {
  return [...world.regions.values()]
    .filter((region) => filter.region === undefined || region.name === filter.region)
    .flatMap((region) =>
      region.autoscaling.activities
        .filter((activity) => filter.resourceId === undefined || activity.ResourceId === filter.resourceId)
        .map((activity) => ({ region: region.name, ...describeActivity(activity) })),
    )
    .sort((a, b) => b.StartTime.getTime() - a.StartTime.getTime());
}

export function autoscalingControlRoutes(world: World): ControlRoute[] {
  return [
    {
      method: "GET",
      path: /^\/autoscaling\/activities$/,
      handle: (request) => ({
        activities: scalingActivities(world, {
          region: request.query.get("region") ?? undefined,
          resourceId: request.query.get("resourceId") ?? undefined,
        }),
      }),
    },
  ];
}
