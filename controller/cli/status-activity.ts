/** The human lines of `status` for a service's autoscaling state, tasks and recent events. */
import type { Styler } from "../engine/render-plan.ts";
import type { ServiceActivity, TaskSummary } from "../engine/service-activity.ts";

/** Events printed for humans; `--json` has more. */
const EVENTS_SHOWN = 5;

export function renderActivity(activity: ServiceActivity, style: Styler): string[] {
  const lines: string[] = [];
  const scaling = activity.autoscaling;
  if (scaling) {
    const last = scaling.lastActivity;
    lines.push(
      `  autoscaling: ${scaling.desired} desired within [${scaling.min}, ${scaling.max}]; ` +
        (last ? `last activity ${last.at} ${last.status}: ${last.description}` : "no scaling activity yet"),
    );
    if (last?.cause) lines.push(style("dim", `    cause: ${last.cause}`));
  }
  lines.push(activity.tasks.length > 0 ? "  tasks:" : "  tasks: none");
  for (const task of activity.tasks) lines.push(taskLine(task, style));
  const events = activity.events.slice(0, EVENTS_SHOWN);
  if (events.length > 0) lines.push("  recent events:");
  for (const event of events) lines.push(`    ${style("dim", event.at)} ${event.message}`);
  return lines;
}

function taskLine(task: TaskSummary, style: Styler): string {
  const health = task.health === "healthy" ? style("green", task.health) : task.health;
  const started = task.startedAt ? `started ${task.startedAt}` : "not started";
  const line = `    ${task.id} ${task.revision} ${task.status} ${health} ${started}`;
  if (task.status !== "STOPPED" && task.stoppedReason === undefined) return line;
  const stopped = `${task.stoppedAt ? ` stopped ${task.stoppedAt}` : ""}${task.stoppedReason ? `: ${task.stoppedReason}` : ""}`;
  return task.status === "STOPPED" ? style("dim", `${line}${stopped}`) : `${line}${style("yellow", stopped)}`;
}
