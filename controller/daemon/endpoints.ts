/**
 * The daemon's HTTP endpoints on `--listen`: `/healthz` (alive), `/readyz` (specs loaded and the first
 * pass done), `/metrics` (Prometheus text) and `/status` (JSON per service). Read-only, GET only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, isIPv6 } from "node:net";
import type { Logger } from "pino";
import { CliError } from "../cli/cli-error.ts";
import type { DaemonMetrics } from "./metrics.ts";
import { foreignRequestReason } from "./request-origin.ts";

/** Where the daemon listens without `--listen`: loopback, since `/status` describes the stack. */
export const DEFAULT_LISTEN = "127.0.0.1:9090";

export interface ListenAddress {
  host: string;
  port: number;
}

export interface EndpointsOptions extends ListenAddress {
  metrics: Pick<DaemonMetrics, "text" | "contentType">;
  /** The `/status` document; serialised as it is. */
  status: () => unknown;
  /** Whether `/readyz` answers 200. */
  ready: () => boolean;
  /** Whether `/healthz` answers 200 (the watchdog); absent: always. */
  health?: () => { healthy: boolean; problems: string[] };
  log?: Logger;
}

export interface Endpoints {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  port: number;
  /** Stops listening and drops open connections (probes and scrapers keep them alive). */
  close(): Promise<void>;
}

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

/**
 * `host:port`, `[v6]:port`, `:port` (every interface, as Go programs read it) or `port` (loopback).
 * Port 0 asks for a free one.
 */
export function parseListen(text: string): ListenAddress {
  const problem = () => new CliError(`--listen ${text}: expected host:port, e.g. ${DEFAULT_LISTEN}`);
  const match = text.trim().match(/^(?:(?:\[([^\]]*)\]|([^\s:[\]]*)):)?(\d+)$/);
  if (!match) throw problem();
  const [, v6, named, digits = ""] = match;
  const port = Number(digits);
  if (!Number.isInteger(port) || port > 65_535)
    throw new CliError(`--listen ${text}: the port must be between 0 and 65535`);
  if (v6 !== undefined) {
    if (!isIPv6(v6)) throw problem();
    return { host: v6, port };
  }
  if (named === undefined) return { host: "127.0.0.1", port };
  return { host: named === "" ? "0.0.0.0" : named, port };
}

/** Starts the endpoints server; resolves once the port is bound. */
export async function startEndpoints(options: EndpointsOptions): Promise<Endpoints> {
  const { log } = options;
  const server = createServer((request, response) => {
    serve(options, request, response).catch((error: unknown) => {
      log?.error({ err: error, path: request.url }, "endpoint failed");
      if (!response.headersSent) send(response, 500, TEXT, "internal error\n");
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(options, error)));
    server.listen(options.port, options.host, () => resolve());
  });
  server.removeAllListeners("error");
  server.on("error", (error) => log?.error({ err: error }, "endpoints server error"));
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  log?.debug({ url }, "endpoints listening");
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A port in use or a host not on this machine is the user's to fix: one line, with a hint. */
function listenError({ host, port }: ListenAddress, error: NodeJS.ErrnoException): CliError {
  const where = `--listen ${host.includes(":") ? `[${host}]` : host}:${port}`;
  const hints: Record<string, string> = {
    EADDRINUSE: "another process is listening there; choose another port with --listen",
    EADDRNOTAVAIL: "that address is not on this machine; use 127.0.0.1 or an interface's own address",
    EACCES: "ports below 1024 need privileges; choose a higher port",
  };
  const hint = error.code === undefined ? undefined : hints[error.code];
  return new CliError(`${where}: cannot listen (${error.code ?? error.message})`, {
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}

async function serve(options: EndpointsOptions, request: IncomingMessage, response: ServerResponse) {
  const refused = foreignRequestReason(request, options.host);
  if (refused) return send(response, 403, TEXT, `${refused}\n`);
  const path = new URL(request.url ?? "/", "http://endpoints").pathname;
  const known = ["/healthz", "/readyz", "/metrics", "/status"];
  if (!known.includes(path)) return send(response, 404, TEXT, `not found: ${path}\n`);
  if (request.method !== "GET") {
    response.setHeader("allow", "GET");
    return send(response, 405, TEXT, `method not allowed: ${request.method}\n`);
  }
  switch (path) {
    case "/healthz": {
      // A stuck worker fails the liveness probe, so Kubernetes or ECS restarts the daemon.
      const health = options.health?.() ?? { healthy: true, problems: [] };
      return health.healthy
        ? send(response, 200, TEXT, "ok\n")
        : send(response, 503, TEXT, `unhealthy: ${health.problems.join("; ")}\n`);
    }
    case "/readyz":
      return options.ready()
        ? send(response, 200, TEXT, "ready\n")
        : send(response, 503, TEXT, "not ready: specs not loaded or first reconcile pass not done\n");
    case "/metrics": {
      const text = await options.metrics.text();
      return send(response, 200, options.metrics.contentType, text);
    }
    default:
      return send(response, 200, JSON_TYPE, `${JSON.stringify(options.status(), null, 2)}\n`);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    // Probes and scrapers want the state now, never a cached one.
    "cache-control": "no-store",
  });
  response.end(body);
}
