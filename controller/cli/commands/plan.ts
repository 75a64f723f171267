/** `ecs-converge plan`: the dry-run diff. Reads AWS, changes nothing, prints what apply would do. */
import { desiredCountOwnedByAutoscaling } from "../../engine/autoscaling-owned.ts";
import { hasChanges, summarize } from "../../engine/plan.ts";
import { planService } from "../../engine/reconcile.ts";
import { renderPlan } from "../../engine/render-plan.ts";
import { type AwsCommandOptions, clientsForSpec, explainFailure, loadValidSpecs } from "../aws-session.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface PlanOptions extends AwsCommandOptions {
  json?: boolean;
  detailedExitcode?: boolean;
}

export async function planCommand(options: PlanOptions, streams: CliStreams): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  const documents = [];
  let changed = false;
  for (const loaded of await loadValidSpecs(options.file, streams.stdin)) {
    const clients = await clientsForSpec(loaded, options);
    try {
      const { changes, skipped, heldBack, observation, waiting, interruptions } = await planService(
        clients,
        loaded.spec,
      );
      // An edit of a field autoscaling owns plans nothing: say why rather than stay silent.
      const owned = desiredCountOwnedByAutoscaling(loaded.spec, observation.service);
      const notes = owned ? [{ path: owned.path, message: owned.message }] : [];
      // A held-back revision is a change pending: the spec is not running until it is rolled out.
      // So is a step waiting for AWS: a later pass still has work to do (a replaced target group).
      changed ||= hasChanges(changes) || heldBack.length > 0 || waiting.length > 0;
      const visible = changes.filter((change) => change.action !== "noop");
      documents.push({
        service: loaded.spec.metadata.name,
        region: clients.region,
        changes: visible,
        skipped,
        heldBack,
        waiting,
        interruptions,
        notes,
        summary: summarize(changes),
      });
      if (!options.json) {
        out.line(
          out.style("bold", `Service "${loaded.spec.metadata.name}" in ${clients.region} (${loaded.file}):`),
        );
        for (const line of renderPlan(changes, (style, text) => out.style(style, text), skipped, heldBack, {
          waiting,
          interruptions,
        }))
          out.line(line);
        for (const note of notes) out.line(out.style("dim", `  note: ${note.message}`));
      }
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      for (const client of Object.values(clients)) if (typeof client === "object") client.destroy();
    }
  }
  if (options.json) out.json(documents.length === 1 ? documents[0] : documents);
  return options.detailedExitcode && changed ? ExitCode.Changes : ExitCode.Ok;
}
