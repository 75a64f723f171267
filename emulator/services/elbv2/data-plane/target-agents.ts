/**
 * One keep-alive `http.Agent` per target address, with a bounded number of sockets, so requests to a
 * target reuse connections as an ALB's do. Agents of targets that are gone are destroyed, which closes
 * their idle connections.
 */
import { Agent } from "node:http";
import type { TargetAddress } from "./target-address.ts";

/** Connections to one target at most; more requests queue in the agent. */
const MAX_SOCKETS_PER_TARGET = 128;
const MAX_IDLE_SOCKETS_PER_TARGET = 32;
/**
 * Idle connections are dropped after this; a target's `Keep-Alive: timeout=` hint, when shorter, wins
 * (Node's agent reads it), so a connection is not reused just as the target closes it.
 */
const IDLE_SOCKET_MS = 4_000;

const keyOf = (address: TargetAddress) => `${address.host}:${address.port}`;

export class TargetAgents {
  readonly #agents = new Map<string, Agent>();

  agentFor(address: TargetAddress): Agent {
    const key = keyOf(address);
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        keepAlive: true,
        maxSockets: MAX_SOCKETS_PER_TARGET,
        maxFreeSockets: MAX_IDLE_SOCKETS_PER_TARGET,
        timeout: IDLE_SOCKET_MS,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** How many targets have an agent (have been sent a request). */
  get size(): number {
    return this.#agents.size;
  }

  /** Destroys the agents of addresses not in `current`. */
  retainOnly(current: ReadonlySet<string>): void {
    for (const [key, agent] of this.#agents) {
      if (current.has(key)) continue;
      agent.destroy();
      this.#agents.delete(key);
    }
  }

  destroyAll(): void {
    this.retainOnly(new Set());
  }
}

export { keyOf as targetAddressKey };
