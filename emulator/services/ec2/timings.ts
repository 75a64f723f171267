/** How long Ec2's lifecycles take, in simulated milliseconds. */

// biome-ignore lint/complexity/noBannedTypes: no lifecycle durations yet
export type Ec2Timings = {};

export const DEFAULT_EC2_TIMINGS: Ec2Timings = {};
