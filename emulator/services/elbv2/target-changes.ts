/**
 * What changed in targets' health as other services see it, since they last asked: ECS wakes a task
 * only when its target's state moved (registered, healthy, unhealthy, draining, gone), instead of
 * reading every task's target health on every simulated second. A change that may touch any target
 * (a listener or rule routing elsewhere, a load balancer turning active, a group deleted) is noted
 * as "all". Kept beside the state rather than in it, so the state stays plain data.
 */
import type { Elbv2State } from "./state.ts";

export interface TargetChanges {
  /** Any target may have changed. */
  all: boolean;
  /** IPs of targets that changed. */
  ips: Set<string>;
}

const pending = new WeakMap<Elbv2State, TargetChanges>();

function changesOf(state: Elbv2State): TargetChanges {
  let changes = pending.get(state);
  if (!changes) {
    changes = { all: false, ips: new Set() };
    pending.set(state, changes);
  }
  return changes;
}

/** The target at `ip` (in some group) changed state. */
export function noteTargetChanged(state: Elbv2State, ip: string): void {
  const changes = changesOf(state);
  if (!changes.all) changes.ips.add(ip);
}

/** Any target may have changed state. */
export function noteAllTargetsChanged(state: Elbv2State): void {
  const changes = changesOf(state);
  changes.all = true;
  changes.ips.clear();
}

/** The changes since the last call, which are then forgotten. */
export function takeTargetChanges(state: Elbv2State): TargetChanges {
  const changes = pending.get(state) ?? { all: false, ips: new Set<string>() };
  pending.delete(state);
  return changes;
}
