/**
 * A task as a load balancer target, through ELBv2's internal contract: registered with its IP and
 * container port while ACTIVATING, drained on the way out, and healthy for the scheduler only when
 * every target group it serves says so.
 */
import type { RegionState } from "../../world.ts";
import { deregisterTarget, registerTarget, targetStateOf } from "../elbv2/internal.ts";
import type { Task } from "./state.ts";

export type TargetHealth =
  | { state: "healthy" }
  /** Registered but not (yet) healthy: initial, or the group is not in use. */
  | { state: "pending" }
  | { state: "unhealthy"; targetGroupArn: string; port: number };

/** Registers the task in its deployment's target groups; returns the groups that refused it. */
export function registerTask(
  region: RegionState,
  task: Task,
  now: number,
): { targetGroupArn: string; error: string }[] {
  const refused: { targetGroupArn: string; error: string }[] = [];
  for (const binding of task.loadBalancers) {
    try {
      registerTarget(region, binding.targetGroupArn, task.eni.privateIp, binding.containerPort, now);
      task.targets.push({ ...binding });
    } catch (error) {
      // A target group deleted since the deployment started: ECS reports it and carries on.
      refused.push({
        targetGroupArn: binding.targetGroupArn,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return refused;
}

/** Starts draining the task in every group it is registered in. */
export function deregisterTask(region: RegionState, task: Task, now: number): void {
  for (const target of task.targets) {
    deregisterTarget(region, target.targetGroupArn, task.eni.privateIp, target.containerPort, now);
  }
}

/** Whether every group has let the task go (the deregistration delay is over). */
export function isDrained(region: RegionState, task: Task): boolean {
  return task.targets.every(
    (target) =>
      targetStateOf(region, target.targetGroupArn, task.eni.privateIp, target.containerPort) === undefined,
  );
}

/** The task's health as its target groups see it; a task without load balancers is healthy. */
export function targetHealth(region: RegionState, task: Task): TargetHealth {
  let pending = false;
  for (const target of task.targets) {
    const state = targetStateOf(region, target.targetGroupArn, task.eni.privateIp, target.containerPort);
    if (state === "unhealthy")
      return { state: "unhealthy", targetGroupArn: target.targetGroupArn, port: target.containerPort };
    if (state !== "healthy") pending = true;
  }
  return pending || task.targets.length < task.loadBalancers.length
    ? { state: "pending" }
    : { state: "healthy" };
}
