/**
 * `ecs-converge logs`: the service's container logs from CloudWatch Logs, like `copilot svc logs`: every
 * task's stream in the spec's log group (`{name}/{container}/{task id}`, the awslogs prefix the task
 * definition sets), oldest first; with `--follow`, new lines as they arrive until SIGINT or SIGTERM.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { type FilteredLogEvent, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { LoadedSpec } from "../../../specs/index.ts";
import { guardClients } from "../../aws/call-guard.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { destroyAwsClients } from "../../aws/clients.ts";
import { isNotFound } from "../../aws/errors.ts";
import { type AwsCommandOptions, clientsForSpec, explainFailure, loadValidSpecs } from "../aws-session.ts";
import { CliError } from "../cli-error.ts";
import { parseDuration } from "../duration.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface LogsOptions extends AwsCommandOptions {
  follow?: boolean;
  /** How far back to start, e.g. `10m`. */
  since: string;
  /** How often `--follow` asks for new lines. */
  pollInterval: string;
  json?: boolean;
}

/** CloudWatch Logs keeps events up to ten years; further back than that finds nothing anyway. */
const SINCE_BOUNDS = { minMs: 1000, maxMs: 10 * 366 * 24 * 3_600_000 };
/** Often enough to feel live, never a busy loop, never so rare that --follow looks stuck. */
const POLL_BOUNDS = { minMs: 1000, maxMs: 60_000 };

/** One service's logs: where they are, and the newest lines already printed. */
interface LogSource {
  loaded: LoadedSpec;
  clients: AwsClients;
  logGroup: string;
  streamPrefix: string;
  /** The newest timestamp printed, and the ids of the events printed at it (the next poll starts there). */
  cursor: { time: number; ids: Set<string> };
}

export async function logsCommand(
  options: LogsOptions,
  streams: CliStreams,
  /** Ends `--follow` and abandons the calls in flight; by default the first SIGINT or SIGTERM. */
  stopped?: AbortSignal,
): Promise<ExitCode> {
  const sinceMs = parseDuration("--since", options.since, SINCE_BOUNDS);
  const pollMs = parseDuration("--poll-interval", options.pollInterval, POLL_BOUNDS);
  const interrupt = stopped ? undefined : listenForInterrupt();
  const stop = stopped ?? (interrupt as { signal: AbortSignal }).signal;
  const out = new TerminalWriter(streams.stdout);
  const specs = await loadValidSpecs(options.file);
  const start = Date.now() - sinceMs;
  const sources: LogSource[] = [];
  try {
    for (const loaded of specs) {
      const clients = await clientsForSpec(loaded, options);
      guardClients(clients, { signal: () => stop });
      sources.push({
        loaded,
        clients,
        logGroup: loaded.spec.spec.logging.logGroup,
        streamPrefix: `${loaded.spec.metadata.name}/`,
        cursor: { time: start, ids: new Set() },
      });
    }
    const print = (source: LogSource, event: FilteredLogEvent) =>
      printEvent(out, source, event, { json: Boolean(options.json), named: sources.length > 1 });
    for (;;) {
      for (const source of sources) {
        for (const event of await newEvents(source, options)) print(source, event);
      }
      if (!options.follow) return ExitCode.Ok;
      await sleep(pollMs, undefined, { signal: stop });
    }
  } catch (error) {
    // Interrupted while following (or while a call was in flight): the normal end of --follow.
    if (stop.aborted) return ExitCode.Ok;
    throw error;
  } finally {
    interrupt?.dispose();
    for (const source of sources) destroyAwsClients(source.clients);
  }
}

/** The events after the source's cursor, oldest first; moves the cursor past them. */
async function newEvents(source: LogSource, options: LogsOptions): Promise<FilteredLogEvent[]> {
  const found: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await source.clients.logs
      .send(
        new FilterLogEventsCommand({
          logGroupName: source.logGroup,
          logStreamNamePrefix: source.streamPrefix,
          startTime: source.cursor.time,
          nextToken,
        }),
      )
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw explainFailure(error, source.loaded, options);
        throw new CliError(`${source.loaded.file}: log group ${source.logGroup} does not exist`, {
          hint: `the service is not deployed (or was destroyed): \`ecs-converge apply -f ${source.loaded.file}\` creates it`,
          cause: error,
        });
      });
    found.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);

  // Events at the cursor's own time may have been printed already: the start time is inclusive.
  const fresh = found
    .filter(
      (event) => !(event.timestamp === source.cursor.time && source.cursor.ids.has(event.eventId ?? "")),
    )
    .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  for (const event of fresh) {
    const time = event.timestamp ?? 0;
    if (time > source.cursor.time) source.cursor = { time, ids: new Set() };
    if (time === source.cursor.time) source.cursor.ids.add(event.eventId ?? "");
  }
  return fresh;
}

/** `2026-11-30T12:00:00.000Z 1a2b3c4d listening on port 3000`: the task's id shortened, as copilot does. */
function printEvent(
  out: TerminalWriter,
  source: LogSource,
  event: FilteredLogEvent,
  how: { json: boolean; named: boolean },
): void {
  const at = new Date(event.timestamp ?? 0).toISOString();
  const stream = event.logStreamName ?? "";
  const task = stream.split("/").pop() ?? stream;
  const message = (event.message ?? "").replace(/\r?\n$/, "");
  const service = source.loaded.spec.metadata.name;
  if (how.json) {
    out.jsonLine({ service, timestamp: at, stream, task, message });
    return;
  }
  out.line(
    `${how.named ? `${service} ` : ""}${out.style("dim", at)} ${out.style("cyan", task.slice(0, 8))} ${message}`,
  );
}

/**
 * A signal aborted by the first SIGINT or SIGTERM, in place of the default handlers (which exit at once,
 * mid-line); `dispose` gives them back.
 */
function listenForInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const onSignal = () => {
    dispose();
    controller.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { signal: controller.signal, dispose };
}
