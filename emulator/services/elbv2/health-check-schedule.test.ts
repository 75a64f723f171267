/** When a target group is due, what wakes it, and what ECS is told about its targets. */
import { describe, expect, it } from "vitest";
import { Random } from "../../random.ts";
import {
  nextTargetGroupDueAt,
  takeDueTargetGroups,
  wakeAllTargetGroups,
  wakeTargetGroup,
} from "./health-check-schedule.ts";
import { createElbv2State, type Target, type TargetGroup } from "./state.ts";
import { noteAllTargetsChanged, noteTargetChanged, takeTargetChanges } from "./target-changes.ts";

/** Only the fields the schedule reads. */
const target = (fields: Partial<Target>) =>
  ({ id: "10.0.0.1", port: 80, nextCheckAt: undefined, drainingUntil: undefined, ...fields }) as Target;
const group = (arn: string, targets: Target[] = []) =>
  ({ arn, targets: new Map(targets.map((entry, index) => [String(index), entry])) }) as TargetGroup;

describe("nextTargetGroupDueAt", () => {
  it("is the earliest check in service, or drain's end", () => {
    const checked = target({ nextCheckAt: 5_000 });
    const draining = target({ drainingUntil: 3_000, nextCheckAt: 1_000 });
    expect(nextTargetGroupDueAt(group("g", [checked, draining]), true, 0)).toBe(3_000);
    expect(nextTargetGroupDueAt(group("g", [checked]), true, 0)).toBe(5_000);
  });

  it("is now for a target never checked, and only drains out of service", () => {
    expect(nextTargetGroupDueAt(group("g", [target({})]), true, 42)).toBe(42);
    expect(nextTargetGroupDueAt(group("g", [target({ nextCheckAt: 5_000 })]), false, 0)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe("the target group schedule", () => {
  it("hands out groups due by now that still exist, and wakes every group when asked", () => {
    const state = createElbv2State("us-east-1", new Random(1));
    const [a, b, gone] = [group("a"), group("b"), group("gone")];
    for (const entry of [a, b, gone]) state.targetGroups.set(entry.arn, entry);
    // Seen for the first time: every group is looked at once.
    expect(new Set(takeDueTargetGroups(state, 0))).toEqual(new Set([a, b, gone]));
    wakeTargetGroup(state, a, 10);
    wakeTargetGroup(state, gone, 5);
    state.targetGroups.delete("gone");
    expect(takeDueTargetGroups(state, 9)).toEqual([]);
    expect(takeDueTargetGroups(state, 10)).toEqual([a]);
    wakeAllTargetGroups(state);
    expect(new Set(takeDueTargetGroups(state, 11))).toEqual(new Set([a, b]));
  });
});

describe("target changes", () => {
  it("collects changed IPs until taken, and 'all' supersedes them", () => {
    const state = createElbv2State("us-east-1", new Random(1));
    noteTargetChanged(state, "10.0.0.1");
    noteTargetChanged(state, "10.0.0.2");
    expect(takeTargetChanges(state)).toEqual({ all: false, ips: new Set(["10.0.0.1", "10.0.0.2"]) });
    expect(takeTargetChanges(state)).toEqual({ all: false, ips: new Set() });
    noteTargetChanged(state, "10.0.0.1");
    noteAllTargetsChanged(state);
    noteTargetChanged(state, "10.0.0.3");
    expect(takeTargetChanges(state)).toEqual({ all: true, ips: new Set() });
  });
});
