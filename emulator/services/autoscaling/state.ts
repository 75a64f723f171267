/** Application Auto Scaling state of one region: scalable targets (each with its policies) and scaling activities. */
import type { Random } from "../../random.ts";

export interface SuspendedState {
  DynamicScalingInSuspended: boolean;
  DynamicScalingOutSuspended: boolean;
  ScheduledScalingSuspended: boolean;
}

export interface Alarm {
  AlarmName: string;
  AlarmARN: string;
}

/** A target tracking configuration as given; unset cooldowns stay unset (the defaults apply to behaviour). */
export interface TargetTrackingConfiguration {
  targetValue: number;
  predefinedMetricType: string;
  resourceLabel: string | undefined;
  scaleOutCooldown: number | undefined;
  scaleInCooldown: number | undefined;
  disableScaleIn: boolean | undefined;
}

export interface ScalingPolicy {
  arn: string;
  name: string;
  policyType: "TargetTrackingScaling";
  configuration: TargetTrackingConfiguration;
  /** The two CloudWatch alarms target tracking manages: [AlarmHigh, AlarmLow]. */
  alarms: [Alarm, Alarm];
  createdAt: number;
  /** The policy's recent metric datapoints, oldest first; undefined where the metric had no data. */
  datapoints: (number | undefined)[];
}

export interface ScalableTarget {
  arn: string;
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  createdAt: number;
  suspendedState: SuspendedState;
  tags: Record<string, string>;
  policies: Map<string, ScalingPolicy>;
  /** When the policies' metrics last yielded a datapoint; datapoints follow every metric period from creation. */
  lastSampleAt: number;
  /** The last scale-out: its cooldown, and the capacity the metric still reflects while it lasts. */
  lastScaleOut: { at: number; cooldownMs: number; fromCapacity: number } | undefined;
  /** The last scale-in, until a scale-out cuts its cooldown short. */
  lastScaleIn: { at: number; cooldownMs: number } | undefined;
}

export interface ScalingActivity {
  ActivityId: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime: number;
  StatusCode: "Successful";
  StatusMessage: string;
}

export interface AutoscalingState {
  /** By `targetKey(namespace, resourceId, dimension)`. */
  targets: Map<string, ScalableTarget>;
  /** Newest first. */
  activities: ScalingActivity[];
}

export function createAutoscalingState(_region: string, _random: Random): AutoscalingState {
  return { targets: new Map(), activities: [] };
}

/** A scalable target is identified by its namespace, resource id and dimension together. */
export function targetKey(serviceNamespace: string, resourceId: string, scalableDimension: string): string {
  return `${serviceNamespace}|${resourceId}|${scalableDimension}`;
}
