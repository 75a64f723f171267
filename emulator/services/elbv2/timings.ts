/** How long Elbv2's lifecycles take, in simulated milliseconds. */

// biome-ignore lint/complexity/noBannedTypes: no lifecycle durations yet
export type Elbv2Timings = {};

export const DEFAULT_ELBV2_TIMINGS: Elbv2Timings = {};
