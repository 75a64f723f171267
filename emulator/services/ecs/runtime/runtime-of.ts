/** Which runtime runs a region's tasks: the simulated one unless another was installed. */
import type { RegionState } from "../../../world.ts";
import type { EcsTimings } from "../timings.ts";
import { SimulatedRuntime } from "./simulated-runtime.ts";
import type { TaskRuntime } from "./task-runtime.ts";

/** The region's task runtime, creating the simulated one on first use. */
export function runtimeOf(region: RegionState, timings: EcsTimings): TaskRuntime {
  region.ecs.runtime ??= new SimulatedRuntime(timings);
  return region.ecs.runtime;
}

/** Runs the region's future tasks with `runtime` (e.g. one that starts real processes). */
export function useTaskRuntime(region: RegionState, runtime: TaskRuntime): void {
  region.ecs.runtime = runtime;
}
