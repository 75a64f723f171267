/** `ecs-converge apply`: converges AWS to the spec once, printing each change as it happens. */
import { hasChanges, summarize } from "../../engine/plan.ts";
import { applyPlan, planService } from "../../engine/reconcile.ts";
import { summaryLine } from "../../engine/render-plan.ts";
import type { ApplyEvent } from "../../engine/stack.ts";
import { type AwsCommandOptions, clientsForSpec, explainFailure, loadValidSpecs } from "../aws-session.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export type ApplyOptions = AwsCommandOptions;

const VERBS = {
  create: ["creating", "created"],
  update: ["updating", "updated"],
  replace: ["replacing", "replaced"],
  delete: ["deleting", "deleted"],
  noop: ["", ""],
} as const;

export async function applyCommand(options: ApplyOptions, streams: CliStreams): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  for (const loaded of await loadValidSpecs(options.file)) {
    const clients = await clientsForSpec(loaded, options);
    const name = loaded.spec.metadata.name;
    try {
      const plan = await planService(clients, loaded.spec);
      if (!hasChanges(plan.changes)) {
        out.line(`${name}: no changes: AWS matches the spec.`);
        continue;
      }
      out.line(
        out.style(
          "bold",
          `Applying service "${name}" in ${clients.region}: ${summaryLine(summarize(plan.changes))}`,
        ),
      );
      await applyPlan(plan, (event: ApplyEvent) => {
        const { change } = event;
        const label = `${change.resource} ${change.name}`;
        if (event.phase === "waiting") out.line(out.style("dim", `  … ${label}: waiting (${event.reason})`));
        else
          out.line(
            `  ${event.phase === "start" ? VERBS[change.action][0] : out.style("green", VERBS[change.action][1])} ${label}`,
          );
      });
      out.line(`${name}: applied.`);
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      for (const client of Object.values(clients)) if (typeof client === "object") client.destroy();
    }
  }
  return ExitCode.Ok;
}
