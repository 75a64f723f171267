/**
 * Forwards one request to one target and streams the answer back, as an ALB node does: the request
 * and response bodies flow through without being buffered; `X-Forwarded-For`, `-Proto` and `-Port`
 * are added; hop-by-hop headers stay on their own hop. A refused, reset or malformed answer is a 502;
 * no activity for the idle timeout is a 504.
 */
import { randomBytes } from "node:crypto";
import { type Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { sendErrorPage } from "./load-balancer-responses.ts";
import type { TargetAddress } from "./target-address.ts";

/** Header bytes accepted from a client or a target; an ALB's limit on a request's headers is 64 KiB. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), and Expect, already answered. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

export interface ForwardOptions {
  request: IncomingMessage;
  response: ServerResponse;
  target: TargetAddress;
  agent: Agent;
  /** The listener's port and protocol on the load balancer (not the local port it is served on). */
  listenerPort: number;
  protocol: "http" | "https";
  idleTimeoutMs: number;
}

/** A forwarded request in flight: it ends (`done`) however it ends; `abort` cuts it off (a 502 if nothing was sent yet). */
export interface ForwardedRequest {
  done: Promise<void>;
  abort(reason: string): void;
}

class IdleTimeout extends Error {}
class Aborted extends Error {}

export function forwardRequest(options: ForwardOptions): ForwardedRequest {
  const { request, response } = options;
  const headers = forwardedHeaders(options);
  const bodiless =
    (request.headers["content-length"] ?? "0") === "0" && request.headers["transfer-encoding"] === undefined;
  let current: ReturnType<typeof httpRequest> | undefined;
  let settle: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const finish = () => settle();
  // A client that goes away mid-request surfaces as close below; its stream errors are not thrown.
  request.on("error", () => {});
  response.on("error", () => {});
  response.once("close", () => {
    // The client went away before the answer was complete: nothing more to send upstream.
    if (!response.writableFinished) current?.destroy();
    finish();
  });

  const attempt = (retried: boolean) => {
    const upstream = httpRequest({
      host: options.target.host,
      port: options.target.port,
      method: request.method,
      path: request.url,
      headers,
      setHost: false,
      agent: options.agent,
      maxHeaderSize: MAX_HEADER_BYTES,
    });
    current = upstream;
    upstream.setTimeout(options.idleTimeoutMs, () => upstream.destroy(new IdleTimeout()));
    upstream.on("response", (answer) => {
      response.writeHead(
        answer.statusCode ?? 502,
        answer.statusMessage,
        forwardableRawHeaders(answer.rawHeaders),
      );
      answer.pipe(response);
      // Its failures are reported through close (and the client's connection cut), not thrown.
      answer.on("error", () => {});
      // A target that stops mid-body: the client's connection is cut, as the ALB cuts it.
      answer.on("close", () => {
        if (!answer.complete) response.destroy();
      });
    });
    upstream.on("error", (error) => {
      // A kept-alive connection the target closed just as it was reused: a request without a body is
      // safe to send again once, on a fresh connection; the target never saw it.
      if (
        !retried &&
        bodiless &&
        upstream.reusedSocket &&
        !response.headersSent &&
        !(error instanceof IdleTimeout || error instanceof Aborted)
      ) {
        attempt(true);
        return;
      }
      if (response.headersSent) response.destroy();
      else sendErrorPage(response, error instanceof IdleTimeout ? 504 : 502);
    });
    if (bodiless) upstream.end();
    else request.pipe(upstream);
  };
  attempt(false);

  return {
    done,
    abort: (reason) => current?.destroy(new Aborted(reason)),
  };
}

/** The client's headers for the target: hop-by-hop ones removed, the load balancer's X-Forwarded-* added. */
function forwardedHeaders(options: ForwardOptions): string[] {
  const { request } = options;
  const connectionTokens = new Set(
    String(request.headers.connection ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase()),
  );
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let traceId = false;
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] ?? "";
    const value = raw[index + 1] ?? "";
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionTokens.has(lower)) continue;
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    // The load balancer states the protocol and port itself; a client cannot choose them.
    if (lower === "x-forwarded-proto" || lower === "x-forwarded-port") continue;
    if (lower === "x-amzn-trace-id") traceId = true;
    headers.push(name, value);
  }
  const client = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  headers.push("X-Forwarded-For", forwardedFor === undefined ? client : `${forwardedFor}, ${client}`);
  headers.push("X-Forwarded-Proto", options.protocol);
  headers.push("X-Forwarded-Port", String(options.listenerPort));
  if (!traceId) headers.push("X-Amzn-Trace-Id", newTraceId());
  return headers;
}

/** `Root=1-{epoch seconds, hex}-{96 random bits}`, the shape an ALB adds. */
function newTraceId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${seconds}-${randomBytes(12).toString("hex")}`;
}

/** A target's response headers for the client, as a raw list (repeated headers such as Set-Cookie kept). */
function forwardableRawHeaders(raw: readonly string[]): string[] {
  const connection = new Set<string>();
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (raw[index]?.toLowerCase() === "connection")
      for (const token of (raw[index + 1] ?? "").split(",")) connection.add(token.trim().toLowerCase());
  }
  const headers: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const lower = (raw[index] ?? "").toLowerCase();
    if (HOP_BY_HOP.has(lower) || connection.has(lower)) continue;
    headers.push(raw[index] ?? "", raw[index + 1] ?? "");
  }
  return headers;
}
