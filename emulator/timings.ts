/**
 * How long things take in simulated time, one section per service (in its own `timings.ts`).
 * Defaults follow AWS's real orders of magnitude; demos speed the clock up rather than shortening
 * these, so the sequence of states stays realistic. Every field can be overridden per emulator.
 */
import { type AutoscalingTimings, DEFAULT_AUTOSCALING_TIMINGS } from "./services/autoscaling/timings.ts";
import { DEFAULT_DYNAMODB_TIMINGS, type DynamodbTimings } from "./services/dynamodb/timings.ts";
import { DEFAULT_EC2_TIMINGS, type Ec2Timings } from "./services/ec2/timings.ts";
import { DEFAULT_ECS_TIMINGS, type EcsTimings } from "./services/ecs/timings.ts";
import { DEFAULT_ELBV2_TIMINGS, type Elbv2Timings } from "./services/elbv2/timings.ts";

export type Timings = Ec2Timings & Elbv2Timings & EcsTimings & AutoscalingTimings & DynamodbTimings;

export const DEFAULT_TIMINGS: Timings = {
  ...DEFAULT_EC2_TIMINGS,
  ...DEFAULT_ELBV2_TIMINGS,
  ...DEFAULT_ECS_TIMINGS,
  ...DEFAULT_AUTOSCALING_TIMINGS,
  ...DEFAULT_DYNAMODB_TIMINGS,
};
