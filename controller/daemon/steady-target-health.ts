/**
 * When a steady service's target health need not be read again. DescribeTargetHealth takes one target
 * group a call and does not batch: at a thousand services, reading it every resync would take most of
 * ELB's rate limit. A target that fails its health checks gets its task replaced by ECS, which shows
 * in the service's counts, deployments and events (read every resync, in batches of ten), so while
 * none of those moved since a read that found every target healthy, that read still stands, for up to
 * the slow tier and then for as long as the fleet's slow reads are at their pace (slow-read-pace.ts).
 */
import type { SlowReadPace } from "../inventory/slow-read-pace.ts";
import { isServiceStable, newestEventOf, type ObservedService } from "../resources/service/service.ts";

/** One read of a target group's health, and what the service looked like when it was made. */
export interface TargetHealthRead {
  arn: string;
  /** Targets by state. */
  counts: Record<string, number>;
  atMs: number;
  /** The newest service event ECS had written when it was read. */
  newestEvent: string | undefined;
}

export function targetHealthRead(
  arn: string,
  counts: Record<string, number>,
  observed: ObservedService | undefined,
  atMs: number,
): TargetHealthRead {
  return { arn, counts, atMs, newestEvent: newestEventOf(observed) };
}

/**
 * `last`'s counts, when they may stand in for a read of `targetGroupArn` now: every target was healthy,
 * one per task the service wants, and the service is still steady with no event since. `pace` (a
 * resync's) may defer a read that is due; without one, it is made as soon as it is due.
 */
export function steadyTargetHealth(
  last: TargetHealthRead | undefined,
  observed: ObservedService | undefined,
  targetGroupArn: string | undefined,
  when: { nowMs: number; slowResyncMs: number; pace?: SlowReadPace | undefined },
): Record<string, number> | undefined {
  const unchanged =
    last !== undefined &&
    last.arn === targetGroupArn &&
    last.newestEvent === newestEventOf(observed) &&
    isServiceStable(observed) &&
    Object.keys(last.counts).length === 1 &&
    last.counts.healthy === observed?.desiredCount;
  if (!unchanged) return undefined;
  const due = when.nowMs - last.atMs >= when.slowResyncMs;
  if (due && when.pace?.mayRefresh("elbv2", "DescribeTargetHealth") !== false) return undefined;
  return last.counts;
}
