/** The plan for humans, like `terraform plan`: one line per change, one per differing field, a summary. */
import { type Change, type ChangeAction, type LeftInPlace, type PlanSummary, summarize } from "./plan.ts";

const SYMBOL: Record<ChangeAction, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  noop: " ",
};

export type Styler = (style: "green" | "yellow" | "red" | "dim" | "bold", text: string) => string;

const plain: Styler = (_style, text) => text;

function formatValue(value: unknown): string {
  if (value === undefined) return "(none)";
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);
}

const colour: Record<ChangeAction, "green" | "yellow" | "red" | "dim"> = {
  create: "green",
  update: "yellow",
  replace: "red",
  delete: "red",
  noop: "dim",
};

/**
 * Lines describing the changes (no-ops omitted), what is left in place and why, and the summary
 * line. Both held-back changes and left-in-place resources are `!` lines: deliberate, worth reading.
 */
export function renderPlan(
  changes: readonly Change[],
  style: Styler = plain,
  skipped: readonly LeftInPlace[] = [],
): string[] {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action === "noop") {
      // A no-op with a reason is something held back on purpose (a revision whose rollout failed): say so.
      if (change.reason)
        lines.push(style("yellow", `  ! ${change.resource} ${change.name}: ${change.reason}`));
      continue;
    }
    const verb = change.action === "replace" ? "replace" : change.action;
    const reason = change.reason ? ` (${change.reason})` : "";
    lines.push(
      style(
        colour[change.action],
        `  ${SYMBOL[change.action]} ${verb} ${change.resource} ${change.name}${reason}`,
      ),
    );
    if (change.action === "delete") continue;
    for (const field of change.diff) {
      lines.push(
        change.action === "create"
          ? `      ${field.path}: ${formatValue(field.desired)}`
          : `      ${field.path}: ${formatValue(field.observed)} → ${formatValue(field.desired)}`,
      );
    }
  }
  for (const left of skipped)
    lines.push(style("yellow", `  ! ${left.resource} ${left.name}: ${left.reason}`));
  lines.push(summaryLine(summarize(changes)));
  return lines;
}

export function summaryLine(summary: PlanSummary): string {
  const total = summary.create + summary.update + summary.replace + summary.delete;
  if (total === 0) return "No changes: AWS matches the spec.";
  return `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.delete} to delete.`;
}
