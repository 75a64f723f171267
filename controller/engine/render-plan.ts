/** The plan for humans, like `terraform plan`: one line per change, one per differing field, a summary. */
import {
  type Change,
  type ChangeAction,
  type HeldBack,
  type LeftInPlace,
  type PlanSummary,
  summarize,
} from "./plan.ts";

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
 * Lines describing the changes (no-ops omitted), what is held back and what is left in place and
 * why, and the summary line. Held-back revisions and left-in-place resources are `!` lines:
 * deliberate, worth reading.
 */
export function renderPlan(
  changes: readonly Change[],
  style: Styler = plain,
  skipped: readonly LeftInPlace[] = [],
  heldBack: readonly HeldBack[] = [],
): string[] {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action === "noop") {
      // A no-op with a reason is something not done on purpose: say so.
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
  for (const held of heldBack) lines.push(style("red", heldBackLine(held)));
  for (const left of skipped)
    lines.push(style("yellow", `  ! ${left.resource} ${left.name}: ${left.reason}`));
  lines.push(summaryLine(summarize(changes), heldBack.length));
  return lines;
}

/** `  ! TaskDefinition web:2 held back: why, and what keeps running`: plan, apply and status say it alike. */
export function heldBackLine(held: HeldBack): string {
  return `  ! ${held.resource} ${held.name} held back: ${held.reason}`;
}

/** The plan's last line; a held-back revision means AWS does not run the spec, changes or not. */
export function summaryLine(summary: PlanSummary, heldBack = 0): string {
  const total = summary.create + summary.update + summary.replace + summary.delete;
  const held = `${heldBack} revision${heldBack === 1 ? "" : "s"} held back`;
  if (total === 0)
    return heldBack === 0
      ? "No changes: AWS matches the spec."
      : `Not in sync: ${held}, so the spec is not running; nothing else to change.`;
  const plan = `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.delete} to delete`;
  return heldBack === 0 ? `${plan}.` : `${plan}; ${held}.`;
}
