/**
 * `ecs-converge destroy`: removes everything the spec owns, after showing the plan and asking, and says
 * what it left in place because it is not ours. With `--json`, one document per service at the end.
 */

import { createInterface } from "node:readline/promises";
import { destroyAwsClients } from "../../aws/clients.ts";
import { hasChanges, type PlanDocument, summarize } from "../../engine/plan.ts";
import { applyPlan, planDestroy } from "../../engine/reconcile.ts";
import { renderPlan } from "../../engine/render-plan.ts";
import type { ApplyEvent } from "../../engine/stack.ts";
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

export interface DestroyCommandOptions extends AwsCommandOptions {
  yes?: boolean;
  keepLogs?: boolean;
  json?: boolean;
  timeout: string;
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(question)).trim().toLowerCase() === "yes";
  } finally {
    prompt.close();
  }
}

export async function destroyCommand(
  options: DestroyCommandOptions,
  streams: CliStreams,
  interactive = Boolean(process.stdin.isTTY),
): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  const timeoutMs = parseDuration("--timeout", options.timeout, { minMs: 1000, maxMs: 24 * 3_600_000 });
  if (options.json && !options.yes) {
    throw new CliError("destroy --json does not ask for confirmation", {
      hint: "pass --yes with --json",
    });
  }
  if (!options.yes && !interactive) {
    throw new CliError("destroy deletes AWS resources and will not do so without confirmation", {
      hint: "run it from a terminal to be asked, or pass --yes",
    });
  }
  const documents: Array<PlanDocument & { service: string; region: string }> = [];
  for (const loaded of await loadValidSpecs(options.file)) {
    // --timeout bounds the whole destroy of each service (the confirmation aside), whatever AWS does.
    let deadline = commandDeadline("--timeout", options.timeout, timeoutMs);
    const clients = await clientsForSpec(loaded, options, () => deadline.signal);
    const name = loaded.spec.metadata.name;
    try {
      const plan = await planDestroy(clients, loaded.spec, {
        keepLogs: Boolean(options.keepLogs),
        timeoutMs,
      });
      const styled = (style: Parameters<typeof out.style>[0], text: string) => out.style(style, text);
      if (options.json) {
        await applyPlan(plan, () => {});
        const { changes, skipped } = plan;
        documents.push({
          service: name,
          region: clients.region,
          changes,
          skipped,
          summary: summarize(changes),
        });
        continue;
      }
      if (!hasChanges(plan.changes)) {
        // What is not ours is never deleted: say what was found and left, so nothing is a surprise.
        for (const line of renderPlan([], styled, plan.skipped).slice(0, -1)) out.line(line);
        out.line(`${name}: nothing to destroy.`);
        continue;
      }
      out.line(out.style("bold", `Destroying service "${name}" in ${clients.region}:`));
      for (const line of renderPlan(plan.changes, styled, plan.skipped)) out.line(line);
      if (!options.yes) {
        deadline.clear();
        if (!(await confirm(`Delete these resources of "${name}"? Type yes to confirm: `))) {
          out.line("Cancelled: nothing was deleted.");
          return ExitCode.Error;
        }
        deadline = commandDeadline("--timeout", options.timeout, timeoutMs);
      }
      await applyPlan(plan, (event: ApplyEvent) => {
        const label = `${event.change.resource} ${event.change.name}`;
        if (event.phase === "waiting") out.line(out.style("dim", `  … ${label}: waiting (${event.reason})`));
        else out.line(`  ${event.phase === "start" ? "deleting" : out.style("green", "deleted")} ${label}`);
      });
      out.line(`${name}: destroyed.`);
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      deadline.clear();
      destroyAwsClients(clients);
    }
  }
  if (options.json) out.json(documents.length === 1 ? documents[0] : documents);
  return ExitCode.Ok;
}
