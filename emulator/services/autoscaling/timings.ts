/**
 * How Application Auto Scaling's target tracking sees time, in simulated milliseconds. AWS evaluates a
 * target tracking policy through two CloudWatch alarms on one-minute datapoints: AlarmHigh needs 3 of 3
 * datapoints above the target, AlarmLow 15 of 15 below 90 % of it, so a single spike never scales.
 */

export interface AutoscalingTimings {
  /** How often a policy's metric yields a datapoint (CloudWatch's one-minute period). */
  targetTrackingMetricPeriodMs: number;
  /** How long the metric must stay above the target before scaling out (AlarmHigh: 3 datapoints). */
  targetTrackingScaleOutAlarmMs: number;
  /** How long the metric must stay below 90 % of the target before scaling in (AlarmLow: 15 datapoints). */
  targetTrackingScaleInAlarmMs: number;
  /** How long DescribeScalingActivities remembers an activity (AWS: six weeks). */
  scalingActivityRetentionMs: number;
}

export const DEFAULT_AUTOSCALING_TIMINGS: AutoscalingTimings = {
  targetTrackingMetricPeriodMs: 60_000,
  targetTrackingScaleOutAlarmMs: 3 * 60_000,
  targetTrackingScaleInAlarmMs: 15 * 60_000,
  scalingActivityRetentionMs: 42 * 24 * 3_600_000,
};
