/**
 * `ecs-converge apply`: converges AWS to the spec once, printing each change as it happens. With
 * `--wait` it carries a change that takes several passes (a replaced target group) to its end.
 */

import { setTimeout as sleep } from "node:timers/promises";
import type { AwsClients } from "../../aws/clients.ts";
import { destroyAwsClients } from "../../aws/clients.ts";
import { type HeldBack, hasChanges, summarize } from "../../engine/plan.ts";
import { applyPlan, planService } from "../../engine/reconcile.ts";
import { heldBackLine, summaryLine, waitingLine } from "../../engine/render-plan.ts";
import {
  heldBackFailure,
  RolloutFailedError,
  type RolloutState,
  waitForStable,
} from "../../engine/rollout.ts";
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
  /** Roll out a held-back revision again, once the cause of its failure is fixed outside the spec. */
  retryFailed?: boolean;
  /** A new deployment even when nothing changed. */
  forceNewDeployment?: boolean;
}

/** What to do about a held-back revision, once its cause is known. */
const HELD_BACK_HINT =
  "fix the cause outside the spec (push the image, grant the secret…) and run apply --retry-failed, or change the spec";

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
  // Below 100 ms --wait would poll AWS in a tight loop; above 10 minutes it would miss the end of a rollout by as much.
  const pollMs = parseDuration("--poll-interval", options.pollInterval, { minMs: 100, maxMs: 10 * 60_000 });
  const planOptions = {
    retryFailed: options.retryFailed === true,
    forceNewDeployment: options.forceNewDeployment === true,
  };
  // Asked once: later passes of the same apply must not start yet another deployment.
  const laterPassOptions = { retryFailed: false, forceNewDeployment: false };
  /** Services whose spec is not running because a revision is held back: apply fails once all are done. */
  const notRunning: string[] = [];
  for (const loaded of await loadValidSpecs(options.file)) {
    // --timeout bounds the whole apply of each service, the changes as well as the wait, whatever AWS does.
    const deadline = commandDeadline("--timeout", options.timeout, timeoutMs);
    const clients = await clientsForSpec(loaded, options, () => deadline.signal);
    const name = loaded.spec.metadata.name;
    try {
      let plan = await planService(clients, loaded.spec, undefined, planOptions);
      // One pass per step of a change that waits for AWS in between; each pass is planned afresh.
      for (;;) {
        const { heldBack, waiting } = plan;
        if (hasChanges(plan.changes)) {
          out.line(
            out.style(
              "bold",
              `Applying service "${name}" in ${clients.region}: ${summaryLine(summarize(plan.changes), heldBack.length, waiting.length)}`,
            ),
          );
        } else if (heldBack.length === 0 && waiting.length === 0) {
          out.line(`${name}: no changes: AWS matches the spec.`);
        }
        for (const held of heldBack) out.line(out.style("red", heldBackLine(held)));
        const refs = await applyPlan(plan, (event: ApplyEvent) => {
          const { change } = event;
          const label = `${change.resource} ${change.name}`;
          if (event.phase === "waiting")
            out.line(out.style("dim", `  … ${label}: waiting (${event.reason})`));
          else
            out.line(
              `  ${event.phase === "start" ? VERBS[change.action][0] : out.style("green", VERBS[change.action][1])} ${label}`,
            );
        });
        for (const step of waiting) out.line(out.style("dim", waitingLine(step)));
        if (heldBack.length > 0) {
          notRunning.push(await describeNotRunning(clients, loaded.spec.spec.cluster, name, heldBack));
          break;
        }
        if (!options.wait) {
          if (waiting.length > 0)
            out.line(
              `${name}: ${waiting.length} step(s) wait for AWS: apply again later, or apply --wait (or the daemon) takes them as AWS gets ready.`,
            );
          break;
        }

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
            hint: `the failed revision is now held back: ${HELD_BACK_HINT}`,
          });
        }
        // The next step of a change that takes several passes, once AWS is ready for it (--timeout bounds the wait).
        let next = await planService(clients, loaded.spec, undefined, laterPassOptions);
        while (!hasChanges(next.changes) && next.waiting.length > 0 && next.heldBack.length === 0) {
          await sleep(pollMs);
          next = await planService(clients, loaded.spec, undefined, laterPassOptions);
        }
        if (!hasChanges(next.changes) && next.heldBack.length === 0) break;
        out.line(`${name}: next step.`);
        plan = next;
      }
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      deadline.clear();
      destroyAwsClients(clients);
    }
  }
  if (notRunning.length > 0) throw new CliError(notRunning.join("; "), { hint: HELD_BACK_HINT });
  return ExitCode.Ok;
}

/** `service "web" is not running its spec: web:2 is held back (why it failed, when AWS still says)`. */
async function describeNotRunning(
  clients: AwsClients,
  cluster: string,
  service: string,
  heldBack: readonly HeldBack[],
): Promise<string> {
  const parts = await Promise.all(
    heldBack.map(async (held) => {
      const failure = await heldBackFailure(clients, cluster, service, held.arn);
      return `${held.name} is held back (${failure ?? held.reason})`;
    }),
  );
  return `service "${service}" is not running its spec: ${parts.join(", ")}`;
}
