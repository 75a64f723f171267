import { describe, expect, it } from "vitest";
import { NOT_OURS } from "./plan.ts";
import { renderPlan } from "./render-plan.ts";

describe("renderPlan", () => {
  it("lists what is left in place, with why, before the summary", () => {
    const lines = renderPlan(
      [{ action: "delete", resource: "ScalingPolicy", name: "web-cpu", diff: [] }],
      undefined,
      [{ resource: "ScalableTarget", name: "service/web/web", reason: NOT_OURS }],
    );
    expect(lines).toEqual([
      "  - delete ScalingPolicy web-cpu",
      `  ! ScalableTarget service/web/web: ${NOT_OURS}`,
      "Plan: 0 to create, 0 to update, 0 to replace, 1 to delete.",
    ]);
  });

  it("never says AWS matches the spec while a revision is held back", () => {
    const heldBack = {
      resource: "TaskDefinition" as const,
      name: "web:2",
      arn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2",
      running: "web:1",
      reason: "its last rollout failed; web:1 keeps running",
    };
    expect(renderPlan([], undefined, [], [heldBack])).toEqual([
      "  ! TaskDefinition web:2 held back: its last rollout failed; web:1 keeps running",
      "Not in sync: 1 revision held back, so the spec is not running; nothing else to change.",
    ]);
    expect(
      renderPlan(
        [{ action: "delete", resource: "ScalingPolicy", name: "web-cpu", diff: [] }],
        undefined,
        [],
        [heldBack],
      ).at(-1),
    ).toBe("Plan: 0 to create, 0 to update, 0 to replace, 1 to delete; 1 revision held back.");
  });
});
