/**
 * The load balancers' data plane: every HTTP listener of an active ALB served as real HTTP on
 * loopback. `sync` reconciles the running servers with the emulator's state (a listener created on
 * an active load balancer, a load balancer turning active, a listener or load balancer deleted, a
 * reset); the emulator calls it after every call it serves and every step of its clock.
 */
import type { World } from "../../../world.ts";
import { targetKey } from "../targets.ts";
import { InFlightRequests } from "./in-flight.ts";
import { ListenerServer } from "./listener-server.ts";
import { targetAddressOf } from "./target-address.ts";
import { TargetAgents, targetAddressKey } from "./target-agents.ts";

/** Where one listener is served. */
export interface ServedListener {
  region: string;
  /** The load balancer's name. */
  loadBalancer: string;
  dnsName: string;
  listenerArn: string;
  /** The listener's port on the load balancer. */
  port: number;
  /** Where it is served on this machine, e.g. `http://127.0.0.1:8080/`. */
  url: string;
}

export interface DataPlaneOptions {
  /**
   * Local ports by listener port (`{ 80: 8080 }`). A listener whose port is not listed, or whose local
   * port is taken (by another listener or another program), is served on a free port.
   */
  listenerPorts?: Readonly<Record<number, number>>;
  /** The loopback address servers bind. Default 127.0.0.1. */
  host?: string;
  /** Told when a listener starts or stops being served, or could not get its local port. */
  onEvent?: (message: string, listener: ServedListener) => void;
}

interface Entry {
  region: string;
  listenerArn: string;
  loadBalancer: string;
  dnsName: string;
  port: number;
  server: ListenerServer;
  /** Settles once the server is listening, or failed to. */
  started: Promise<void>;
  listening: boolean;
  /** The local port asked for (0: any free one). */
  requestedPort: number;
}

type WantedListener = Omit<Entry, "server" | "started" | "listening" | "requestedPort">;

export class LoadBalancerDataPlane {
  readonly #world: World;
  readonly #options: DataPlaneOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #agents = new TargetAgents();
  readonly #inFlight = new InFlightRequests();
  /** Starts and stops under way: `settled()` waits for them. */
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(world: World, options: DataPlaneOptions = {}) {
    this.#world = world;
    this.#options = options;
  }

  /** Starts servers for listeners that should be served and stops those that should not. */
  sync(): void {
    if (this.#closed) return;
    const wanted = this.#wantedListeners();
    for (const [arn, entry] of this.#entries) {
      if (!wanted.has(arn)) this.#stop(entry);
    }
    for (const [arn, listener] of wanted) {
      if (!this.#entries.has(arn)) this.#start(listener);
    }
    for (const entry of this.#entries.values()) entry.server.prune();
    this.#inFlight.abortGone((target) => {
      const group = this.#world.regions.get(target.region)?.elbv2.targetGroups.get(target.targetGroupArn);
      return !group?.targets.has(target.targetKey);
    }, "the target's deregistration delay is over");
    // Every registered target's address is worked out only when some target has an agent to keep or
    // drop: a fleet that takes no traffic through its load balancers costs nothing here.
    if (this.#agents.size > 0) this.#agents.retainOnly(this.#registeredAddresses());
  }

  /** Resolves once every start and stop begun so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** The listeners being served now, with their local URLs. */
  listeners(): ServedListener[] {
    return [...this.#entries.values()]
      .filter((entry) => entry.listening)
      .map((entry) => describe(entry, entry.server.url));
  }

  /** The local URL of a load balancer's listener, by the load balancer's DNS name (or name) and listener port. */
  urlOf(dnsNameOrName: string, port = 80): string | undefined {
    return this.listeners().find(
      (listener) =>
        (listener.dnsName === dnsNameOrName.toLowerCase() || listener.loadBalancer === dnsNameOrName) &&
        listener.port === port,
    )?.url;
  }

  /** In-flight requests to a target, for tests and reports. */
  inFlightTo(region: string, targetGroupArn: string, id: string, port: number): number {
    return this.#inFlight.countFor({ region, targetGroupArn, targetKey: targetKey(id, port) });
  }

  /** Stops every server and closes every connection, to clients and to targets. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#entries.values()) this.#stop(entry);
    await this.settled();
    this.#agents.destroyAll();
  }

  #wantedListeners(): Map<string, WantedListener> {
    const wanted = new Map<string, WantedListener>();
    for (const region of this.#world.regions.values()) {
      for (const listener of region.elbv2.listeners.values()) {
        const loadBalancer = region.elbv2.loadBalancers.get(listener.loadBalancerArn);
        // HTTPS listeners would need their certificates' keys, which the emulator does not have.
        if (loadBalancer?.state !== "active" || listener.protocol !== "HTTP") continue;
        wanted.set(listener.arn, {
          region: region.name,
          listenerArn: listener.arn,
          loadBalancer: loadBalancer.name,
          dnsName: loadBalancer.dnsName,
          port: listener.port,
        });
      }
    }
    return wanted;
  }

  #start(listener: WantedListener): void {
    const server = new ListenerServer(
      { world: this.#world, agents: this.#agents, inFlight: this.#inFlight },
      listener.region,
      listener.listenerArn,
    );
    const host = this.#options.host ?? "127.0.0.1";
    const preferred = this.#options.listenerPorts?.[listener.port];
    // Two listeners asking for one local port (port 80 of two load balancers): the first keeps it.
    const takenByUs = [...this.#entries.values()].some((entry) => entry.requestedPort === preferred);
    const requestedPort = preferred === undefined || takenByUs ? 0 : preferred;
    const entry: Entry = { ...listener, server, started: Promise.resolve(), listening: false, requestedPort };
    this.#entries.set(listener.listenerArn, entry);
    entry.started = this.#track(
      (async () => {
        if (requestedPort !== 0) {
          try {
            await server.listen(host, requestedPort);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
            this.#options.onEvent?.(
              `port ${requestedPort} is in use: serving the listener on a free port instead`,
              describe(entry, ""),
            );
            await server.listen(host, 0);
          }
        } else {
          await server.listen(host, 0);
        }
        entry.listening = true;
        this.#options.onEvent?.("load balancer listener serving", describe(entry, server.url));
      })(),
    );
  }

  #stop(entry: Entry): void {
    this.#entries.delete(entry.listenerArn);
    this.#track(
      (async () => {
        await entry.started;
        if (!entry.listening) return;
        const url = entry.server.url;
        entry.listening = false;
        await entry.server.close();
        this.#options.onEvent?.("load balancer listener stopped", describe(entry, url));
      })(),
    );
  }

  #track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => {
      console.error("load balancer data plane:", error);
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }

  /** Every address a registered target (draining ones included) is reached at. */
  #registeredAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (const region of this.#world.regions.values()) {
      for (const group of region.elbv2.targetGroups.values()) {
        for (const target of group.targets.values())
          addresses.add(targetAddressKey(targetAddressOf(region, target.id, target.port)));
      }
    }
    return addresses;
  }
}

function describe(entry: Entry, url: string): ServedListener {
  return {
    region: entry.region,
    loadBalancer: entry.loadBalancer,
    dnsName: entry.dnsName,
    listenerArn: entry.listenerArn,
    port: entry.port,
    url,
  };
}
