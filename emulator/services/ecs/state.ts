/** Ecs state of one region. (Filled in as the service's operations are implemented.) */
import type { Random } from "../../random.ts";

// biome-ignore lint/complexity/noBannedTypes: placeholder until the service's resources are modelled
export type EcsState = {};

export function createEcsState(_region: string, _random: Random): EcsState {
  return {};
}
