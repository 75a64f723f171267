/** How long Autoscaling's lifecycles take, in simulated milliseconds. */

// biome-ignore lint/complexity/noBannedTypes: no lifecycle durations yet
export type AutoscalingTimings = {};

export const DEFAULT_AUTOSCALING_TIMINGS: AutoscalingTimings = {};
