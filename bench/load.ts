/**
 * `npm run load`: a steady HTTP load against the built-in load balancer, to watch the service scale out
 * on CPU and back in after the cooldown. Loopback only, bounded in time and connections; a live line of
 * requests per second, latency percentiles and errors, then a summary. Ctrl-C stops it early.
 *
 *   npm run load -- [--url http://127.0.0.1:8080/burn?ms=20] [--duration 2m] [--connections 16]
 */
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import * as hdr from "hdr-histogram-js";
import { parseDuration } from "../controller/cli/duration.ts";

const DEFAULT_URL = "http://127.0.0.1:8080/burn?ms=20";
const MAX_CONNECTIONS = 256;

export interface LoadOptions {
  url: string;
  durationMs: number;
  connections: number;
  /** Where the live line and the summary go. */
  out: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface LoadSummary {
  requests: number;
  /** Answers with a status of 500 or more, and requests that got no answer at all. */
  errors: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

/** Only this machine: the load generator must never be pointed at someone else's server. */
export function requireLoopback(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url ${url}: not a URL`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (
    parsed.protocol !== "http:" ||
    !(/^127\.\d+\.\d+\.\d+$/.test(host) || host === "localhost" || host === "::1")
  )
    throw new Error(
      `--url ${url}: load is only generated against http:// on loopback (127.x.y.z, localhost, [::1])`,
    );
  return parsed;
}

/** Runs the load; resolves with what it saw. */
export function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const latency = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000,
    numberOfSignificantValueDigits: 2,
  });
  const statuses: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let lastRequests = 0;
  const started = performance.now();

  let finished: () => void = () => {};
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationMs / 1000,
      // A slow answer is recorded, not waited on forever.
      timeout: 30,
    },
    () => finished(),
  );
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    requests += 1;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 500) errors += 1;
    latency.recordValue(Math.max(1, Math.round(responseTime)));
  });
  instance.on("reqError", () => {
    requests += 1;
    errors += 1;
    statuses.error = (statuses.error ?? 0) + 1;
  });

  const live = setInterval(() => {
    const perSecond = requests - lastRequests;
    lastRequests = requests;
    const line = `${Math.round((performance.now() - started) / 1000)}s  ${perSecond} req/s  p50 ${latency.getValueAtPercentile(50)} ms  p99 ${latency.getValueAtPercentile(99)} ms  errors ${errors}`;
    options.out.write(options.out.isTTY ? `\r${line.padEnd(72)}` : `${line}\n`);
  }, 1000);
  const stop = () => instance.stop();
  process.once("SIGINT", stop);

  return new Promise((resolve) => {
    finished = () => {
      clearInterval(live);
      process.off("SIGINT", stop);
      const summary = {
        requests,
        errors,
        statuses,
        p50Ms: latency.getValueAtPercentile(50),
        p99Ms: latency.getValueAtPercentile(99),
      };
      latency.destroy();
      if (options.out.isTTY) options.out.write("\n");
      options.out.write(
        `${summary.requests} requests, ${summary.errors} errors, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, statuses ${JSON.stringify(summary.statuses)}\n`,
      );
      resolve(summary);
    };
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: DEFAULT_URL },
      duration: { type: "string", default: "2m" },
      connections: { type: "string", default: "16" },
    },
  });
  try {
    const url = requireLoopback(values.url).toString();
    const durationMs = parseDuration("--duration", values.duration, { minMs: 1000, maxMs: 10 * 60_000 });
    const connections = Number(values.connections);
    if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS)
      throw new Error(`--connections ${values.connections}: a whole number from 1 to ${MAX_CONNECTIONS}`);
    process.stdout.write(`load: ${url}, ${connections} connections, for ${values.duration} (Ctrl-C stops)\n`);
    const summary = await runLoad({ url, durationMs, connections, out: process.stdout });
    process.exitCode = summary.requests > 0 && summary.errors === summary.requests ? 1 : 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
