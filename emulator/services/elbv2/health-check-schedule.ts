/**
 * When each target group next has a health check or a drain to finish, so a tick visits only those
 * groups instead of every target of every group on every simulated second. A group is due at the
 * earliest of its targets' next check and end of draining; it is woken at once when a target is
 * registered or starts draining, and every group is woken when which groups receive traffic may have
 * changed (a listener or rule changed, a load balancer turned active or went). A group out of service
 * has nothing to do until then: its targets start over once, when it stops receiving traffic.
 * Groups due in the same tick are visited in any order: a group's checks touch only its own targets.
 */
import { DueQueue } from "../../due-queue.ts";
import type { Elbv2State, TargetGroup } from "./state.ts";

const queues = new WeakMap<Elbv2State, DueQueue<TargetGroup>>();

function queueOf(state: Elbv2State): DueQueue<TargetGroup> {
  let queue = queues.get(state);
  if (!queue) {
    queue = new DueQueue();
    queues.set(state, queue);
    // A state first seen: every group it already holds is looked at once.
    for (const group of state.targetGroups.values()) queue.wake(group, Number.NEGATIVE_INFINITY);
  }
  return queue;
}

/** The group has something to do at `at` (a target registered or draining: now). */
export function wakeTargetGroup(state: Elbv2State, group: TargetGroup, at: number): void {
  queueOf(state).wake(group, at);
}

/** Every group may have started or stopped receiving traffic: each is looked at on the next tick. */
export function wakeAllTargetGroups(state: Elbv2State): void {
  const queue = queueOf(state);
  for (const group of state.targetGroups.values()) queue.wake(group, Number.NEGATIVE_INFINITY);
}

/** The groups due by `now` that still exist; they no longer wait. */
export function takeDueTargetGroups(state: Elbv2State, now: number): TargetGroup[] {
  return queueOf(state)
    .takeDue(now)
    .filter((group) => state.targetGroups.get(group.arn) === group);
}

/** When `group`, just visited, next has something to do: a check (while in service) or a drain's end. */
export function nextTargetGroupDueAt(group: TargetGroup, serving: boolean, now: number): number {
  let due = Number.POSITIVE_INFINITY;
  for (const target of group.targets.values()) {
    if (target.drainingUntil !== undefined) due = Math.min(due, target.drainingUntil);
    else if (serving) due = Math.min(due, target.nextCheckAt ?? now);
  }
  return due;
}
