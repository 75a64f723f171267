/** Autoscaling's routes in the emulator's control API (under /_emulator/). */
import type { ControlRoute } from "../../control.ts";
import type { World } from "../../world.ts";

export function autoscalingControlRoutes(_world: World): ControlRoute[] {
  return [];
}
