/**
 * EC2's lifecycle: nothing moves on its own. ENIs appear and disappear when ELBv2 and ECS allocate
 * and release them (those services own the timing, e.g. a stopped task's ENI lingering), and groups,
 * rules and tags change only through the API.
 */
import type { RegionState, World } from "../../world.ts";

export function tickEc2(_region: RegionState, _now: number, _world: World): void {}
