/**
 * What other services ask of Application Auto Scaling inside the emulator: deleting an ECS service
 * removes its scalable target and policies. A contract between service folders (caller: ecs/).
 */
import type { RegionState } from "../../world.ts";

/** Removes the scalable target and scaling policies of `service/<cluster>/<service>`, if any. */
export function removeScalingFor(_region: RegionState, _resourceId: string): void {
  throw new Error("removeScalingFor: to be implemented in autoscaling/");
}
