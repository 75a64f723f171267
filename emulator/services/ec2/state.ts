/** Ec2 state of one region. (Filled in as the service's operations are implemented.) */
import type { Random } from "../../random.ts";

// biome-ignore lint/complexity/noBannedTypes: placeholder until the service's resources are modelled
export type Ec2State = {};

export function createEc2State(_region: string, _random: Random): Ec2State {
  return {};
}
