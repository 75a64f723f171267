/** Ec2's lifecycle: what happens to its resources as simulated time passes. Called once per tick per region. */
import type { RegionState, World } from "../../world.ts";

export function tickEc2(_region: RegionState, _now: number, _world: World): void {}
