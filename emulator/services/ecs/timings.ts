/** How long Ecs's lifecycles take, in simulated milliseconds. */

// biome-ignore lint/complexity/noBannedTypes: no lifecycle durations yet
export type EcsTimings = {};

export const DEFAULT_ECS_TIMINGS: EcsTimings = {};
