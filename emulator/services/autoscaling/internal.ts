/**
 * What other services ask of Application Auto Scaling inside the emulator: deleting an ECS service
 * removes its scalable target and policies. A contract between service folders (caller: ecs/).
 */
import type { RegionState } from "../../world.ts";
import { ECS_NAMESPACE } from "./input.ts";

/** Removes the scalable target and scaling policies of `service/<cluster>/<service>`, if any. */
export function removeScalingFor(region: RegionState, resourceId: string): void {
  const targets = region.autoscaling.targets;
  for (const [key, target] of targets) {
    // Policies live inside their target, so they go with it; past activities stay, as on AWS.
    if (target.serviceNamespace === ECS_NAMESPACE && target.resourceId === resourceId) targets.delete(key);
  }
}
