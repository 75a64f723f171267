/**
 * One ALB listener served as real HTTP on loopback. Every request reads the listener, its rules and
 * its targets from the emulator's state as they are at that moment, so a ModifyListener or a target
 * turning healthy takes effect on the next request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { World } from "../../../world.ts";
import { targetKey } from "../targets.ts";
import { forwardRequest, MAX_HEADER_BYTES } from "./forward-request.ts";
import type { InFlightRequests } from "./in-flight.ts";
import { sendErrorPage, sendFixedResponse, sendRedirect } from "./load-balancer-responses.ts";
import type { RequestFacts } from "./request-match.ts";
import { RoutingPositions, routeRequest } from "./routing.ts";
import { targetAddressOf } from "./target-address.ts";
import type { TargetAgents } from "./target-agents.ts";

/** How long an idle client connection is kept open, in real time: the ALB's default idle timeout. */
const CLIENT_KEEP_ALIVE_MS = 60_000;
const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

export interface ListenerServerContext {
  world: World;
  agents: TargetAgents;
  inFlight: InFlightRequests;
}

export class ListenerServer {
  readonly region: string;
  readonly listenerArn: string;
  readonly #context: ListenerServerContext;
  readonly #positions = new RoutingPositions();
  readonly #server: Server;

  constructor(context: ListenerServerContext, region: string, listenerArn: string) {
    this.#context = context;
    this.region = region;
    this.listenerArn = listenerArn;
    this.#server = createServer(
      { maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: CLIENT_KEEP_ALIVE_MS },
      (request, response) => this.#handle(request, response),
    );
  }

  /** Binds the server; rejects with the socket error (EADDRINUSE for a taken port). */
  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}/`;
  }

  /** Stops listening and closes every connection, in-flight requests included, as deleting a listener does. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Forgets routing positions of rules and target groups that are gone. */
  prune(): void {
    const region = this.#context.world.regions.get(this.region);
    if (region) this.#positions.prune(region.elbv2);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const region = this.#context.world.regions.get(this.region);
    const state = region?.elbv2;
    const listener = state?.listeners.get(this.listenerArn);
    const loadBalancer = listener && state?.loadBalancers.get(listener.loadBalancerArn);
    if (!region || !state || !listener || loadBalancer?.state !== "active") {
      sendErrorPage(response, 503);
      return;
    }
    const facts = requestFacts(request);
    if (!facts) {
      sendErrorPage(response, 400);
      return;
    }
    const routed = routeRequest(state, listener, facts);
    if (!routed) {
      sendErrorPage(response, 503);
      return;
    }
    const { action } = routed;
    const protocol = listener.protocol === "HTTPS" ? "https" : "http";
    if (action.type === "fixed-response") {
      sendFixedResponse(response, action.config);
      return;
    }
    if (action.type === "redirect") {
      const query = (request.url ?? "").split("?").slice(1).join("?");
      sendRedirect(response, action.config, {
        protocol,
        hostHeader: request.headers.host ?? facts.host,
        host: facts.host,
        port: listener.port,
        path: facts.path.replace(/^\//, ""),
        query,
      });
      return;
    }
    const groupArn = this.#positions.pickTargetGroup(routed.ruleArn, action.targetGroups);
    const group = groupArn === undefined ? undefined : state.targetGroups.get(groupArn);
    if (!group) {
      sendErrorPage(response, 503);
      return;
    }
    const target = this.#positions.pickTarget(state, group);
    if (typeof target === "string") {
      sendErrorPage(response, 503);
      return;
    }
    const address = targetAddressOf(region, target.id, target.port);
    const idleSeconds = Number(
      loadBalancer.attributes.get("idle_timeout.timeout_seconds") ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
    );
    const forwarded = forwardRequest({
      request,
      response,
      target: address,
      agent: this.#context.agents.agentFor(address),
      listenerPort: listener.port,
      protocol,
      idleTimeoutMs: idleSeconds * 1000,
    });
    this.#context.inFlight.track(
      { region: this.region, targetGroupArn: group.arn, targetKey: targetKey(target.id, target.port) },
      forwarded,
    );
  }
}

/** What rules look at; undefined for a request target that is not a path (the ALB answers 400). */
function requestFacts(request: IncomingMessage): RequestFacts | undefined {
  const target = request.url ?? "";
  if (!target.startsWith("/")) return undefined;
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1));
  const headers = new Map<string, string[]>();
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? "").toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), raw[index + 1] ?? ""]);
  }
  return {
    method: request.method ?? "GET",
    path,
    host: hostName(request.headers.host ?? ""),
    headers,
    query,
    sourceIp: (request.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
  };
}

/** `example.com:8080` → `example.com`; `[::1]:8080` → `[::1]`. */
const hostName = (host: string) =>
  host.startsWith("[") ? host.replace(/(\]):\d+$/, "$1") : host.replace(/:\d+$/, "");
