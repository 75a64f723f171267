/** The plan for humans, like `terraform plan`: one line per change, one per differing field, a summary. */
import {
  type Change,
  type ChangeAction,
  type HeldBack,
  type Interruption,
  type LeftInPlace,
  type PlanSummary,
  summarize,
  type Waiting,
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

/** What a plan holds besides its changes. */
export interface PlanExtras {
  /** Steps a later pass takes once AWS is ready: `… Listener web:80: …` lines. */
  waiting?: readonly Waiting[];
  /** Planned changes the load balancer cannot serve through without dropping requests: `!` lines. */
  interruptions?: readonly Interruption[];
}

/**
 * Lines describing the changes (no-ops omitted), what is held back and what is left in place and
 * why, what waits for a later pass, and the summary line. Held-back revisions, left-in-place
 * resources and interruptions are `!` lines: deliberate, worth reading.
 */
export function renderPlan(
  changes: readonly Change[],
  style: Styler = plain,
  skipped: readonly LeftInPlace[] = [],
  heldBack: readonly HeldBack[] = [],
  { waiting = [], interruptions = [] }: PlanExtras = {},
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
  for (const interruption of interruptions) lines.push(style("red", interruptionLine(interruption)));
  for (const step of waiting) lines.push(style("dim", waitingLine(step)));
  for (const held of heldBack) lines.push(style("red", heldBackLine(held)));
  for (const left of skipped)
    lines.push(style("yellow", `  ! ${left.resource} ${left.name}: ${left.reason}`));
  lines.push(summaryLine(summarize(changes), heldBack.length, waiting.length));
  return lines;
}

/** `  ! Service web: interrupts traffic: why`. */
export function interruptionLine(interruption: Interruption): string {
  return `  ! ${interruption.resource} ${interruption.name}: interrupts traffic: ${interruption.reason}`;
}

/** `  … Listener web:80 (a later pass): what it does, and what it waits for`. */
export function waitingLine(step: Waiting): string {
  return `  … ${step.resource} ${step.name} (a later pass): ${step.reason}`;
}

/** `  ! TaskDefinition web:2 held back: why, and what keeps running`: plan, apply and status say it alike. */
export function heldBackLine(held: HeldBack): string {
  return `  ! ${held.resource} ${held.name} held back: ${held.reason}`;
}

/**
 * The plan's last line; a held-back revision means AWS does not run the spec, changes or not, and a
 * step waiting for AWS means a later pass still has work to do.
 */
export function summaryLine(summary: PlanSummary, heldBack = 0, waiting = 0): string {
  const total = summary.create + summary.update + summary.replace + summary.delete;
  const held = `${heldBack} revision${heldBack === 1 ? "" : "s"} held back`;
  const later = `${waiting} step${waiting === 1 ? "" : "s"} waiting for AWS`;
  if (total === 0 && heldBack > 0)
    return `Not in sync: ${held}, so the spec is not running; nothing else to change${waiting > 0 ? ` now; ${later}` : ""}.`;
  if (total === 0)
    return waiting === 0
      ? "No changes: AWS matches the spec."
      : `Not in sync yet: nothing to change this pass; ${later} (a later pass takes them).`;
  const plan = `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.delete} to delete`;
  return `${[plan, ...(heldBack > 0 ? [held] : []), ...(waiting > 0 ? [later] : [])].join("; ")}.`;
}
