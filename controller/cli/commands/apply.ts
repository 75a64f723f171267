/** `ecs-converge apply`: converges AWS to the spec once, printing each change as it happens. */
import { hasChanges, summarize } from "../../engine/plan.ts";
import { applyPlan, planService } from "../../engine/reconcile.ts";
import { summaryLine } from "../../engine/render-plan.ts";
import { RolloutFailedError, type RolloutState, waitForStable } from "../../engine/rollout.ts";
import type { ApplyEvent } from "../../engine/stack.ts";
import { markRevisionFailed } from "../../resources/task-definition/task-definition.ts";
import {
  type AwsCommandOptions,
  clientsForSpec,
  commandDeadline,
  explainFailure,
  loadValidSpecs,
} from "../aws-session.ts";
import { CliError } from "../cli-error.ts";
import { parseDuration } from "../duration.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface ApplyOptions extends AwsCommandOptions {
  wait?: boolean;
  timeout: string;
  pollInterval: string;
}

const VERBS = {
  create: ["creating", "created"],
  update: ["updating", "updated"],
  replace: ["replacing", "replaced"],
  delete: ["deleting", "deleted"],
  noop: ["", ""],
} as const;

function describeProgress(state: RolloutState): string {
  const primary = state.deployments.find((deployment) => deployment.status === "PRIMARY");
  return `${state.running}/${state.desired} running, ${state.targets.healthy ?? 0} healthy targets, ${state.deployments.length} deployment(s), rollout ${primary?.rolloutState ?? "unknown"}`;
}

export async function applyCommand(options: ApplyOptions, streams: CliStreams): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  const timeoutMs = parseDuration("--timeout", options.timeout, { minMs: 1000, maxMs: 24 * 3_600_000 });
  const pollMs = parseDuration("--poll-interval", options.pollInterval);
  for (const loaded of await loadValidSpecs(options.file)) {
    // --timeout bounds the whole apply of each service, the changes as well as the wait, whatever AWS does.
    const deadline = commandDeadline("--timeout", options.timeout, timeoutMs);
    const clients = await clientsForSpec(loaded, options, () => deadline.signal);
    const name = loaded.spec.metadata.name;
    try {
      const plan = await planService(clients, loaded.spec);
      if (hasChanges(plan.changes)) {
        out.line(
          out.style(
            "bold",
            `Applying service "${name}" in ${clients.region}: ${summaryLine(summarize(plan.changes))}`,
          ),
        );
      } else {
        out.line(`${name}: no changes: AWS matches the spec.`);
      }
      const refs = await applyPlan(plan, (event: ApplyEvent) => {
        const { change } = event;
        const label = `${change.resource} ${change.name}`;
        if (event.phase === "waiting") out.line(out.style("dim", `  … ${label}: waiting (${event.reason})`));
        else
          out.line(
            `  ${event.phase === "start" ? VERBS[change.action][0] : out.style("green", VERBS[change.action][1])} ${label}`,
          );
      });
      if (!options.wait) continue;

      out.line(`${name}: waiting for the service to become stable (at most ${options.timeout})…`);
      let last = "";
      try {
        await waitForStable(
          clients,
          {
            cluster: loaded.spec.spec.cluster,
            service: name,
            targetGroupArn: refs.targetGroupArn,
            taskDefinition: refs.taskDefinitionArn,
            rollback: loaded.spec.spec.service.deployment.circuitBreaker.rollback,
          },
          timeoutMs,
          (state) => {
            const line = describeProgress(state);
            if (line !== last) out.line(out.style("dim", `  ${line}`));
            last = line;
          },
          pollMs,
        );
        out.line(`${name}: stable.`);
      } catch (error) {
        if (!(error instanceof RolloutFailedError)) throw error;
        // Remember the failure on the revision itself, so no later pass rolls it out again by itself.
        const failedRevision = error.state.failedTaskDefinition;
        if (failedRevision) await markRevisionFailed(clients, plan.context.taskDefinitions, failedRevision);
        throw new CliError(error.message, {
          hint: "fix the image or configuration in the spec and apply again; the failed revision is not rolled out again until the spec changes",
        });
      }
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      deadline.clear();
      for (const client of Object.values(clients)) if (typeof client === "object") client.destroy();
    }
  }
  return ExitCode.Ok;
}
