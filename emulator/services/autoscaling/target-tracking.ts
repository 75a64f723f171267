/**
 * Target tracking as Application Auto Scaling runs it for an ECS service, minus CloudWatch: every metric
 * period each policy gets a datapoint of the service's metric; AlarmHigh is in ALARM when the last
 * datapoints of the scale-out window are all above the target, AlarmLow when those of the (longer)
 * scale-in window are all below 90 % of it. While an alarm is in ALARM it triggers its policy every
 * period, and cooldowns decide whether the policy may act.
 */
import type { EcsServiceFacts } from "../ecs/internal.ts";
import type { Alarm, ScalableTarget, ScalingPolicy } from "./state.ts";

/** AlarmLow's threshold as a fraction of the target: target tracking scales in only when well below it. */
export const SCALE_IN_THRESHOLD = 0.9;
/** AWS's default scale-out and scale-in cooldown for ECS services when a policy sets none. */
export const DEFAULT_ECS_COOLDOWN_SECONDS = 300;

/** How many consecutive datapoints each alarm needs. */
export interface AlarmWindows {
  scaleOut: number;
  scaleIn: number;
}

export interface ScalingDecision {
  direction: "out" | "in";
  desiredCount: number;
  policy: ScalingPolicy;
  alarm: Alarm;
  /** The capacity the metric reflects during the scale-out cooldown this decision starts. */
  fromCapacity: number;
}

/** Appends one datapoint per policy (undefined: no data, as with no running task), keeping the last `keep`. */
export function recordDatapoints(
  target: ScalableTarget,
  metricOf: (policy: ScalingPolicy) => number | undefined,
  keep: number,
): void {
  for (const policy of target.policies.values()) {
    policy.datapoints.push(metricOf(policy));
    if (policy.datapoints.length > keep) policy.datapoints.splice(0, policy.datapoints.length - keep);
  }
}

/** Whether the last `count` datapoints all exist and all breach; missing data keeps an alarm out of ALARM. */
function inAlarm(datapoints: (number | undefined)[], count: number, breaches: (value: number) => boolean) {
  const recent = datapoints.slice(-count);
  return recent.length === count && recent.every((value) => value !== undefined && breaches(value));
}

const cooling = (last: { at: number; cooldownMs: number } | undefined, now: number) =>
  last !== undefined && now < last.at + last.cooldownMs;

/** The cooldown a policy's scaling starts, in milliseconds. */
export function cooldownMs(policy: ScalingPolicy, direction: "out" | "in"): number {
  const { scaleOutCooldown, scaleInCooldown } = policy.configuration;
  return 1000 * ((direction === "out" ? scaleOutCooldown : scaleInCooldown) ?? DEFAULT_ECS_COOLDOWN_SECONDS);
}

/**
 * What the target's policies want now, if anything. Scale out proportionally (at least one more task) on
 * the policy asking most; scale in only when every policy that may scale in agrees, by the smallest cut.
 * Within a scale-out cooldown the capacity already added counts: a further scale-out happens only when
 * it is larger than the last. A scale-in waits out its cooldown; a scale-out never waits for it.
 */
export function decideScaling(
  target: ScalableTarget,
  service: EcsServiceFacts,
  now: number,
  windows: AlarmWindows,
): ScalingDecision | undefined {
  const current = service.desiredCount;
  const clamp = (count: number) => Math.min(target.maxCapacity, Math.max(target.minCapacity, count));
  const outCooling = cooling(target.lastScaleOut, now);
  const fromCapacity = outCooling ? (target.lastScaleOut?.fromCapacity ?? current) : current;
  const outs: ScalingDecision[] = [];
  const ins: ScalingDecision[] = [];
  let scaleInVetoed = false;
  for (const policy of target.policies.values()) {
    const { targetValue, disableScaleIn } = policy.configuration;
    const latest = policy.datapoints.at(-1) ?? 0;
    const [alarmHigh, alarmLow] = policy.alarms;
    if (inAlarm(policy.datapoints, windows.scaleOut, (value) => value > targetValue)) {
      const wanted = Math.max(fromCapacity + 1, Math.ceil((fromCapacity * latest) / targetValue));
      outs.push({ direction: "out", desiredCount: clamp(wanted), policy, alarm: alarmHigh, fromCapacity });
      continue;
    }
    // A policy with scale-in disabled has no say in scaling in.
    if (disableScaleIn) continue;
    if (inAlarm(policy.datapoints, windows.scaleIn, (value) => value < SCALE_IN_THRESHOLD * targetValue)) {
      const wanted = Math.ceil((current * latest) / targetValue);
      ins.push({
        direction: "in",
        desiredCount: clamp(wanted),
        policy,
        alarm: alarmLow,
        fromCapacity: current,
      });
    } else {
      scaleInVetoed = true;
    }
  }
  const largest = (decisions: ScalingDecision[]) =>
    decisions.reduce((best, decision) => (decision.desiredCount > best.desiredCount ? decision : best));
  if (outs.length > 0) {
    const decision = largest(outs);
    const allowed = !target.suspendedState.DynamicScalingOutSuspended;
    return allowed && decision.desiredCount > current ? decision : undefined;
  }
  if (ins.length === 0 || scaleInVetoed) return undefined;
  if (target.suspendedState.DynamicScalingInSuspended || cooling(target.lastScaleIn, now)) return undefined;
  const decision = largest(ins);
  return decision.desiredCount < current ? decision : undefined;
}

/** Starts the cooldown a scaling begins; a scale-out ends any scale-in cooldown, as on AWS. */
export function noteScaling(target: ScalableTarget, decision: ScalingDecision, now: number): void {
  const cooldown = cooldownMs(decision.policy, decision.direction);
  if (decision.direction === "out") {
    target.lastScaleOut = { at: now, cooldownMs: cooldown, fromCapacity: decision.fromCapacity };
    target.lastScaleIn = undefined;
  } else {
    target.lastScaleIn = { at: now, cooldownMs: cooldown };
  }
}

/** The activity's cause, worded as AWS words it. */
export function scalingCause(decision: ScalingDecision): string {
  return `monitor alarm ${decision.alarm.AlarmName} in state ALARM triggered policy ${decision.policy.name}`;
}
