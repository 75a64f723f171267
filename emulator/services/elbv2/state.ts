/** Elbv2 state of one region. (Filled in as the service's operations are implemented.) */
import type { Random } from "../../random.ts";

// biome-ignore lint/complexity/noBannedTypes: placeholder until the service's resources are modelled
export type Elbv2State = {};

export function createElbv2State(_region: string, _random: Random): Elbv2State {
  return {};
}
