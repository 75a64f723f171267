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
});
