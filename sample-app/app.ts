import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Logger } from "./log.ts";

export type AppConfig = {
  host: string;
  port: number;
  version: string;
  startupDelayMs: number;
  shutdownDrainMs: number;
  shutdownTimeoutMs: number;
  burnMaxMs: number;
  /** Who answers: `GET /` reports it, so a client behind a load balancer sees which task served it. */
  hostname: string;
};

export type AppState = "starting" | "ready" | "draining";

export type App = {
  readonly server: Server;
  /** Starts listening; resolves with the address actually bound (useful with port 0). */
  listen(): Promise<AddressInfo>;
  /** Drains and stops the server; `forced` is true if in-flight requests had to be cut off. */
  close(): Promise<{ forced: boolean }>;
  state(): AppState;
};

type Handler = (res: ServerResponse, query: URLSearchParams) => void | Promise<void>;

const SERVICE = "ecs-converge-sample-app";
const DEFAULT_BURN_MS = 100;
// Burning in short slices keeps /health answering during a load test. A fully blocked event loop would fail
// the load balancer's health checks, so ECS would replace the task instead of scaling the service out.
const BURN_SLICE_MS = 10;

/** Creates the sample HTTP server from a config object without starting it. */
export function createApp(config: AppConfig, log: Logger): App {
  const host = config.hostname;
  const startedAt = new Date().toISOString();
  let state: AppState = "starting";
  let readyTimer: NodeJS.Timeout | undefined;
  let closing: Promise<{ forced: boolean }> | undefined;

  // A Map rather than an object literal, so paths like /constructor cannot hit inherited properties.
  const routes = new Map<string, Handler>([
    [
      "/",
      (res) =>
        sendJson(res, 200, {
          service: SERVICE,
          version: config.version,
          hostname: host,
          pid: process.pid,
          node: process.version,
          uptimeSeconds: Math.round(process.uptime()),
          startedAt,
          state,
        }),
    ],
    [
      "/health",
      (res) => sendJson(res, state === "ready" ? 200 : 503, { status: state === "ready" ? "ok" : state }),
    ],
    ["/burn", burn],
  ]);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log("error", "request failed", { method: req.method, path: req.url, error });
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: "internal error" });
    });
  });
  // The ALB keeps idle connections to targets for up to 60 s. If Node closed them first (its default is 5 s),
  // the ALB could send a request down a socket that is just closing and answer the client with a 502.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // Split by hand: new URL() would read a path like "//health" as a host name.
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1));

    res.on("close", () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      // A status for a response the client never got would only mislead whoever reads the logs.
      const outcome = res.writableFinished ? { status: res.statusCode } : { aborted: true };
      log("info", "request", { method: req.method, path, ...outcome, durationMs });
    });

    const route = routes.get(path);
    if (route === undefined) return sendJson(res, 404, { error: "not found", path });
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendJson(res, 405, { error: "method not allowed", method: req.method });
    }
    await route(res, query);
  }

  async function burn(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const raw = query.get("ms");
    if (raw !== null && !/^\d+$/.test(raw)) {
      return sendJson(res, 400, { error: "ms must be a non-negative integer", ms: raw });
    }
    const requestedMs = raw === null ? DEFAULT_BURN_MS : Number(raw);
    const ms = Math.min(requestedMs, config.burnMaxMs);
    log("info", "burn started", { ms });
    const burnedMs = await burnCpu(ms, () => res.destroyed);
    // Writing to a response whose client went away would raise an error nobody is listening for.
    if (res.destroyed) return;
    sendJson(res, 200, {
      requestedMs,
      ms,
      maxMs: config.burnMaxMs,
      clamped: ms < requestedMs,
      burnedMs,
      hostname: host,
    });
  }

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const payload = `${JSON.stringify(body)}\n`;
    // Decided when the response is written, not when the request arrived: a request that was in flight when
    // shutdown began must not leave its keep-alive socket open, or server.close() would wait for it.
    if (state === "draining") res.setHeader("connection", "close");
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(payload),
      "cache-control": "no-store",
    });
    res.end(payload);
  }

  function markReady(): void {
    if (state !== "starting") return;
    state = "ready";
    log("info", "ready");
  }

  return {
    server,
    state: () => state,

    listen() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          log("info", "listening", {
            host: address.address,
            port: address.port,
            version: config.version,
            pid: process.pid,
            startupDelayMs: config.startupDelayMs,
          });
          if (config.startupDelayMs === 0) markReady();
          else readyTimer = setTimeout(markReady, config.startupDelayMs);
          resolve(address);
        });
      });
    },

    close() {
      closing ??= new Promise((resolve) => {
        state = "draining";
        clearTimeout(readyTimer);
        let forced = false;
        let drainTimer: NodeJS.Timeout | undefined;
        let listenerClosed = false;

        const stopAccepting = (): void => {
          if (listenerClosed) return;
          listenerClosed = true;
          clearTimeout(drainTimer);
          // Waits for in-flight requests; since Node 19 it also closes idle keep-alive sockets right away.
          server.close(() => {
            clearTimeout(forceTimer);
            resolve({ forced });
          });
        };
        const forceTimer = setTimeout(() => {
          forced = true;
          stopAccepting();
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);

        // An optional drain window keeps accepting connections (answering /health with 503) so a load
        // balancer that has not deregistered the task yet can notice before connections get refused.
        if (config.shutdownDrainMs > 0) drainTimer = setTimeout(stopAccepting, config.shutdownDrainMs);
        else stopAccepting();
      });
      return closing;
    },
  };
}

async function burnCpu(ms: number, stop: () => boolean): Promise<number> {
  const start = performance.now();
  const end = start + ms;
  for (let now = start; now < end && !stop(); now = performance.now()) {
    const sliceEnd = Math.min(end, now + BURN_SLICE_MS);
    while (performance.now() < sliceEnd) {
      // Spin: the point is to use CPU, so the autoscaling alarm sees it.
    }
    await yieldToEventLoop();
  }
  return Math.round(performance.now() - start);
}
