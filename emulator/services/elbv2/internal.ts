/**
 * What other services ask of ELBv2 inside the emulator (not API operations): the ECS scheduler
 * registers and deregisters task IPs and reads their health. A contract between service folders;
 * change it only together with its callers (ecs/).
 */
import type { RegionState } from "../../world.ts";

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

export function findTargetGroup(_region: RegionState, _targetGroupArn: string): TargetGroupFacts | undefined {
  throw new Error("findTargetGroup: to be implemented in elbv2/");
}

/** Adds a target in state `initial` (idempotent). Throws AwsError for an unknown target group. */
export function registerTarget(
  _region: RegionState,
  _targetGroupArn: string,
  _ip: string,
  _port: number,
  _now: number,
): void {
  throw new Error("registerTarget: to be implemented in elbv2/");
}

/** Starts draining a target; it disappears after the group's deregistration delay. Unknown targets are ignored. */
export function deregisterTarget(
  _region: RegionState,
  _targetGroupArn: string,
  _ip: string,
  _port: number,
  _now: number,
): void {
  throw new Error("deregisterTarget: to be implemented in elbv2/");
}

/** The target's state, or undefined when it is not registered (any more). */
export function targetStateOf(
  _region: RegionState,
  _targetGroupArn: string,
  _ip: string,
  _port: number,
): TargetState | undefined {
  throw new Error("targetStateOf: to be implemented in elbv2/");
}
