/**
 * What other services ask of ELBv2 inside the emulator (not API operations): the ECS scheduler
 * registers and deregisters task IPs and reads their health. A contract between service folders;
 * change it only together with its callers (ecs/).
 */
import type { RegionState } from "../../world.ts";
import { loadBalancerArnsOf } from "./associations.ts";
import { targetGroupNotFound } from "./errors.ts";
import { type TargetChanges, takeTargetChanges as takeChanges } from "./target-changes.ts";
import { addTarget, drainTarget, healthOf, targetKey } from "./targets.ts";

export type TargetState = "initial" | "healthy" | "unhealthy" | "draining" | "unused" | "unavailable";

export interface TargetGroupFacts {
  arn: string;
  name: string;
  port: number;
  vpcId: string;
  targetType: "instance" | "ip" | "lambda" | "alb";
  /** Load balancers whose listeners (or rules) forward to the group. ECS refuses a group without one. */
  loadBalancerArns: string[];
  deregistrationDelaySeconds: number;
  healthCheck: {
    path: string;
    port: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    matcher: string;
  };
}

export function findTargetGroup(region: RegionState, targetGroupArn: string): TargetGroupFacts | undefined {
  const group = region.elbv2.targetGroups.get(targetGroupArn);
  if (!group) return undefined;
  const { healthCheck } = group;
  return {
    arn: group.arn,
    name: group.name,
    port: group.port,
    vpcId: group.vpcId,
    targetType: group.targetType,
    loadBalancerArns: loadBalancerArnsOf(region.elbv2, group.arn),
    deregistrationDelaySeconds: Number(group.attributes.get("deregistration_delay.timeout_seconds")),
    healthCheck: {
      path: healthCheck.path,
      port: healthCheck.port,
      intervalSeconds: healthCheck.intervalSeconds,
      timeoutSeconds: healthCheck.timeoutSeconds,
      healthyThreshold: healthCheck.healthyThreshold,
      unhealthyThreshold: healthCheck.unhealthyThreshold,
      matcher:
        "HttpCode" in healthCheck.matcher ? healthCheck.matcher.HttpCode : healthCheck.matcher.GrpcCode,
    },
  };
}

/**
 * The IPs of targets whose state changed (registered, healthy, unhealthy, draining, gone) since the
 * last call, or `all` when any may have: ECS wakes only the tasks concerned.
 */
export function takeTargetChanges(region: RegionState): TargetChanges {
  return takeChanges(region.elbv2);
}

/** Adds a target in state `initial` (idempotent). Throws AwsError for an unknown target group. */
export function registerTarget(
  region: RegionState,
  targetGroupArn: string,
  ip: string,
  port: number,
  _now: number,
): void {
  const group = region.elbv2.targetGroups.get(targetGroupArn);
  if (!group) throw targetGroupNotFound();
  addTarget(region.elbv2, group, ip, port);
}

/** Starts draining a target; it disappears after the group's deregistration delay. Unknown targets are ignored. */
export function deregisterTarget(
  region: RegionState,
  targetGroupArn: string,
  ip: string,
  port: number,
  now: number,
): void {
  const group = region.elbv2.targetGroups.get(targetGroupArn);
  if (group) drainTarget(region.elbv2, group, ip, port, now);
}

/** The target's state, or undefined when it is not registered (any more). */
export function targetStateOf(
  region: RegionState,
  targetGroupArn: string,
  ip: string,
  port: number,
): TargetState | undefined {
  const group = region.elbv2.targetGroups.get(targetGroupArn);
  const target = group?.targets.get(targetKey(ip, port));
  return group && target ? healthOf(region.elbv2, group, target).State : undefined;
}
