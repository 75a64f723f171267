/** What the scheduler and the task lifecycle work with on one tick of one region. */
import type { Random } from "../../random.ts";
import type { RegionState, World } from "../../world.ts";
import { runtimeOf } from "./runtime/runtime-of.ts";
import type { TaskRuntime } from "./runtime/task-runtime.ts";
import type { EcsTimings } from "./timings.ts";

export interface EcsContext {
  world: World;
  region: RegionState;
  now: number;
  random: Random;
  timings: EcsTimings;
  runtime: TaskRuntime;
}

/** The context for `region` at `now`. */
export function ecsContext(world: World, region: RegionState, now: number): EcsContext {
  return {
    world,
    region,
    now,
    random: world.random,
    timings: world.timings,
    runtime: runtimeOf(region, world.timings),
  };
}
