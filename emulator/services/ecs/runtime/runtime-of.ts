/** Which runtime runs a region's tasks: the simulated one unless another was installed. */
import type { RegionState } from "../../../world.ts";
import type { EcsTimings } from "../timings.ts";
import { ImageRoutedRuntime } from "./image-routed-runtime.ts";
import type { ProcessRuntime } from "./process-runtime.ts";
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

/** The region's simulated runtime (alone or beside real processes), for the controls that act on it. */
export function simulatedRuntimeOf(region: RegionState, timings: EcsTimings): SimulatedRuntime | undefined {
  const runtime = runtimeOf(region, timings);
  if (runtime instanceof SimulatedRuntime) return runtime;
  if (runtime instanceof ImageRoutedRuntime) return runtime.simulated;
  return undefined;
}

/** The runtime of real processes serving the region, if one is installed. */
export function processRuntimeOf(region: RegionState): ProcessRuntime | undefined {
  const runtime = region.ecs.runtime;
  return runtime instanceof ImageRoutedRuntime ? runtime.processes : undefined;
}
